"""Many scenarios at once: a pure ``run_scenario`` mapped over them.

Local worker processes by default; an existing Dask cluster when given its scheduler
address (``tcp://host:port``). Each worker runs one single-threaded HiGHS at a time
(several HiGHS instances on threads of one process are known to crash). Workers return
results; the caller writes the run directories, so no shared file system is needed.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from scenarios.errors import ScenarioError, expected_errors
from scenarios.run import RunResult, run_scenario
from scenarios.schema import Scenario


@dataclass
class BatchOutcome:
    """What one scenario of a batch came to: a result, or an error with its exit code."""

    name: str
    result: RunResult | None = None
    error: str | None = None
    exit_code: int = 0


def run_one(
    scenario: Scenario, optimize: bool = True, time_limit_s: float | None = None
) -> BatchOutcome:
    """Run one scenario and turn expected failures into an outcome (runs in a worker)."""
    codes = expected_errors()
    try:
        return BatchOutcome(scenario.name, result=run_scenario(scenario, optimize, time_limit_s))
    except tuple(codes) as exc:
        code = next(c for cls, c in codes.items() if isinstance(exc, cls))
        return BatchOutcome(scenario.name, error=str(exc), exit_code=code)
    except Exception as exc:  # a bug: keep the traceback for --debug
        return BatchOutcome(
            scenario.name,
            error=f"internal error: {type(exc).__name__}: {exc}\n{traceback.format_exc()}",
            exit_code=1,
        )


def run_batch(
    scenarios: Sequence[Scenario],
    optimize: bool = True,
    time_limit_s: float | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    on_done: Callable[[BatchOutcome], None] | None = None,
) -> list[BatchOutcome]:
    """Run scenarios in parallel; outcomes in the input order.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler; local processes when None.
    workers : int, optional
        Local worker processes (default: CPU count, at most the number of scenarios).
    on_done : callable, optional
        Called with each outcome as it finishes (progress bars).
    """
    done = on_done or (lambda outcome: None)
    if not scenarios:
        return []
    if scheduler:
        return _run_dask(scenarios, optimize, time_limit_s, scheduler, done)
    n = min(workers or os.cpu_count() or 1, len(scenarios))
    if n == 1:
        out = []
        for s in scenarios:
            outcome = run_one(s, optimize, time_limit_s)
            done(outcome)
            out.append(outcome)
        return out
    results: dict[int, BatchOutcome] = {}
    with ProcessPoolExecutor(max_workers=n) as pool:
        futures = {
            pool.submit(run_one, s, optimize, time_limit_s): i for i, s in enumerate(scenarios)
        }
        for future in as_completed(futures):
            outcome = future.result()
            results[futures[future]] = outcome
            done(outcome)
    return [results[i] for i in range(len(scenarios))]


def _run_dask(scenarios, optimize, time_limit_s, address: str, done) -> list[BatchOutcome]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise ScenarioError(
            "--scheduler needs dask.distributed: pip install 'coolshift[dask]'"
        ) from None
    try:
        client = Client(address, timeout="10s")
    except OSError as exc:
        raise ScenarioError(
            f"cannot reach the Dask scheduler at {address} ({exc}); start one with "
            "`dask scheduler` and workers with `dask worker ADDRESS --nthreads 1`"
        ) from None
    try:
        futures = [
            client.submit(
                run_one, s, optimize, time_limit_s, pure=False, key=f"coolshift-{i}-{s.name}"
            )
            for i, s in enumerate(scenarios)
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        results: dict[int, BatchOutcome] = {}
        for future in dask_completed(futures):
            outcome = future.result()
            results[index[future.key]] = outcome
            done(outcome)
        return [results[i] for i in range(len(scenarios))]
    finally:
        client.close()
