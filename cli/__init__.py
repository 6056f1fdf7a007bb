"""The ``coolshift`` command line: :mod:`cli.main` and one module per command."""
