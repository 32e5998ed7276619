"""Backups of cases: one file holding a consistent copy of the database rows and the evidence
files they reference, with a SHA-256 manifest; restore into an empty workspace."""
