"""Data files shipped with caseapp (importable as ``caseapp.resources``)."""
