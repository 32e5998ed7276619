"""``python -m caseapp``: the desktop app (``python -m caseapp.cli`` for the command line)."""

import sys

from caseapp.ui.app import main

sys.exit(main())
