"""File storage outside the database: the workspace layout and the evidence store."""
