"""Small shared pieces of the optimizer tests: exact solver options and an hour grid."""

from __future__ import annotations

import pandas as pd

from optimizer import SolverOptions

#: Solve to proven optimality (gap 0) on the tests' small instances.
EXACT = SolverOptions(rel_gap=0.0, time_limit_s=30)
#: First hour of every hand-made test instance (a China site's local time).
T0 = pd.Timestamp("2025-07-01T00:00", tz="Asia/Shanghai")


def hours(n: int) -> pd.DatetimeIndex:
    """``n`` hours from :data:`T0`."""
    return pd.date_range(T0, periods=n, freq="h")
