"""The ``coolshift`` command line: one entry point, one module per command in ``cli/``.

Each command module exposes ``register(subparsers)``, which adds its parser and sets
``func(args) -> int``. The command modules call the libraries (``scenarios``,
``reports``, ``thermal``, ``optimizer``); this module owns the exit codes and messages.

Exit codes (the design's contract):

* 0  success
* 1  internal error (a bug: please report it)
* 2  bad input (file, field, value or output path), named in the message
* 3  infeasible (no schedule meets every deadline and limit), jobs named
* 4  no schedule found within the solver's time limit
* 130 / 143  stopped by Ctrl-C (SIGINT) / SIGTERM; nothing half written is left

Every expected failure prints one line ``coolshift: error: ...`` to stderr and no
traceback. ``--debug`` shows the traceback of an internal error.

Building the parser stays cheap (``coolshift --help`` within 1 s): a command module's top
level imports only the standard library, other ``cli`` modules and the stdlib-only
``scenarios.errors`` and ``scenarios.tables``; pandas, the libraries and the solver are
imported inside the functions that run the command (tests/integration/test_cli_startup.py).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import traceback
from pathlib import Path

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3

#: Command modules, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "cli.thermal",
    "cli.size",
    "cli.run",
    "cli.validate",
    "cli.examples",
    "cli.sweep",
    "cli.compare",
    "cli.schedule",
    "cli.report",
)


class Stopped(KeyboardInterrupt):
    """SIGTERM (or SIGINT) while a command runs: unwinds like Ctrl-C, so every writer's
    clean-up runs (temporary folders removed, locks released)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop(signum, frame) -> None:
    raise Stopped(signum)


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors end in the CLI's one-line form (exit 2)."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.format_usage()}coolshift: error: {message}\n")


def version() -> str:
    """The installed distribution's version, else (running from a source tree that was
    never installed) the one in ``pyproject.toml``, else ``"unknown"``."""
    from importlib import metadata

    try:
        return metadata.version("coolshift")
    except metadata.PackageNotFoundError:
        import tomllib

        try:
            pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
            return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


class _Version(argparse.Action):
    """``--version``: prints ``coolshift VERSION`` and exits 0; the version is looked up
    only then (argparse's own version action wants it when the parser is built)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0,
                         help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"coolshift {version()}")
        parser.exit(EXIT_OK)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered command."""
    parser = _Parser(
        prog="coolshift",
        description="Plan AI data centres: cooling physics hour by hour, and job scheduling.",
    )
    parser.add_argument("--version", action=_Version, help="print coolshift's version and exit")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
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
    from scenarios.errors import exit_code_of

    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _stop)
    try:
        return int(args.func(args) or EXIT_OK)
    except KeyboardInterrupt as exc:
        signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
        print(f"coolshift: stopped ({signal.Signals(signum).name}); nothing half written was left",
              file=sys.stderr)
        return 128 + int(signum)
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except RecursionError:
        print("coolshift: error: the input is nested too deeply to read (a TOML or JSON file "
              "with hundreds of nested tables or arrays?); flatten it", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("coolshift: error: out of memory; the input is too large for this machine "
              "(fewer hours, jobs or scenarios at once)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        code = exit_code_of(exc)
        if code is not None:
            print(f"coolshift: error: {exc}", file=sys.stderr)
            return code
        if args.debug:
            traceback.print_exc()
        print(
            f"coolshift: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in coolshift; rerun with --debug for the traceback and report it.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    finally:
        signal.signal(signal.SIGTERM, previous)


def console() -> None:  # pragma: no cover - thin wrapper
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    console()
