"""``caseapp-cli``: the core services on the command line, for batch work and tests."""
