"""Where a fleet's per-site tasks run: in turn, in local worker processes, or on Dask.

A fleet's work that decomposes by site (each site's inputs and thermal baseline, its
re-simulation, and the schedule when no job may leave home: :mod:`scenarios.fleet`,
:mod:`optimizer.fleet_solve`) runs as one task per site through a ``map_sites(function,
items)``. :func:`site_pool` gives one for the command line's ``--workers`` and
``--scheduler``: the built-in ``map`` (one process, the default), a process pool of
``--workers`` processes (started with "spawn": the command line runs a progress thread,
and forking a process with threads can deadlock), or a Dask client's ``map`` on the
cluster at ``--scheduler`` (workers started with ``dask worker ADDRESS --nthreads 1``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def site_pool(scheduler: str | None, workers: int | None, n_sites: int) -> Iterator[tuple]:
    """``(map_sites, workers)`` for ``n_sites`` sites; the pool is closed on exit.

    Parameters
    ----------
    scheduler : str, optional
        A checked Dask scheduler address (``tcp://HOST:PORT``).
    workers : int, optional
        Local worker processes (checked by :func:`scenarios.batch.check_workers`); None or
        1: in turn, in this process.

    Raises
    ------
    ScenarioError
        Dask not installed, or the scheduler cannot be reached (named, with how to
        start one).
    """
    if scheduler is not None:
        from scenarios.batch import connect_dask

        client = connect_dask(scheduler)
        try:
            n = max(len(client.scheduler_info().get("workers", {})), 1)

            def dask_map(function, items):
                return client.gather(client.map(function, list(items), pure=False))

            yield dask_map, n
        finally:
            client.close()
        return
    n = min(workers or 1, n_sites)
    if n <= 1:
        yield map, 1
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool.map, n
