"""Session state of the app: the scenario being edited, the session's folder and its runs.

The scenario lives as raw data (the dict a TOML file reads into), so pages can change a
field and validate the whole again. ``version`` counts replacements of the scenario:
widgets include it in their keys so that loading another scenario resets them to its
values.
"""

from __future__ import annotations

import atexit
import copy
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from scenarios.library import example_data
from scenarios.loading import scenario_from_dict
from scenarios.schema import Scenario
from ui import uploads

DATA = "scenario_data"
LABEL = "scenario_label"
VERSION = "scenario_version"
DIR = "session_dir"
RUNS = "runs"
DEFAULT_EXAMPLE = "default"
#: Appended to the description of a scenario changed in the app.
EDITED_NOTE = "(Changed in the coolshift app since it was loaded: see its settings.)"


@st.cache_resource(show_spinner=False)
def _root_dir() -> str:
    """One folder per server process holding every session's folder; removed at exit."""
    root = tempfile.mkdtemp(prefix="coolshift-ui-")
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def session_dir() -> Path:
    """This session's private folder (uploads and run directories)."""
    if DIR not in st.session_state or not Path(st.session_state[DIR]).is_dir():
        st.session_state[DIR] = tempfile.mkdtemp(prefix="session-", dir=_root_dir())
    return Path(st.session_state[DIR])


def ensure_scenario() -> None:
    """Start the session on the built-in default scenario."""
    if DATA not in st.session_state:
        st.session_state[DATA] = example_data(DEFAULT_EXAMPLE)
        st.session_state[LABEL] = f"built-in scenario {DEFAULT_EXAMPLE!r}"
        st.session_state[VERSION] = 0


def scenario_data() -> dict:
    """A copy of the raw scenario data being edited."""
    ensure_scenario()
    return copy.deepcopy(st.session_state[DATA])


def scenario_label() -> str:
    ensure_scenario()
    return st.session_state[LABEL]


def version() -> int:
    ensure_scenario()
    return st.session_state[VERSION]


def replace_scenario(data: dict, label: str) -> None:
    """Start over on another scenario (widgets bound to the old one reset)."""
    st.session_state[DATA] = copy.deepcopy(data)
    st.session_state[LABEL] = label
    st.session_state[VERSION] = version() + 1


def _same(a: dict, b: dict) -> bool:
    """Whether two raw scenarios mean the same (equal once validated; equal as data when
    either does not validate)."""
    if a == b:
        return True
    try:
        return scenario_from_dict(a) == scenario_from_dict(b)
    except ValueError:
        return False


def update_scenario(data: dict) -> None:
    """Store an edit of the current scenario (widgets keep their state).

    Data that means the same as the scenario being edited (say 50 kW written as 50.0)
    changes nothing. The description says once that the scenario was edited, as it may
    no longer fit (reports and the TOML download repeat it).
    """
    ensure_scenario()
    if _same(data, st.session_state[DATA]):
        return
    data = copy.deepcopy(data)
    description = str(data.get("description", "")).rstrip()
    if EDITED_NOTE not in description:
        data["description"] = f"{description}\n{EDITED_NOTE}".strip()
    st.session_state[DATA] = data


def current_scenario(data: dict | None = None) -> Scenario:
    """The scenario validated, after checking that it reads no file outside the session.

    Raises
    ------
    ScenarioError
        Invalid field (named) or a file path that is not one of this session's uploads.
    """
    data = scenario_data() if data is None else data
    uploads.check_paths(data, session_dir())
    return scenario_from_dict(data, file=scenario_label())


# --------------------------------------------------------------------------- runs


@dataclass
class SessionRun:
    """A finished run kept in the session: its result and its run directory."""

    label: str
    result: object  # scenarios.run.RunResult (not imported here: it pulls in the MILP stack)
    run_dir: Path
    #: The page that made it: "workload", "report" (a quick run) or "compare".
    source: str = "workload"


def runs() -> dict[str, SessionRun]:
    """The session's runs, oldest first."""
    return st.session_state.setdefault(RUNS, {})


def _slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-")[:60] or "run"


def own_run_labels() -> list[str]:
    """Labels of the runs the planner made (Workload and Report pages), oldest first;
    the Compare page's runs left out."""
    return [label for label, run in runs().items() if run.source != "compare"]


def add_run(label: str, result, replace: bool = False, source: str = "workload") -> SessionRun:
    """Keep a run in the session and write its run directory (for reports).

    A label already taken gets a number, unless ``replace`` (then the old run goes).
    ``source`` is the page that made it (see :class:`SessionRun`).
    """
    from scenarios.store import write_run

    existing = runs()
    unique, n = label, 2
    if replace:
        existing.pop(label, None)
    while unique in existing:
        unique, n = f"{label} ({n})", n + 1
    run_dir = write_run(result, session_dir() / "runs" / _slug(unique), force=True)
    entry = SessionRun(unique, result, run_dir, source)
    existing[unique] = entry
    return entry


def next_run_label(name: str) -> str:
    """A new run label for a scenario name: ``name · run N``."""
    return f"{name} · run {len(runs()) + 1}"
