"""``python -m cli``: the same as the ``coolshift`` console command."""

from cli.main import console

console()
