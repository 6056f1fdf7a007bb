"""Errors of the scenario layer (bad scenario files, bad data files)."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario or data file that cannot be used; the message names the file, the field
    or row, what is wrong and what would be valid."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None):
        prefix = ": ".join(p for p in (file, field) if p)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.file = file
        self.field = field
