"""Tiny picklable tasks for tests of worker pools.

A spawn worker unpickles a task by importing the module that defines it; these live in a
module that imports only the standard library, so a worker starts in a fraction of a
second instead of importing a test module and the libraries it loads.
"""

from __future__ import annotations

import os


def square_and_pid(x: int) -> tuple[int, int]:
    """``(x * x, id of the process that computed it)``."""
    return x * x, os.getpid()
