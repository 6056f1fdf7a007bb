"""Many scenarios at once: a pure ``run_scenario`` mapped over them.

Local worker processes by default; an existing Dask cluster when given its scheduler
address (``tcp://host:port``). Each worker runs one single-threaded HiGHS at a time
(several HiGHS instances on threads of one process are known to crash). Workers return
results; the caller writes the run directories, so no shared file system is needed.

A worker that dies (killed by the out-of-memory killer, a crash in native code) fails
only the scenario it was running; every other scenario still runs and returns:

* Local: each worker process has a pipe of its own, and the batch knows which scenario
  each one runs. A dead worker's scenario is reported with how the
  process ended (signal or exit code); a new worker takes its place for the scenarios
  not yet run. No other worker is disturbed, and no worker outlives the batch (nor the
  calling process, on Linux).
* Dask: the scheduler retries a task whose worker died on another worker and gives up
  with ``KilledWorker``; that scenario fails, the others return. A cluster that has had
  no workers for :data:`NO_WORKER_TIMEOUT_S` (or ``COOLSHIFT_NO_WORKER_TIMEOUT_S``, or
  ``no_worker_timeout_s``) fails the scenarios still waiting (exit code 2: start
  workers) instead of waiting forever.
"""

from __future__ import annotations

import ctypes
import ipaddress
import math
import multiprocessing
import multiprocessing.connection
import operator
import os
import re
import signal
import sys
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scenarios.errors import ScenarioError, exit_code_of
from scenarios.run import RunResult, run_scenario
from scenarios.schema import Scenario

__all__ = [
    "NO_WORKER_TIMEOUT_S",
    "BatchOutcome",
    "check_scheduler_address",
    "check_workers",
    "run_batch",
    "run_one",
]

#: How long a Dask cluster may have no workers before the scenarios still waiting fail [s].
NO_WORKER_TIMEOUT_S = 30.0
#: Environment variable that overrides :data:`NO_WORKER_TIMEOUT_S` [s].
NO_WORKER_TIMEOUT_ENV = "COOLSHIFT_NO_WORKER_TIMEOUT_S"
#: Local worker processes allowed per CPU core (``--workers`` at most this times the cores).
MAX_WORKERS_PER_CPU = 4
#: The form of a scheduler address, as messages give it.
SCHEDULER_FORM = "tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"

_HOSTNAME = re.compile(
    r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
    r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?"
)
_PR_SET_PDEATHSIG = 1  # prctl option (Linux): a signal for the child when its parent dies


@dataclass
class BatchOutcome:
    """What one scenario of a batch came to: a result, or an error with its exit code.

    Attributes
    ----------
    name : str
        The scenario's name.
    result : RunResult or None
        The run's result; None when the scenario failed.
    error : str or None
        Why it failed: the first line for the user, a traceback after it for internal
        errors (``--debug``); None when it ran.
    exit_code : int
        0 ran; 1 internal error or a worker that died; 2 bad input or an environment the
        user can fix (no Dask workers, a lost scheduler); 3 infeasible.
    """

    name: str
    result: RunResult | None = None
    error: str | None = None
    exit_code: int = 0


def run_batch(
    scenarios: Sequence[Scenario],
    optimize: bool = True,
    time_limit_s: float | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    on_done: Callable[[BatchOutcome], None] | None = None,
    *,
    no_worker_timeout_s: float | None = None,
    runner: Callable[[Scenario, bool, float | None], BatchOutcome] | None = None,
) -> list[BatchOutcome]:
    """Run scenarios in parallel; outcomes in the input order.

    A scenario whose worker dies fails alone (exit code 1, the message says how the worker
    ended); the others still run. The arguments are checked before any work.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The scenarios to run.
    optimize : bool
        False skips the MILP (see ``run_scenario``).
    time_limit_s : float, optional
        HiGHS time limit per solve [s].
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler (``tcp://HOST:PORT``); local
        worker processes when None.
    workers : int, optional
        Local worker processes, 1 to :data:`MAX_WORKERS_PER_CPU` times the CPU count
        (default: the CPU count); never more than the number of scenarios.
    on_done : callable, optional
        Called once with each outcome as it finishes, in the order they finish (progress
        bars).
    no_worker_timeout_s : float, optional
        With ``scheduler``: how long the cluster may have no workers (or not answer)
        before the scenarios still waiting fail with exit code 2 [s]. Default
        ``COOLSHIFT_NO_WORKER_TIMEOUT_S`` from the environment, else
        :data:`NO_WORKER_TIMEOUT_S`.
    runner : callable, optional
        What runs one scenario, ``runner(scenario, optimize, time_limit_s) ->
        BatchOutcome`` (default :func:`run_one`). It runs in worker processes, so it must
        be a picklable top-level function; tests pass fakes.

    Returns
    -------
    list of BatchOutcome
        One per scenario, in the order of ``scenarios``.

    Raises
    ------
    ScenarioError
        A malformed ``scheduler`` or ``workers`` (naming ``--scheduler`` or
        ``--workers``), a bad no-worker timeout, or a scheduler that cannot be reached.
    """
    done = on_done or (lambda outcome: None)
    run = runner or run_one
    if scheduler is not None:
        address = check_scheduler_address(scheduler)
        grace_s = _no_worker_timeout(no_worker_timeout_s)
    if workers is not None:
        workers = check_workers(workers)
    if not scenarios:
        return []
    if scheduler is not None:
        return _run_dask(scenarios, optimize, time_limit_s, address, done, run, grace_s)
    n = min(workers or os.cpu_count() or 1, len(scenarios))
    return _run_local(scenarios, optimize, time_limit_s, n, done, run)


def run_one(
    scenario: Scenario, optimize: bool = True, time_limit_s: float | None = None
) -> BatchOutcome:
    """Run one scenario and turn expected failures into an outcome (runs in a worker).

    Parameters
    ----------
    scenario : Scenario
        The scenario to run.
    optimize : bool
        False skips the MILP.
    time_limit_s : float, optional
        HiGHS time limit per solve [s].

    Returns
    -------
    BatchOutcome
        The result, or the error with the command line's exit code for it (see
        ``expected_errors``); any other exception is an internal error (exit code 1) with
        its traceback.
    """
    try:
        return BatchOutcome(scenario.name, result=run_scenario(scenario, optimize, time_limit_s))
    except Exception as exc:
        return failed(scenario.name, exc)


def failed(name: str, exc: Exception) -> BatchOutcome:
    """The outcome of a run that raised: an expected failure with its exit code
    (:func:`scenarios.errors.exit_code_of`, asked after the failure), else an internal
    error with its traceback."""
    code = exit_code_of(exc)
    if code is None:  # a bug: keep the traceback for --debug
        return _internal_error(name, exc)
    return BatchOutcome(name, error=str(exc), exit_code=code)


def check_scheduler_address(text: str) -> str:
    """A Dask scheduler address, checked by its form only (nothing is contacted).

    Parameters
    ----------
    text : str
        ``tcp://HOST:PORT`` (``HOST:PORT`` is taken as TCP; IPv6 hosts in brackets,
        ``tcp://[::1]:8786``).

    Returns
    -------
    str
        The address as ``tcp://HOST:PORT``.

    Raises
    ------
    ScenarioError
        Naming ``--scheduler`` (its ``field``), what is wrong and the valid form.
    """

    def bad(problem: str) -> ScenarioError:
        return ScenarioError(
            f"{text!r} is not a Dask scheduler address: {problem}; the valid form is "
            f"{SCHEDULER_FORM}",
            field="--scheduler",
        )

    if not isinstance(text, str):
        raise bad(f"it is a {type(text).__name__}, not text")
    rest = text.strip()
    if not rest:
        raise bad("it is empty")
    if "://" in rest:
        protocol, rest = rest.split("://", 1)
        if protocol.lower() != "tcp":
            raise bad(f"the protocol is {protocol!r} (only tcp is supported)")
    if not rest:
        raise bad("there is no host and port after 'tcp://'")
    if "/" in rest or any(c.isspace() for c in rest):
        raise bad("it has a path or spaces after HOST:PORT")
    if rest.startswith("["):
        host, bracket, port = rest[1:].partition("]")
        if not bracket:
            raise bad("the '[' of the IPv6 host is not closed")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise bad(f"{host!r} is not an IPv6 address") from None
        if not port.startswith(":"):
            raise bad("there is no ':PORT' after the host")
        host, port = f"[{host}]", port[1:]
    else:
        host, colon, port = rest.rpartition(":")
        if not colon:
            raise bad("there is no ':PORT'")
        if not host:
            raise bad("there is no host before ':PORT'")
        if ":" in host:
            raise bad("it has more than one ':' (an IPv6 host goes in brackets, [::1])")
        if not _HOSTNAME.fullmatch(host):
            raise bad(f"{host!r} is not a host name or IP address")
    if not port:
        raise bad("the port is missing after ':'")
    if not (port.isascii() and port.isdigit()):
        raise bad(f"the port {port!r} is not a number")
    if not 1 <= int(port) <= 65535:
        raise bad(f"the port {int(port)} is outside 1 to 65535")
    return f"tcp://{host}:{int(port)}"


def check_workers(n: int) -> int:
    """A number of local worker processes, checked.

    Parameters
    ----------
    n : int
        Worker processes, 1 to :data:`MAX_WORKERS_PER_CPU` times the CPU count.

    Returns
    -------
    int
        ``n`` as an int.

    Raises
    ------
    ScenarioError
        Naming ``--workers`` (its ``field``) and the valid range.
    """
    most = MAX_WORKERS_PER_CPU * (os.cpu_count() or 1)
    try:
        value = operator.index(n) if not isinstance(n, bool) else None
    except TypeError:
        value = None
    if value is None or not 1 <= value <= most:
        raise ScenarioError(
            f"must be a whole number of worker processes from 1 to {most} "
            f"({MAX_WORKERS_PER_CPU} x {os.cpu_count() or 1} CPU cores), got {n!r}",
            field="--workers",
        )
    return value


def _seconds_setting(value: object, source: str, purpose: str, most: float = math.inf) -> float:
    """``value`` as a number of seconds in (0, ``most``]; ScenarioError naming ``source``
    (an option or an environment variable) and ``purpose`` otherwise. Text is read as a
    number (an environment variable's value)."""
    number = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = math.nan
    ok = (not isinstance(number, bool) and isinstance(number, int | float)
          and math.isfinite(number) and 0 < number <= most)
    if not ok:
        limit = "" if math.isinf(most) else f" and at most {most:g}"
        raise ScenarioError(f"{source} must be a number of seconds above 0{limit} "
                            f"({purpose}), got {value!r}")  # fmt: skip
    return float(number)


def _no_worker_timeout(value: float | None) -> float:
    """The no-worker grace period [s]: ``value``, else ``COOLSHIFT_NO_WORKER_TIMEOUT_S``,
    else :data:`NO_WORKER_TIMEOUT_S`; ScenarioError unless a positive finite number."""
    purpose = "how long a Dask cluster may have no workers"
    if value is not None:
        return _seconds_setting(value, "no_worker_timeout_s", purpose)
    text = os.environ.get(NO_WORKER_TIMEOUT_ENV, "").strip()
    if not text:
        return NO_WORKER_TIMEOUT_S
    return _seconds_setting(text, f"the environment variable {NO_WORKER_TIMEOUT_ENV}", purpose)


def _internal_error(name: str, exc: BaseException) -> BatchOutcome:
    """An internal error (a bug) as an outcome: one line, then the traceback."""
    trace = "".join(traceback.format_exception(exc))
    return BatchOutcome(
        name, error=f"internal error: {type(exc).__name__}: {exc}\n{trace}", exit_code=1
    )


def _death_message(name: str, exitcode: int | None) -> str:
    """Why scenario ``name`` has no result: its worker process ended with ``exitcode``
    (negative: killed by that signal)."""
    if exitcode is None:
        how = "it stopped answering"
    elif exitcode < 0:
        try:
            signame = signal.Signals(-exitcode).name
        except ValueError:
            signame = "unknown signal"
        hint = {
            signal.SIGKILL: "; out of memory?",
            signal.SIGSEGV: "; a crash in native code, the solver?",
            signal.SIGBUS: "; a crash in native code, the solver?",
            signal.SIGABRT: "; a crash in native code, the solver?",
            signal.SIGTERM: "; stopped by another process",
        }.get(-exitcode, "")
        how = f"killed by signal {-exitcode}, {signame}{hint}"
    elif exitcode == 0:
        how = "it exited without returning a result"
    else:
        how = f"it exited with code {exitcode}"
    return f"the worker process running scenario {name!r} died ({how})"


# --- local worker processes ------------------------------------------------------------


@dataclass
class _Worker:
    """One local worker process, its end of the pipe, and the scenario it runs."""

    process: multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection
    task: int | None = None


def _run_local(
    scenarios: Sequence[Scenario],
    optimize: bool,
    time_limit_s: float | None,
    n: int,
    done: Callable[[BatchOutcome], None],
    runner: Callable[[Scenario, bool, float | None], BatchOutcome] = run_one,
) -> list[BatchOutcome]:
    """Run ``scenarios`` on ``n`` worker processes, each given one scenario at a time.

    A worker that dies fails the scenario it had (named, with how the process ended) and
    is replaced while scenarios remain. Every worker is stopped and reaped before this
    returns or raises (Ctrl-C included).

    Parameters
    ----------
    scenarios : sequence of Scenario
    optimize : bool
    time_limit_s : float, optional
        HiGHS time limit per solve [s].
    n : int
        Worker processes (at least 1).
    done : callable
        Called once with each outcome as it finishes.
    runner : callable
        Runs one scenario in a worker (picklable, top level).

    Returns
    -------
    list of BatchOutcome
        In the order of ``scenarios``.
    """
    context = multiprocessing.get_context()
    todo = deque(range(len(scenarios)))
    results: dict[int, BatchOutcome] = {}
    pool: list[_Worker] = []
    # Workers that died before taking their scenario; bounded so a machine where every new
    # worker dies at once cannot loop forever.
    lost_handoffs = 0

    def finish(i: int, outcome: BatchOutcome) -> None:
        results[i] = outcome
        done(outcome)

    try:
        while todo or any(w.task is not None for w in pool):
            while todo and sum(w.task is not None for w in pool) < n:
                worker = next((w for w in pool if w.task is None), None)
                if worker is None:
                    worker = _start_worker(context, runner)
                    pool.append(worker)
                i = todo.popleft()
                try:
                    worker.conn.send((i, scenarios[i], optimize, time_limit_s))
                except OSError:  # the worker died while idle: its replacement takes it
                    pool.remove(worker)
                    _stop_worker(worker, graceful=False)
                    todo.appendleft(i)
                    lost_handoffs += 1
                    if lost_handoffs > len(scenarios) + n:
                        raise RuntimeError(
                            "worker processes die as soon as they start; no scenario can run"
                        ) from None
                except Exception as exc:  # the scenario cannot be pickled (a bug)
                    finish(i, _internal_error(scenarios[i].name, exc))
                else:
                    worker.task = i
            busy = [w for w in pool if w.task is not None]
            if not busy:
                continue
            ready = multiprocessing.connection.wait(
                [w.conn for w in busy] + [w.process.sentinel for w in busy]
            )
            for worker in busy:
                if worker.conn not in ready and worker.process.sentinel not in ready:
                    continue
                i, outcome, gone = worker.task, None, False
                try:
                    if worker.conn.poll():
                        outcome = worker.conn.recv()[1]
                except (EOFError, OSError):  # died before or while sending its result
                    gone = True
                except Exception as exc:  # the result cannot be unpickled here (a bug)
                    outcome = _internal_error(scenarios[i].name, exc)
                if outcome is not None:
                    worker.task = None
                    finish(i, outcome)
                    if not todo:  # nothing left for it: let it go now
                        pool.remove(worker)
                        _stop_worker(worker, graceful=True)
                    continue
                if not gone and worker.process.sentinel not in ready:
                    continue  # still running
                pool.remove(worker)
                worker.process.join(timeout=5)
                exitcode = worker.process.exitcode
                _stop_worker(worker, graceful=False)
                finish(i, BatchOutcome(
                    scenarios[i].name, error=_death_message(scenarios[i].name, exitcode),
                    exit_code=1,
                ))  # fmt: skip
    finally:
        for worker in pool:
            _stop_worker(worker, graceful=worker.task is None)
    return [results[i] for i in range(len(scenarios))]


def _start_worker(context, runner) -> _Worker:
    """A new worker process running :func:`_worker_loop`, and the parent's end of its pipe."""
    parent_end, child_end = context.Pipe(duplex=True)
    process = context.Process(
        target=_worker_loop, args=(child_end, runner), name="coolshift-batch-worker",
        daemon=True,
    )  # fmt: skip
    process.start()
    child_end.close()  # so the parent sees EOF when the worker dies
    return _Worker(process, parent_end)


def _stop_worker(worker: _Worker, graceful: bool) -> None:
    """End a worker process and reap it: asked to stop when ``graceful`` (it is idle),
    else (or if it does not stop within 5 s) terminated, then killed."""
    process = worker.process
    if graceful and process.is_alive():
        try:
            worker.conn.send(None)
        except OSError:
            pass
        process.join(timeout=5)
    if process.is_alive():
        process.terminate()
        process.join(timeout=5)
    if process.is_alive():
        process.kill()
        process.join()
    worker.conn.close()


def _worker_loop(conn, runner) -> None:
    """A worker process: run ``(index, scenario, optimize, time_limit_s)`` tasks from
    ``conn`` with ``runner`` and send back ``(index, outcome)`` until told None or the
    parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command line's unwinding
    if sys.platform.startswith("linux"):  # die with the parent, even killed mid-solve
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    parent = os.getppid()
    while True:
        try:
            while not conn.poll(1.0):
                if os.getppid() != parent:
                    return
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, scenario, optimize, time_limit_s = task
        try:
            outcome = runner(scenario, optimize, time_limit_s)
        except Exception as exc:
            outcome = _internal_error(scenario.name, exc)
        try:
            conn.send((index, outcome))
        except OSError:
            return
        except Exception as exc:  # pickling fails before anything is written
            conn.send((index, _internal_error(scenario.name, exc)))


# --- Dask --------------------------------------------------------------------------------


def connect_dask(address: str):
    """A ``dask.distributed`` client of the scheduler at ``address`` (checked).

    Raises
    ------
    ScenarioError
        Dask not installed, or the scheduler cannot be reached (with how to start one).
    """
    try:
        import distributed
    except ImportError:
        raise ScenarioError(
            "--scheduler needs dask.distributed: pip install 'coolshift[dask]'"
        ) from None
    try:
        return distributed.Client(address, timeout=f"{_connect_timeout_s():g}s")
    except OSError as exc:
        raise ScenarioError(
            f"cannot reach the Dask scheduler at {address} ({exc}); start one with "
            "`dask scheduler` and workers with `dask worker ADDRESS --nthreads 1`"
        ) from None


#: How long to try to reach a Dask scheduler [s] (``COOLSHIFT_CONNECT_TIMEOUT_S`` overrides):
#: long enough for a scheduler on another machine to answer, short enough that a wrong
#: address is said at once; judgement.
CONNECT_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_ENV = "COOLSHIFT_CONNECT_TIMEOUT_S"


def _connect_timeout_s() -> float:
    """:data:`CONNECT_TIMEOUT_S`, or ``COOLSHIFT_CONNECT_TIMEOUT_S`` (a positive number)."""
    raw = os.environ.get(CONNECT_TIMEOUT_ENV)
    if raw is None:
        return CONNECT_TIMEOUT_S
    return _seconds_setting(raw, f"the environment variable {CONNECT_TIMEOUT_ENV}",
                            "how long to try to reach the Dask scheduler", most=3600)


def _run_dask(
    scenarios: Sequence[Scenario],
    optimize: bool,
    time_limit_s: float | None,
    address: str,
    done: Callable[[BatchOutcome], None],
    runner: Callable[[Scenario, bool, float | None], BatchOutcome] = run_one,
    grace_s: float = NO_WORKER_TIMEOUT_S,
) -> list[BatchOutcome]:
    """Run ``scenarios`` on the Dask cluster at ``address``.

    Each task's failure (``KilledWorker``, cancellation, anything else) becomes that
    scenario's outcome. While waiting, the cluster's workers are counted every
    ``grace_s / 10``, at most 1 s apart; after ``grace_s`` without a worker (or an answer
    from the scheduler) the scenarios still waiting are cancelled and fail with exit
    code 2.

    Parameters
    ----------
    address : str
        A checked scheduler address (``tcp://HOST:PORT``).
    grace_s : float
        How long the cluster may have no workers [s].

    Returns
    -------
    list of BatchOutcome
        In the order of ``scenarios``.
    """
    from concurrent.futures import CancelledError

    client = connect_dask(address)
    import distributed  # importable: connect_dask checked it
    poll_s = min(1.0, max(0.05, grace_s / 10))
    try:
        batch = uuid.uuid4().hex[:12]  # two batches with the same names never share keys
        futures = [
            client.submit(
                runner, s, optimize, time_limit_s, pure=False,
                key=f"coolshift-{batch}-{i}-{s.name}",
            )
            for i, s in enumerate(scenarios)
        ]  # fmt: skip
        index = {f.key: i for i, f in enumerate(futures)}
        results: dict[int, BatchOutcome] = {}
        pending = set(futures)
        trouble_since: float | None = None  # since when no workers, or no answer
        trouble = ""
        ever_workers = False
        next_check = time.monotonic()
        while pending:
            try:
                distributed.wait(list(pending), timeout=poll_s, return_when="FIRST_COMPLETED")
            except (TimeoutError, CancelledError):  # cancelled ones are reported below
                pass
            for future in sorted((f for f in pending if f.done()), key=lambda f: index[f.key]):
                pending.discard(future)
                i = index[future.key]
                results[i] = _dask_outcome(future, scenarios[i].name, address)
                future.release()  # the cluster may forget the result now
                done(results[i])
            now = time.monotonic()
            if not pending or now < next_check:
                continue
            next_check = now + poll_s
            try:
                count = len(client.nthreads())
            except (OSError, TimeoutError) as exc:
                count = 0
                problem = (
                    f"the Dask scheduler at {address} does not answer ({exc}); is it still running?"
                )
            else:
                ever_workers = ever_workers or count > 0
                problem = (
                    f"the Dask cluster at {address} has no workers"
                    f"{' left' if ever_workers else ''} (waited {grace_s:g} s); start "
                    f"workers with `dask worker {address} --nthreads 1`"
                )
            if count:
                trouble_since = None
                continue
            if trouble_since is None:
                trouble_since = now
            trouble = problem
            if now - trouble_since < grace_s:
                continue
            try:
                client.cancel(list(pending))
            except (OSError, TimeoutError):
                pass
            for future in sorted(pending, key=lambda f: index[f.key]):
                i = index[future.key]
                results[i] = BatchOutcome(scenarios[i].name, error=trouble, exit_code=2)
                done(results[i])
            pending.clear()
        return [results[i] for i in range(len(scenarios))]
    finally:
        client.close()


def _dask_outcome(future, name: str, address: str) -> BatchOutcome:
    """The outcome of a finished Dask future of scenario ``name``: its result, or its
    failure (a dead worker, a lost scheduler at ``address``, a cancellation, an internal
    error) as an outcome."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as exc:
        tries = exc.allowed_failures + 1
        last = getattr(exc.last_worker, "address", exc.last_worker)
        who = "worker" if tries == 1 else f"{tries} workers in turn, the last"
        return BatchOutcome(
            name,
            error=(
                f"the Dask worker running scenario {name!r} died ({who} {last}; out of "
                "memory? a crash in native code? see the worker's log)"
            ),
            exit_code=1,
        )
    except CancelledError as exc:
        if "scheduler-connection-lost" in str(exc):
            return BatchOutcome(
                name,
                error=(
                    f"lost the connection to the Dask scheduler at {address} before "
                    f"scenario {name!r} finished; is the scheduler still running?"
                ),
                exit_code=2,
            )
        return BatchOutcome(
            name, error=f"the Dask cluster cancelled scenario {name!r} ({exc})", exit_code=1
        )
    except Exception as exc:
        return _internal_error(name, exc)
