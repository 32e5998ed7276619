"""views of the desktop app."""
