"""Run the real ``coolshift`` console command in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]


def coolshift(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``coolshift ARGS...`` as the installed console script would run it."""
    script = Path(sys.executable).with_name("coolshift")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=cwd or REPO_DIR, timeout=timeout
    )


def error_text(result: subprocess.CompletedProcess) -> str:
    """stderr without the plain progress lines a run writes when stderr is not a terminal."""
    from cli.run import PROGRESS_PREFIX

    return "".join(line for line in result.stderr.splitlines(keepends=True)
                   if not line.startswith(PROGRESS_PREFIX))


def assert_clean_failure(result: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    """An expected failure: the exit code, one message naming the problem, no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert error_text(result).startswith("coolshift: error:"), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
