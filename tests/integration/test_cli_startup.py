"""``coolshift --help`` answers at once and ``--version`` names the installed version
(issue 17, item 6).

Two guards for a quick help: building the parser in a fresh interpreter loads only the
standard library and ``cli`` (deterministic: it names the module that broke it), and the
real console command's ``--help`` within :data:`CLI_HELP_ABOVE_STARTUP_S` of the bare
interpreter's start (what the user waits for).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest

from cli import main as cli_main
from tests.integration.cli import REPO_DIR, coolshift
from tests.tolerances import CLI_HELP_ABOVE_STARTUP_S

#: Modules of this repository the parser may load: the stdlib-only leaves the command
#: modules import at their top (cli.main's docstring). Every other module the parser
#: loads must be the standard library's or cli's own: pandas, numpy, scipy, pyomo,
#: highspy, pydantic, streamlit, openpyxl, dask, tqdm, optimizer, thermal, reports,
#: scenarios.run, scenarios.library... all fail the check.
ALLOWED_OWN = {"scenarios", "scenarios.errors", "scenarios.tables"}

#: Builds the parser from the given command modules in a fresh interpreter, runs
#: ``{then}``, and prints, as JSON, the modules loaded since the interpreter's own start
#: that are neither the standard library's, cli's, nor in ``{allowed}``.
PROBE = """
import json, sys
before = set(sys.modules)
import cli.main
cli.main.COMMAND_MODULES = tuple(sys.argv[1:])
cli.main.build_parser()
{then}
allowed = set(json.loads({allowed!r}))
print(json.dumps(sorted(
    name for name in set(sys.modules) - before
    if name.split(".")[0] not in sys.stdlib_module_names
    and name.split(".")[0] != "cli" and name not in allowed
)))
"""


def heavy_imports(*modules: str, allowed=ALLOWED_OWN, then: str = "") -> list[str]:
    """Modules that building the parser from ``modules`` (then running ``then``) loads
    and should not."""
    code = PROBE.format(allowed=json.dumps(sorted(allowed)), then=then)
    result = subprocess.run([sys.executable, "-c", code, *modules], capture_output=True,
                            text=True, cwd=REPO_DIR, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_building_the_whole_parser_imports_only_the_standard_library():
    assert heavy_imports(*cli_main.COMMAND_MODULES) == []


@pytest.mark.parametrize("module", cli_main.COMMAND_MODULES)
def test_each_command_module_imports_only_the_standard_library(module):
    """Each command module with cli.main, in its own interpreter, so a failure names it."""
    assert heavy_imports(module) == []


def test_the_check_sees_what_it_should_refuse():
    """The check above is not blind: a library imported after building the parser, and
    the stdlib-only leaves cli.run imports once they are no longer allowed."""
    found = heavy_imports("cli.run", allowed=(), then="import pandas")
    assert {"pandas", "numpy", "scenarios.errors", "scenarios.tables"} <= set(found)


def _console() -> list[str]:
    script = Path(sys.executable).with_name("coolshift")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


def _fastest_s(command: list[str], runs: int = 3) -> float:
    """The fastest of ``runs`` wall-clock times of a command that must exit 0 [s]."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, cwd=REPO_DIR,
                                timeout=120)
        times.append(time.perf_counter() - start)
        assert result.returncode == 0, result.stderr
    return min(times)


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"]])
def test_help_answers_within_a_second_of_the_interpreters_start(args):
    """``coolshift --help`` and ``coolshift run --help``: exit 0, and their fastest of 3
    runs at most CLI_HELP_ABOVE_STARTUP_S above the fastest of 3 ``python -c pass``.

    The fastest run, not the median: other work on the machine only ever adds time, so
    the fastest is the best estimate of the work the command does. Above the bare start,
    not absolute: a loaded 2-core machine slows the interpreter's start too. The bound
    (1 s) is 10-20 x what building the parser costs (0.05-0.1 s) and below the 1.5-3 s
    that importing the libraries costs, so it fails on that regression, not on a busy
    machine; test_building_the_whole_parser_... is the exact check.
    """
    result = subprocess.run([*_console(), *args], capture_output=True, text=True,
                            cwd=REPO_DIR, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("usage: coolshift"), result
    startup_s = _fastest_s([sys.executable, "-c", "pass"])
    help_s = _fastest_s([*_console(), *args])
    assert help_s - startup_s <= CLI_HELP_ABOVE_STARTUP_S, (help_s, startup_s)


def test_version_is_the_installed_distributions():
    result = coolshift("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"coolshift {metadata.version('coolshift')}\n"
    assert result.stderr == ""


def test_version_without_an_installed_distribution_is_pyprojects(monkeypatch):
    import tomllib

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    project = tomllib.loads((REPO_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    assert cli_main.version() == project["project"]["version"]


def test_the_schedule_commands_billing_and_rolling_choices_are_the_optimizers():
    # kept apart so that building the parser imports no optimizer; equal by test
    from cli import schedule
    from optimizer.options import BILLING, ROLLING

    assert schedule.BILLING == BILLING and schedule.ROLLING == ROLLING
