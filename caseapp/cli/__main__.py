import sys

from caseapp.cli.main import main

sys.exit(main())
