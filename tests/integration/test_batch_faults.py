"""Batch runs that survive dying workers, and the checks of ``--scheduler``/``--workers``.

Fake scenarios (``batch_fakes``) return at once or kill the process running them, so no
scenario is solved. Dask tests start a real ``dask scheduler`` and ``dask worker
--no-nanny`` processes on 127.0.0.1 (dead workers stay dead).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from scenarios.batch import check_scheduler_address, check_workers, run_batch
from scenarios.errors import ScenarioError
from tests.integration.batch_fakes import FakeScenario, fake_runner
from tests.integration.dask_cluster import dask_cluster, free_port

REPO_DIR = Path(__file__).resolve().parents[2]


def _children() -> set[int]:
    """Process ids of this process's children (zombies included), from ``/proc``."""
    me, out = os.getpid(), set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            out.add(int(stat.parent.name))
    return out


# --- local worker processes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "how"),
    [
        ("kill", "killed by signal 9, SIGKILL; out of memory?"),
        ("segv", "killed by signal 11, SIGSEGV; a crash in native code, the solver?"),
        ("exit", "it exited with code 3"),
    ],
)
def test_a_dead_local_worker_fails_only_its_scenario(action, how):
    before = _children()
    scenarios = [FakeScenario("first", seconds=0.3), FakeScenario("doomed", action, 0.1),
                 FakeScenario("third")]  # fmt: skip
    finished = []
    outcomes = run_batch(scenarios, workers=2, on_done=finished.append, runner=fake_runner)

    assert [o.name for o in outcomes] == ["first", "doomed", "third"]
    doomed = outcomes[1]
    assert doomed.result is None and doomed.exit_code == 1
    assert doomed.error == f"the worker process running scenario 'doomed' died ({how})"
    for outcome in (outcomes[0], outcomes[2]):
        assert outcome.error is None and outcome.exit_code == 0
        assert outcome.result[:2] == ("fake", outcome.name)
    assert sorted(o.name for o in finished) == ["doomed", "first", "third"]  # once each
    assert _children() <= before, "worker processes outlived the batch"
    for outcome in (outcomes[0], outcomes[2]):
        with pytest.raises(ProcessLookupError):  # reaped, not a zombie
            os.kill(outcome.result[2], 0)


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_that_keep_dying_are_replaced(workers):
    before = _children()
    actions = ["kill", "ok", "exit", "kill", "ok", "segv"]
    scenarios = [FakeScenario(f"s{i}", a) for i, a in enumerate(actions)]
    outcomes = run_batch(scenarios, workers=workers, runner=fake_runner)

    assert [o.name for o in outcomes] == [s.name for s in scenarios]
    for outcome, action in zip(outcomes, actions, strict=True):
        if action == "ok":
            assert outcome.exit_code == 0 and outcome.result[:2] == ("fake", outcome.name)
        else:
            assert outcome.exit_code == 1
            assert f"running scenario {outcome.name!r} died" in outcome.error
    assert _children() <= before


def test_a_failing_runner_or_unpicklable_result_fails_only_its_scenario():
    scenarios = [FakeScenario("bug", "raise"), FakeScenario("fine"),
                 FakeScenario("lambda", "unpicklable")]  # fmt: skip
    outcomes = run_batch(scenarios, workers=2, runner=fake_runner)

    assert [o.name for o in outcomes] == ["bug", "fine", "lambda"]
    assert outcomes[0].exit_code == 1
    assert outcomes[0].error.startswith("internal error: RuntimeError: boom in bug\n")
    assert "Traceback" in outcomes[0].error  # for --debug
    assert outcomes[1].exit_code == 0 and outcomes[1].result[:2] == ("fake", "fine")
    assert outcomes[2].exit_code == 1 and outcomes[2].error.startswith("internal error: ")


# --- Dask -------------------------------------------------------------------------------


def test_a_dead_dask_worker_fails_only_its_scenario(tmp_path):
    # Three workers, one task each (the scheduler spreads them by occupancy); the
    # scheduler gives up on a task after the first worker that dies running it.
    with dask_cluster(3, tmp_path, allowed_failures="0") as address:
        scenarios = [FakeScenario("first", seconds=0.5), FakeScenario("doomed", "exit", 0.2),
                     FakeScenario("third", seconds=0.5)]  # fmt: skip
        finished = []
        outcomes = run_batch(
            scenarios, scheduler=address, on_done=finished.append, runner=fake_runner,
            no_worker_timeout_s=20,
        )  # fmt: skip

    assert [o.name for o in outcomes] == ["first", "doomed", "third"]
    doomed = outcomes[1]
    assert doomed.result is None and doomed.exit_code == 1
    assert doomed.error.startswith(
        "the Dask worker running scenario 'doomed' died (worker tcp://127.0.0.1:"
    )
    for outcome in (outcomes[0], outcomes[2]):
        assert outcome.error is None, outcome.error
        assert outcome.result[:2] == ("fake", outcome.name)
    assert sorted(o.name for o in finished) == ["doomed", "first", "third"]


def test_a_cluster_without_workers_fails_the_batch_in_time(tmp_path, monkeypatch):
    monkeypatch.setenv("COOLSHIFT_NO_WORKER_TIMEOUT_S", "3")
    with dask_cluster(0, tmp_path) as address:
        finished = []
        start = time.monotonic()
        outcomes = run_batch(
            [FakeScenario("a"), FakeScenario("b")], scheduler=address,
            on_done=finished.append, runner=fake_runner,
        )  # fmt: skip
        waited = time.monotonic() - start

    assert 3 <= waited < 10
    assert [o.name for o in outcomes] == ["a", "b"] == [o.name for o in finished]
    for outcome in outcomes:
        assert outcome.result is None and outcome.exit_code == 2
        assert outcome.error == (
            f"the Dask cluster at {address} has no workers (waited 3 s); start workers "
            f"with `dask worker {address} --nthreads 1`"
        )


def test_a_cluster_whose_last_worker_died_fails_the_rest_in_time(tmp_path):
    # One worker; the first scenario kills it (the scheduler would retry it on another
    # worker, but none is left), so neither scenario can ever run.
    with dask_cluster(1, tmp_path) as address:
        start = time.monotonic()
        outcomes = run_batch(
            [FakeScenario("doomed", "kill"), FakeScenario("after")], scheduler=address,
            runner=fake_runner, no_worker_timeout_s=2,
        )  # fmt: skip
        waited = time.monotonic() - start

    assert waited < 15
    assert [o.name for o in outcomes] == ["doomed", "after"]
    for outcome in outcomes:
        assert outcome.exit_code == 2
        assert outcome.error.startswith(f"the Dask cluster at {address} has no workers left")


# --- checks before any work -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("tcp://", "there is no host and port after 'tcp://'"),
        ("nonsense", "there is no ':PORT'"),
        ("tcp://host:notaport", "the port 'notaport' is not a number"),
        ("tcp://127.0.0.1:99999", "the port 99999 is outside 1 to 65535"),
        ("tcp://127.0.0.1:", "the port is missing"),
        ("tcp://:8786", "there is no host"),
        ("udp://127.0.0.1:8786", "the protocol is 'udp'"),
        ("tcp://127.0.0.1:8786/path", "it has a path or spaces"),
        ("tcp://::1:8786", "an IPv6 host goes in brackets"),
        ("tcp://[::zz]:8786", "is not an IPv6 address"),
        ("", "it is empty"),
    ],
)
def test_malformed_scheduler_addresses_are_refused_before_any_work(text, problem):
    finished = []
    with pytest.raises(ScenarioError) as caught:
        run_batch([FakeScenario("a")], scheduler=text, on_done=finished.append,
                  runner=fake_runner)  # fmt: skip
    message = str(caught.value)
    assert caught.value.field == "--scheduler"
    assert message.startswith(f"--scheduler: {text!r} is not a Dask scheduler address: ")
    assert problem in message
    assert "the valid form is tcp://HOST:PORT" in message
    assert finished == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("tcp://127.0.0.1:8786", "tcp://127.0.0.1:8786"),
        ("localhost:8786", "tcp://localhost:8786"),
        (" TCP://Scheduler.example.org:08786 ", "tcp://Scheduler.example.org:8786"),
        ("tcp://[::1]:8786", "tcp://[::1]:8786"),
    ],
)
def test_scheduler_addresses_are_normalised(text, address):
    assert check_scheduler_address(text) == address


@pytest.mark.parametrize("workers", [0, -1, 4 * (os.cpu_count() or 1) + 1, 2.5, True, "2"])
def test_bad_worker_counts_are_refused_before_any_work(workers):
    most = 4 * (os.cpu_count() or 1)
    finished = []
    with pytest.raises(ScenarioError) as caught:
        run_batch([FakeScenario("a")], workers=workers, on_done=finished.append,
                  runner=fake_runner)  # fmt: skip
    assert caught.value.field == "--workers"
    assert str(caught.value).startswith(
        f"--workers: must be a whole number of worker processes from 1 to {most} "
    )
    assert str(caught.value).endswith(f"got {workers!r}")
    assert finished == []
    assert check_workers(most) == most and check_workers(1) == 1


@pytest.mark.parametrize(
    ("keyword", "env", "named"),
    [
        (0, None, "no_worker_timeout_s must be a number of seconds above 0"),
        (float("nan"), None, "no_worker_timeout_s must be"),
        (None, "soon", "COOLSHIFT_NO_WORKER_TIMEOUT_S must be a number of seconds above 0"),
        (None, "-5", "COOLSHIFT_NO_WORKER_TIMEOUT_S must be"),
    ],
)
def test_bad_no_worker_timeouts_are_refused_before_any_work(keyword, env, named, monkeypatch):
    if env is not None:
        monkeypatch.setenv("COOLSHIFT_NO_WORKER_TIMEOUT_S", env)
    with pytest.raises(ScenarioError, match=named):
        run_batch([FakeScenario("a")], scheduler=f"tcp://127.0.0.1:{free_port()}",
                  no_worker_timeout_s=keyword, runner=fake_runner)  # fmt: skip


@pytest.mark.parametrize("raw", ["soon", "0", "-1", "nan", "3601"])
def test_a_bad_connect_timeout_is_named(raw, monkeypatch):
    from scenarios.batch import _connect_timeout_s

    monkeypatch.setenv("COOLSHIFT_CONNECT_TIMEOUT_S", raw)
    with pytest.raises(ScenarioError, match=r"COOLSHIFT_CONNECT_TIMEOUT_S must be a number of "
                       r"seconds above 0 and at most 3600 \(how long to try to reach"):
        _connect_timeout_s()
    monkeypatch.setenv("COOLSHIFT_CONNECT_TIMEOUT_S", "2.5")
    assert _connect_timeout_s() == 2.5
