"""The ``coolshift`` command line.

One entry point, one subcommand per module (``scenarios/cmd_*.py``), each exposing
``register(subparsers)`` that adds its parser and sets ``func(args) -> int``.

Exit codes (the design's contract):

* 0  success
* 1  internal error (a bug: please report it)
* 2  bad input (file, field or value), named in the message
* 3  infeasible (no schedule meets every deadline and limit), jobs named

Every expected failure prints one line ``coolshift: error: ...`` to stderr and no
traceback. ``--debug`` shows the traceback of an internal error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3

#: Subcommand modules, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "scenarios.cmd_thermal",
    "scenarios.cmd_run",
    "scenarios.cmd_schedule",
    "reports.cmd_report",
)


def expected_errors() -> dict[type[BaseException], int]:
    """Exception classes the CLI reports as a one-line message, with their exit codes."""
    from thermal.errors import ThermalInputError

    codes: dict[type[BaseException], int] = {ThermalInputError: EXIT_BAD_INPUT}
    try:
        from optimizer.errors import InfeasibleError, ScheduleInputError
    except ImportError:  # optimizer not built yet in this checkout
        pass
    else:
        codes[ScheduleInputError] = EXIT_BAD_INPUT
        codes[InfeasibleError] = EXIT_INFEASIBLE
    try:
        from scenarios.errors import ScenarioError
    except ImportError:
        pass
    else:
        codes[ScenarioError] = EXIT_BAD_INPUT
    return codes


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="coolshift",
        description="Plan AI data centres: cooling physics hour by hour, and job scheduling.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (the console script exits with it)."""
    try:
        parser = build_parser()
    except Exception as exc:  # a broken installation, not bad input
        print(
            f"coolshift: internal error while starting: {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its usage message
        return EXIT_OK if exc.code in (0, None) else EXIT_BAD_INPUT
    codes = expected_errors()
    try:
        return int(args.func(args) or EXIT_OK)
    except KeyboardInterrupt:
        print("coolshift: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except tuple(codes) as exc:
        code = next(c for cls, c in codes.items() if isinstance(exc, cls))
        print(f"coolshift: error: {exc}", file=sys.stderr)
        return code
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(
            f"coolshift: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in coolshift; rerun with --debug for the traceback and report it.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def console() -> None:  # pragma: no cover - thin wrapper
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    console()
