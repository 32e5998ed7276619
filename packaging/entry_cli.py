"""Entry point of the bundled command line (``caseapp-cli.exe``)."""

import sys

from caseapp.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
