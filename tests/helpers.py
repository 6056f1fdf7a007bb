"""Helpers shared by tests of every tier."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parent.parent
#: Real third-party data used by some tests; never copied into the repository.
SHARED_DATA_DIR = REPO_DIR.parent / "shared" / "data"


#: The Streamlit app and how long one AppTest run may take [s].
APP = str(REPO_DIR / "streamlit_app.py")
APP_TIMEOUT_S = 120


def fresh_app():
    """A fresh app session on the Site page, its uploaders shown (a generator for a
    fixture: ``yield from fresh_app()``); caches cleared before and after (AppTest
    sessions share the process's caches)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT_S)
    at.run()
    at.toggle(key="site_uploads").set_value(True).run()
    yield at
    st.cache_data.clear()


def shared_file(*parts: str) -> Path:
    """Path of a file in ``../shared/data``; skips the calling test when it is absent."""
    path = SHARED_DATA_DIR.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"real data file {path} is not present on this machine")
    return path


def run_with_a_greedy_that_misses_a_job(data: dict):
    """``run_scenario`` of scenario ``data`` without the MILP, its greedy rule leaving the
    first job unplaced (the rest of its schedule kept): how a run reports a baseline it
    cannot compare against. Also called from an app script (tests/component)."""
    return run_with_a_rule_that_misses_a_job(data, "greedy")


def run_with_a_rule_that_misses_a_job(data: dict, rule: str):
    """``run_scenario`` of ``data`` without the MILP, baseline ``rule`` ("asap" or
    "greedy") leaving the first job unplaced (the rest of its schedule kept)."""
    import dataclasses

    import scenarios.run as run_module
    import scenarios.schedules as schedules_module
    from scenarios.loading import scenario_from_dict

    real = getattr(schedules_module, rule)

    def missing_one(problem):
        from optimizer.schedule import Assignment

        placed = real(problem)
        a = placed.assignment
        other = a.job != 0  # the first job's hours out: it has none when unplaced
        return dataclasses.replace(placed, status="infeasible", unplaced=(problem.jobs.ids[0],),
                                   assignment=Assignment(a.job[other], a.pod[other], a.t[other]))

    setattr(schedules_module, rule, missing_one)
    try:
        return run_module.run_scenario(scenario_from_dict(data), optimize=False)
    finally:
        setattr(schedules_module, rule, real)


def write_run_dir(tmp_path_factory, name: str, data: dict, optimize: bool = False) -> str:
    """Run the scenario ``data`` and write its run directory; returns its path."""
    from scenarios.loading import scenario_from_dict
    from scenarios.run import run_scenario
    from scenarios.store import write_run

    out = tmp_path_factory.mktemp("runs") / name
    write_run(run_scenario(scenario_from_dict(data), optimize=optimize), out)
    return str(out)
