"""dialogs of the desktop app."""
