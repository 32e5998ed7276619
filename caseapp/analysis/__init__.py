"""Templated-complaint grouping and text comparison: pure functions over plain data."""
