"""Benchmarks of caseapp's quality bars (``python -m caseapp.bench --help``)."""
