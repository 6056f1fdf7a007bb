"""A real dask.distributed cluster on loopback for tests: ``dask scheduler`` and
``dask worker --no-nanny`` processes on 127.0.0.1, stopped workers first."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dask_cluster(workers: int, logs: Path, **config: str):
    """A scheduler and ``workers`` single-thread workers without nannies on 127.0.0.1;
    yields the scheduler address. ``config``: scheduler settings, as
    ``DASK_DISTRIBUTED__SCHEDULER__<KEY>`` environment variables."""
    distributed = pytest.importorskip("distributed")
    dask = Path(sys.executable).with_name("dask")
    if not dask.exists():
        pytest.skip("the dask command is not installed next to this Python")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(REPO_DIR))  # workers unpickle batch_fakes
    env.update({f"DASK_DISTRIBUTED__SCHEDULER__{k.upper()}": v for k, v in config.items()})
    procs = [
        subprocess.Popen(
            [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=open(logs / "scheduler.log", "w"), stderr=subprocess.STDOUT, env=env,
            cwd=REPO_DIR,
        )
    ]  # fmt: skip
    procs += [
        subprocess.Popen(
            [str(dask), "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
             "--no-nanny", "--no-dashboard", "--name", f"w{i}",
             "--local-directory", str(logs / f"w{i}")],
            stdout=open(logs / f"worker{i}.log", "w"), stderr=subprocess.STDOUT, env=env,
            cwd=REPO_DIR,
        )
        for i in range(workers)
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with distributed.Client(address, timeout="2s") as client:
                    if len(client.nthreads()) == workers:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the dask cluster did not start; logs in {logs}")
            time.sleep(0.2)
        yield address
    finally:  # workers first: one closing while the scheduler closes can hang for long
        for group in (procs[1:], procs[:1]):
            for p in group:
                p.terminate()
            for p in group:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
