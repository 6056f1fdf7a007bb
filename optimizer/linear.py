"""Vectorised construction of a Pyomo model, and its hand-off to HiGHS.

Each constraint family computes its coefficients as sparse triplets with numpy, then
calls :func:`add_rows`, which (1) creates the named, indexed Pyomo ``Constraint`` from
those triplets with ``LinearExpression`` bodies (no operator overloading, no
``quicksum``), and (2) records the same triplets on the model. :func:`to_highs` then
passes the recorded matrix to highspy in one call instead of re-deriving it from the
Pyomo expressions constraint by constraint, which is what makes the model cheap to
load (docs/optimizer.md gives the measurement). ``tests/component`` checks that the
recorded matrix is exactly the one Pyomo's own standard-form compiler derives from the
Pyomo components, and that Pyomo's ``SolverFactory('highs')`` gives the same optimum.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

INF = float("inf")


def _silence_highs_banner() -> None:
    """Make this process's first ``highspy.Highs`` with standard output pointed at the null
    device.

    HiGHS 1.16 prints its banner ("Running HiGHS ...") on the C-level standard output when
    a process makes its first ``Highs`` object, before any option can be set (HiGHS issues
    #1702, #2749); it would land in a CLI's stdout, in the middle of JSON or a pipe. Later
    objects print nothing, so one silent first object is enough.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no usable stdout (closed, or not a file)
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_silence_highs_banner()


@dataclass
class LinearRecord:
    """The model's columns and rows as arrays, in the order they were added (data only)."""

    variables: list = field(default_factory=list)  # VarData in column order
    col_lower: list = field(default_factory=list)
    col_upper: list = field(default_factory=list)
    col_integer: list = field(default_factory=list)
    row_blocks: list = field(default_factory=list)  # (name, csr, lb, ub, keys)
    obj_cols: list = field(default_factory=list)
    obj_coefs: list = field(default_factory=list)
    obj_constant: float = 0.0
    families: dict = field(default_factory=dict)  # name -> column index array

    @property
    def n_cols(self) -> int:
        return len(self.variables)

    @property
    def n_rows(self) -> int:
        return sum(block[1].shape[0] for block in self.row_blocks)

    @property
    def nnz(self) -> int:
        return sum(block[1].nnz for block in self.row_blocks)

    def row_offset(self, name: str) -> int:
        """First row number of the family ``name`` in the recorded matrix."""
        offset = 0
        for block in self.row_blocks:
            if block[0] == name:
                return offset
            offset += block[1].shape[0]
        raise KeyError(name)


def new_model(name: str = "coolshift_schedule") -> pyo.ConcreteModel:
    """An empty Pyomo model with a :class:`LinearRecord` attached as ``model.record``."""
    model = pyo.ConcreteModel(name=name)
    model.record = LinearRecord()
    return model


def add_columns(model, name: str, keys: list, lower, upper, integer: bool) -> np.ndarray:
    """Add an indexed Pyomo ``Var`` named ``name`` and return its column numbers.

    Parameters
    ----------
    keys : list
        Index of each variable (tuples for multi-dimensional indices).
    lower, upper : float or array
        Bounds (``inf`` / ``-inf`` for none).
    integer : bool
        Integer variables (binary when bounds are 0 and 1).
    """
    rec: LinearRecord = model.record
    n = len(keys)
    lower = np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy()
    upper = np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy()
    binary = integer and n and (lower == 0).all() and ((upper == 1) | (upper == 0)).all()
    if binary:
        var = pyo.Var(keys, domain=pyo.Binary, dense=True)
    elif integer:
        var = pyo.Var(keys, domain=pyo.Integers, dense=True)
    else:
        var = pyo.Var(keys, domain=pyo.Reals, dense=True)
    model.add_component(name, var)
    data = list(var.values())
    if binary:
        for i in np.flatnonzero(upper == 0):  # binaries fixed to 0
            data[i].setub(0)
    else:
        uniform_lb, uniform_ub = n and (lower == lower[0]).all(), n and (upper == upper[0]).all()
        for i, v in enumerate(data):
            lb = lower[0] if uniform_lb else lower[i]
            ub = upper[0] if uniform_ub else upper[i]
            v.setlb(None if lb == -INF else float(lb))
            v.setub(None if ub == INF else float(ub))
    start = rec.n_cols
    rec.variables.extend(data)
    rec.col_lower.append(lower)
    rec.col_upper.append(upper)
    rec.col_integer.append(np.full(n, bool(integer)))
    cols = np.arange(start, start + n, dtype=np.int64)
    rec.families[name] = cols
    return cols


def add_rows(model, name: str, keys: list, rows, cols, coefs, lower, upper) -> None:
    """Add the indexed Pyomo ``Constraint`` ``name``: lower <= A x <= upper.

    Parameters
    ----------
    keys : list
        Index of each row.
    rows, cols, coefs : array
        Sparse triplets of A (duplicates are summed); ``rows`` index ``keys``.
    lower, upper : float or array
        Row bounds (``-inf`` / ``inf`` for none).
    """
    rec: LinearRecord = model.record
    n = len(keys)
    if n == 0:
        return
    matrix = sp.csr_matrix(
        (np.asarray(coefs, dtype=float), (np.asarray(rows), np.asarray(cols))),
        shape=(n, max(rec.n_cols, 1)),
    )
    matrix.sum_duplicates()
    lower = np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy()
    upper = np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy()
    terms = _shared_terms(rec.variables, matrix.indices, matrix.data).tolist()
    indptr = matrix.indptr.tolist()
    bodies = {}
    for i, key in enumerate(keys):
        body = LinearExpression(args=terms[indptr[i] : indptr[i + 1]])
        lb = None if lower[i] == -INF else float(lower[i])
        ub = None if upper[i] == INF else float(upper[i])
        bodies[key] = (lb, body, ub)
    model.add_component(name, pyo.Constraint(keys, rule=lambda m, *k: bodies[k[0] if len(k) == 1 else k]))
    rec.row_blocks.append((name, matrix, lower, upper, keys))


def _shared_terms(variables: list, cols: np.ndarray, coefs: np.ndarray) -> np.ndarray:
    """One Pyomo term per nonzero: the variable itself for coefficient 1, else a
    ``MonomialTermExpression``, created once per distinct (variable, coefficient).

    Pyomo expressions are immutable trees, so one term object may appear in many
    constraint bodies. In the pulse form a start variable appears with the job's power
    in every hour the job covers; sharing the term cut model build on 1000 jobs x 720 h
    from 2.4 s to ~1 s (docs/optimizer.md; the paused collector, ``build_model``, halves
    what is left).
    """
    out = np.empty(len(cols), dtype=object)
    if not len(cols):
        return out
    unique_cols, inverse = np.unique(cols, return_inverse=True)
    low = np.full(len(unique_cols), INF)
    high = np.full(len(unique_cols), -INF)
    np.minimum.at(low, inverse, coefs)
    np.maximum.at(high, inverse, coefs)
    if np.array_equal(low, high):  # one coefficient per variable (every family here)
        unique_coefs = low
    else:
        order = np.lexsort((coefs, cols))
        new = np.ones(len(cols), dtype=bool)
        new[1:] = (np.diff(cols[order]) != 0) | (np.diff(coefs[order]) != 0)
        inverse = np.empty(len(cols), dtype=np.int64)
        inverse[order] = np.cumsum(new) - 1
        unique_cols, unique_coefs = cols[order][new], coefs[order][new]
    made = np.empty(len(unique_cols), dtype=object)
    made[:] = [variables[c] if v == 1.0 else MonomialTermExpression((v, variables[c]))
               for c, v in zip(unique_cols.tolist(), unique_coefs.tolist(), strict=True)]
    out[:] = made[inverse]
    return out


def set_objective(model, cols, coefs, constant: float = 0.0, name: str = "objective") -> None:
    """Minimise sum(coefs * x[cols]) + constant (Pyomo ``Objective`` ``name``)."""
    rec: LinearRecord = model.record
    cols = np.asarray(cols, dtype=np.int64)
    coefs = np.asarray(coefs, dtype=float)
    total = np.bincount(cols, weights=coefs, minlength=rec.n_cols)
    nz = np.flatnonzero(total)
    rec.obj_cols, rec.obj_coefs, rec.obj_constant = nz, total[nz], float(constant)
    body = LinearExpression(
        linear_coefs=total[nz].tolist(),
        linear_vars=[rec.variables[c] for c in nz],
        constant=float(constant),
    )
    if hasattr(model, name):
        model.del_component(name)
    model.add_component(name, pyo.Objective(expr=body, sense=pyo.minimize))


def objective_vector(model) -> np.ndarray:
    """The objective's cost per column."""
    rec: LinearRecord = model.record
    cost = np.zeros(rec.n_cols)
    cost[rec.obj_cols] = rec.obj_coefs
    return cost


def _full_width(matrix: sp.csr_matrix, n_cols: int) -> sp.csr_matrix:
    """A recorded row block widened to ``n_cols`` columns (a block only spans the
    columns that existed when it was added)."""
    matrix = matrix.copy()
    matrix.resize((matrix.shape[0], n_cols))
    return matrix


def stacked_matrix(model) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """All recorded rows as one CSR matrix with their lower and upper bounds."""
    rec: LinearRecord = model.record
    n = rec.n_cols
    blocks = [_full_width(matrix, n) for _, matrix, _, _, _ in rec.row_blocks]
    if not blocks:
        return sp.csr_matrix((0, n)), np.zeros(0), np.zeros(0)
    a = sp.vstack(blocks, format="csr")
    lower = np.concatenate([b[2] for b in rec.row_blocks])
    upper = np.concatenate([b[3] for b in rec.row_blocks])
    return a, lower, upper


def violated_rows(model, x: np.ndarray, rtol: float = 1e-6) -> list[tuple[str, object, float]]:
    """Rows and column bounds that the column vector ``x`` breaks.

    A check independent of any solver: every heuristic schedule is put through it
    before it can become a MIP start or the returned schedule.

    Parameters
    ----------
    x : array
        One value per column.
    rtol : float
        Tolerance relative to max(1, |bound|) [-].

    Returns
    -------
    list of (str, key, float)
        Family name, row key (column index for bounds) and the violation, largest first.
    """
    rec: LinearRecord = model.record
    out = []
    for name, matrix, lower, upper, keys in rec.row_blocks:
        act = _full_width(matrix, len(x)) @ x
        over = np.maximum(lower - act, act - upper)
        scale = np.maximum(np.abs(np.where(np.isfinite(lower), lower, 0.0)),
                           np.abs(np.where(np.isfinite(upper), upper, 0.0)))
        tol = rtol * np.maximum(1.0, scale)
        for i in np.flatnonzero(over > tol):
            out.append((name, keys[i], float(over[i])))
    if rec.col_lower:
        lo, hi = np.concatenate(rec.col_lower), np.concatenate(rec.col_upper)
        integer = np.concatenate(rec.col_integer)
        off = np.maximum(lo - x, x - hi)
        off = np.maximum(off, np.where(integer, np.abs(x - np.round(x)), 0.0))
        for c in np.flatnonzero(off > rtol * np.maximum(1.0, np.abs(x))):
            out.append(("column bounds", int(c), float(off[c])))
    return sorted(out, key=lambda item: -item[2])


def to_highs(model, cost: np.ndarray | None = None) -> highspy.Highs:
    """Load the recorded model into a new, silent ``highspy.Highs`` in one call.

    Uses highspy's array form of ``passModel`` (numpy buffers read in place): filling a
    ``HighsLp`` field by field converted every array element by element and took
    4x as long (0.12 s -> 0.03 s on 1000 jobs x 720 h; ``bench/README.md``).
    """
    rec: LinearRecord = model.record
    a, lower, upper = stacked_matrix(model)
    integer = np.concatenate(rec.col_integer) if rec.col_integer else np.zeros(0, dtype=bool)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    status = h.passModel(
        rec.n_cols, a.shape[0], a.nnz, int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize), float(rec.obj_constant),
        np.ascontiguousarray(objective_vector(model) if cost is None else cost, dtype=float),
        np.concatenate(rec.col_lower) if rec.col_lower else np.zeros(0),
        np.concatenate(rec.col_upper) if rec.col_upper else np.zeros(0),
        lower, upper,
        a.indptr[:-1].astype(np.int32), a.indices.astype(np.int32), a.data,
        integer.astype(np.int32),  # HighsVarType: 0 continuous, 1 integer
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS refused the model (passModel returned an error)")
    return h


def load_values(model, values: np.ndarray) -> None:
    """Write a column vector into the Pyomo variables' values."""
    for v, x in zip(model.record.variables, values.tolist(), strict=True):
        v.set_value(x, skip_validation=True)
