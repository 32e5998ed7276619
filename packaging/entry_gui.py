"""Entry point of the bundled desktop app (``caseapp.exe``)."""

import sys

from caseapp.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
