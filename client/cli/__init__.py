"""``python -m client``: argument parsing and printing, nothing else (the work is ``client.jobs``)."""

from client.cli.main import main

__all__ = ["main"]
