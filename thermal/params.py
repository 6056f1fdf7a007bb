"""Default constants with their units and sources, and overriding them.

Each module keeps its defaults in one frozen dataclass whose fields are declared with
:func:`param`, so the value, its unit and where it comes from sit on one line and can be
listed in reports (:func:`describe`) or replaced by a scenario (:func:`override`).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Mapping
from typing import Any

from thermal.errors import ThermalInputError

#: Largest magnitude of an overridden number: every physics default is a share, a
#: temperature [°C], a pressure [Pa], a power [kW] or an efficiency, all far below it;
#: beyond it the physics overflows instead of failing with a named error.
MAX_OVERRIDE = 1e9
#: Bounds an override must keep when its declaration gives none, by the convention of
#: the names: whole-number parameters count equipment (``chiller.units``: 0 divides by
#: zero, 10^8 loops for hours); efficiencies are shares of 1 above 0 (0 divides by zero);
#: ``*_frac``, ``*_fraction`` and ``*_share`` are shares of 1.
MAX_COUNT = 1_000


def param(
    default: Any, unit: str, source: str, low: float | None = None, high: float | None = None
) -> Any:
    """Declare a default constant: ``x: float = param(0.96, "-", "where it comes from")``.

    ``low`` and ``high`` bound what an override may set (inclusive); without them the
    bounds follow the name (see :data:`MAX_COUNT` and :func:`bounds_of`).
    """
    metadata = {"unit": unit, "source": source, "low": low, "high": high}
    return dataclasses.field(default=default, metadata=metadata)


def bounds_of(name: str, default: Any, metadata: Mapping[str, Any]) -> tuple[float, float, bool]:
    """The bounds an override of parameter ``name`` must keep: (low, high, low_open).

    Declared bounds first; else by convention: counts (whole-number defaults)
    1..:data:`MAX_COUNT`, efficiencies 0 (excluded)..1, shares (``*_frac``,
    ``*_fraction``, ``*_share``) 0..1, anything else within +-:data:`MAX_OVERRIDE`.
    """
    low, high = metadata.get("low"), metadata.get("high")
    if low is not None or high is not None:
        return (-MAX_OVERRIDE if low is None else low), (MAX_OVERRIDE if high is None else high), False
    if isinstance(default, int) and not isinstance(default, bool):
        return 1, MAX_COUNT, False
    if name.endswith(("efficiency", "effectiveness")):
        return 0.0, 1.0, True
    if name.endswith(("_frac", "_fraction", "_share")):
        return 0.0, 1.0, False
    for suffixes, bounds in PHYSICAL_BOUNDS:
        if name.endswith(suffixes):
            return bounds
    return -MAX_OVERRIDE, MAX_OVERRIDE, False


#: Bounds by the unit a name ends in: what keeps every quantity physical (a temperature
#: rise of 0 divides by zero, a negative pressure makes energy from nothing).
#: (suffixes, (low, high, low excluded)).
PHYSICAL_BOUNDS: tuple[tuple[tuple[str, ...], tuple[float, float, bool]], ...] = (
    (("_delta_t_k", "_range_k"), (0.0, 50.0, True)),  # a fluid must warm to carry heat
    (("_approach_k", "_margin_k"), (0.0, 50.0, False)),  # no exchanger beats its inlet
    (("_pa",), (0.0, 5e6, False)),  # pressures [Pa]: none negative, 50 bar at most
    (("airflow_margin",), (1.0, 10.0, False)),  # installed airflow at least the design's
    (("sizing_factor",), (0.1, 10.0, False)),
    (("_kw_per_kw",), (0.0, 1.0, False)),  # auxiliary power per kW of heat
    (("_per_k",), (0.0, 1.0, False)),
    (("_max_rack_kw",), (1.0, 500.0, False)),
    (("_pct",), (0.0, 100.0, False)),
    (("_c",), (-60.0, 100.0, False)),  # set points and design temperatures [°C]
)


def describe(obj: Any, prefix: str = "") -> list[dict[str, Any]]:
    """Every parameter of a (possibly nested) params dataclass as rows for a table.

    Returns
    -------
    list of dict
        ``name`` (dotted path), ``value``, ``unit``, ``source``.
    """
    rows: list[dict[str, Any]] = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        name = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            rows.extend(describe(value, prefix=f"{name}."))
        else:
            rows.append(
                {
                    "name": name,
                    "value": value,
                    "unit": f.metadata.get("unit", ""),
                    "source": f.metadata.get("source", ""),
                }
            )
    return rows


def override(obj: Any, changes: Mapping[str, Any], where: str = "parameters") -> Any:
    """A copy of a params dataclass with some values replaced.

    Nested groups are given as nested mappings (``{"plant": {"chw_supply_c": 12}}``) or
    dotted keys (``{"plant.chw_supply_c": 12}``).

    Raises
    ------
    ThermalInputError
        For an unknown name (the nearest valid names are suggested) or a value of the
        wrong kind.
    """
    nested: dict[str, Any] = {}
    for key, value in changes.items():
        head, _, rest = key.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        elif isinstance(value, Mapping) and head in nested:
            nested[head].update(value)
        else:
            nested[head] = value
    fields = {f.name: f for f in dataclasses.fields(obj)}
    updates: dict[str, Any] = {}
    for key, value in nested.items():
        if key not in fields:
            near = difflib.get_close_matches(key, list(fields), n=3)
            hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
            raise ThermalInputError(
                f"unknown {where} key {_shown(key)}{hint} Valid keys: {', '.join(sorted(fields))}"
            )
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, Mapping):
                raise ThermalInputError(f"{where}.{key} is a group: give a table of its keys")
            updates[key] = override(current, value, where=f"{where}.{key}")
        else:
            name = f"{where}.{key}"
            updates[key] = _coerce(value, current, name)
            if current is None or (isinstance(current, (int, float)) and not isinstance(current, bool)):
                default = 0.0 if current is None else current  # None: an optional number
                _check_bounds(updates[key], bounds_of(key, default, fields[key].metadata), name)
    return dataclasses.replace(obj, **updates)


def _check_bounds(value: float, bounds: tuple[float, float, bool], name: str) -> None:
    low, high, low_open = bounds
    if value < low or value > high or (low_open and value == low):
        low_text = f"{low:,g} < " if low_open else f"{low:,g} <= "
        raise ThermalInputError(f"{name} = {value:g} is outside {low_text}value <= {high:,g}")


def _shown(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _coerce(value: Any, current: Any, name: str) -> Any:
    """Check that an override has the kind of the default (numbers stay finite numbers).

    A default of None is an optional number (derived unless given): the override must be
    a number and becomes a float.
    """
    if current is None:
        return _coerce(value, 0.0, name)
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ThermalInputError(f"{name} must be true or false, got {_shown(value)}")
        return value
    if isinstance(current, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ThermalInputError(f"{name} must be a number, got {_shown(value)}")
        if isinstance(value, float) and not math.isfinite(value):  # TOML's nan and inf
            raise ThermalInputError(f"{name} must be a finite number, got {value!r}")
        if isinstance(current, int) and isinstance(value, float):
            if not value.is_integer():
                raise ThermalInputError(f"{name} must be a whole number, got {value!r}")
            value = int(value)
        return type(current)(value) if isinstance(current, float) else value
    if isinstance(current, str) and not isinstance(value, str):
        raise ThermalInputError(f"{name} must be text, got {_shown(value)}")
    if isinstance(value, str) and (len(value) > 100 or not value.isprintable()):
        raise ThermalInputError(
            f"{name} must be printable text of up to 100 characters, got {_shown(value)}"
        )
    return value
