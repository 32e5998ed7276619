"""Fixtures of the export tests (defined in export_case.py)."""

from export_case import chinese, exported  # noqa: F401
