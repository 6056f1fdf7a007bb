"""Errors of the scenario layer (bad scenario files, bad data files)."""

from __future__ import annotations

import re

#: How the optimizer names a row of the jobs table (the first data row is row 1).
_JOBS_ROW = re.compile(r"^jobs row (\d+)")
_ROW = re.compile(r"\brow (\d+)")


class ScenarioError(ValueError):
    """A scenario or data file that cannot be used; the message names the file, the field
    or row, what is wrong and what would be valid."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None):
        prefix = ": ".join(p for p in (file, field) if p)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.message = message
        self.file = file
        self.field = field

    def under(self, field: str) -> ScenarioError:
        """This error said of the scenario field ``field`` (kept as it is when it names a
        field already)."""
        if self.field is not None:
            return self
        return ScenarioError(self.message, file=self.file, field=field)


def in_jobs_file(exc: Exception, path, field: str | None = None) -> Exception:
    """An optimizer error about a row of a jobs table read from the file ``path``, said
    as the file's reader says rows (as a spreadsheet shows the file: the header is row 1
    and blank lines count) with the file named; other errors (or no file) as they are,
    under ``field`` if given."""
    text = str(exc)
    match = _JOBS_ROW.match(text)
    if path is not None and match is not None:  # every row it names ("repeats row 1")
        from optimizer.readers import file_row_of

        said = _ROW.sub(lambda m: f"row {file_row_of(path, int(m[1]))}", text[len("jobs "):])
        return ScenarioError(said, file=str(path))
    return ScenarioError(text, field=field) if field is not None else exc


#: The expected failures besides ScenarioError: (module, class name, exit code).
EXPECTED_ELSEWHERE = (
    ("thermal.errors", "ThermalInputError", 2),
    ("optimizer.errors", "ScheduleInputError", 2),
    ("optimizer.errors", "InfeasibleError", 3),
    ("optimizer.pipeline", "NoSolutionError", 4),
)


def expected_errors() -> dict[type[BaseException], int]:
    """Exception classes that are expected failures (bad input, infeasible), with the exit
    code the command line gives each: 2 bad input, 3 infeasible, 4 no schedule found
    within the time limit.

    Everything else is a bug (exit 1). Batch workers use the same table to tell a
    scenario's own failure from an internal error. Only the libraries already imported
    are looked in (a module never imported cannot have raised anything), so a command
    that fails on its input does not pay for importing the optimizer to say so: ask at
    the time of the failure (:func:`exit_code_of`), not before the work.
    """
    import sys

    table: dict[type[BaseException], int] = {ScenarioError: 2}
    for module, name, code in EXPECTED_ELSEWHERE:
        loaded = sys.modules.get(module)
        if loaded is not None and hasattr(loaded, name):
            table[getattr(loaded, name)] = code
    return table


def exit_code_of(exc: BaseException) -> int | None:
    """The exit code of an expected failure, or None for anything else (a bug)."""
    for cls, code in expected_errors().items():
        if isinstance(exc, cls):
            return code
    return None
