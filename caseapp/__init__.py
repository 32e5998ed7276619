"""caseapp — case management for investigations into illegal debt-relief intermediaries."""

__version__ = "0.1.0"
