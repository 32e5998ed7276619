"""workers of the desktop app."""
