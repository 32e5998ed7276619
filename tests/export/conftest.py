"""Fixtures of the export tests (defined in export_case.py)."""

from export_case import exported  # noqa: F401
