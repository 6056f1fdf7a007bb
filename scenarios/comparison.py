"""Several runs side by side in one table: one currency per row, each run's period, and
cost and carbon per MWh of compute energy.

The Compare page and ``coolshift compare`` show what :func:`compare_runs` returns. Money
is never mixed: when the runs are priced in more than one currency, every money row is
either converted into one currency with stated exchange rates (:class:`ExchangeRate`, each
with its source and date) or split into one row per currency, a run's value standing only
in the row of its own currency.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from scenarios.errors import ScenarioError
from scenarios.explore.variants import COMPARE_KPIS
from scenarios.kpis import KPI_DEFINITIONS

#: The unit of money in :data:`~scenarios.kpis.KPI_DEFINITIONS` (each run's own currency).
MONEY = "currency"
#: Units of each currency in CNY: the central parity rates the China Foreign Exchange
#: Trade System published on the People's Bank of China's authority for 2024-12-31
#: (100 USD = 718.84 CNY, 100 EUR = 752.57 CNY). Other pairs are crossed through CNY.
REFERENCE_CNY_PER_UNIT = {"CNY": 1.0, "USD": 7.1884, "EUR": 7.5257}
#: ISO 4217's code for "no currency": the currency of a run whose files do not say.
NO_CURRENCY = "XXX"
REFERENCE_SOURCE = ("central parity rate of 2024-12-31, China Foreign Exchange Trade System "
                    "for the People's Bank of China")

#: Rows of a comparison that are not in ``kpis.json``: key -> (unit, definition,
#: standard), as :data:`~scenarios.kpis.KPI_DEFINITIONS`. Per-MWh rows divide by the
#: compute energy (IT energy without server fans: the work the racks did), so that liquid
#: cooling, which takes the fans out of IT energy, is not penalised for it (as TUE).
COMPARISON_DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "period": ("", "first and last day of the run, site local time", ""),
    "hours": ("h", "hours in the run", ""),
    "currency": ("", "the currency the run's prices are in", "ISO 4217"),
    "total_cost_per_compute_mwh": (
        f"{MONEY}/MWh",
        "total cost / compute energy (compute_energy_mwh: IT energy without server fans)",
        "",
    ),
    "carbon_location_kg_per_compute_mwh": (
        "kgCO2/MWh",
        "location-based carbon x 1,000 / compute energy",
        "GHG Protocol Scope 2, location-based",
    ),
    "carbon_market_kg_per_compute_mwh": (
        "kgCO2/MWh",
        "market-based carbon x 1,000 / compute energy",
        "GHG Protocol Scope 2, market-based",
    ),
}
#: Per-MWh rows, each after the total it divides.
_AFTER = {
    "carbon_market_t": ("carbon_location_kg_per_compute_mwh", "carbon_market_kg_per_compute_mwh"),
    "total_cost": ("total_cost_per_compute_mwh",),
}
#: The rows of a comparison, in order: the runs' periods, then :data:`COMPARE_KPIS` with
#: the per-MWh rows after the totals they divide.
ROWS: tuple[str, ...] = (
    "period", "hours", "currency",
    *(key for kpi in COMPARE_KPIS for key in (kpi, *_AFTER.get(kpi, ()))),
)
#: Per-MWh rows: key -> (numerator KPI, factor to the row's unit).
_PER_COMPUTE_MWH = {
    "total_cost_per_compute_mwh": ("total_cost", 1.0),
    "carbon_location_kg_per_compute_mwh": ("carbon_location_t", 1000.0),  # t -> kg
    "carbon_market_kg_per_compute_mwh": ("carbon_market_t", 1000.0),
}


@dataclass(frozen=True)
class ExchangeRate:
    """``1 base = quote_per_base quote``, and where that number comes from.

    Attributes
    ----------
    base, quote : str
        ISO 4217 codes (``"USD"``, ``"CNY"``).
    quote_per_base : float
        Units of ``quote`` per unit of ``base`` [quote/base].
    source : str
        Who published it and for which date, or "entered by the user".
    """

    base: str
    quote: str
    quote_per_base: float
    source: str

    def __post_init__(self):
        if self.base == self.quote:
            raise ScenarioError(f"an exchange rate needs two currencies, got {self.base} twice")
        if not (isinstance(self.quote_per_base, (int, float))
                and not isinstance(self.quote_per_base, bool)
                and math.isfinite(self.quote_per_base) and self.quote_per_base > 0):
            raise ScenarioError(
                f"exchange rate 1 {self.base} = {self.quote_per_base!r} {self.quote}: give a "
                f"positive number of {self.quote} per {self.base}"
            )

    def text(self) -> str:
        """``1 USD = 7.1884 CNY (source)``."""
        return f"1 {self.base} = {self.quote_per_base:.6g} {self.quote} ({self.source})"

    def factor(self, from_currency: str, to_currency: str) -> float | None:
        """What one unit of ``from_currency`` is in ``to_currency``; None when this rate is
        not between those two."""
        if (from_currency, to_currency) == (self.base, self.quote):
            return self.quote_per_base
        if (from_currency, to_currency) == (self.quote, self.base):
            return 1.0 / self.quote_per_base
        return None


def rate_pair(a: str, b: str) -> tuple[str, str]:
    """(base, quote) in which a rate between currencies ``a`` and ``b`` is written: the
    one worth more per unit first when both have a reference rate (``1 USD = x CNY``),
    else ``a`` first."""
    ref = REFERENCE_CNY_PER_UNIT
    if a in ref and b in ref and ref[b] > ref[a]:
        return b, a
    return a, b


def reference_rate(a: str, b: str) -> ExchangeRate | None:
    """The reference rate between ``a`` and ``b`` (:data:`REFERENCE_CNY_PER_UNIT`,
    written as :func:`rate_pair` orders them); None for a currency it does not have."""
    ref = REFERENCE_CNY_PER_UNIT
    if a == b or a not in ref or b not in ref:
        return None
    base, quote = rate_pair(a, b)
    crossed = "CNY" not in (base, quote)
    source = ("crossed through CNY, " if crossed else "") + REFERENCE_SOURCE
    return ExchangeRate(base, quote, round(ref[base] / ref[quote], 6), source)


@dataclass(frozen=True)
class RunFacts:
    """What a comparison needs of one run.

    Attributes
    ----------
    label : str
        The run's column heading.
    kpis : Mapping
        Its KPIs (``RunResult.kpis`` or ``kpis.json["kpis"]``).
    currency : str
        The currency its prices and money KPIs are in.
    hours : int or None
        Hours in the run [h] (None: not known).
    start, end : datetime or None
        Its first and last hour (site local time; None: not known).
    """

    label: str
    kpis: Mapping
    currency: str
    hours: int | None
    start: datetime | None
    end: datetime | None


def facts_from_document(label: str, document: Mapping) -> RunFacts:
    """:class:`RunFacts` of a run directory's ``kpis.json`` (a site's or a fleet's).

    Only ``kpis`` is required (the store checks its shape); a period that cannot be read
    is shown as missing, and a run without a currency is priced in ``XXX`` (ISO 4217:
    no currency stated), so its money is never taken for another currency's.
    """
    period = document.get("period")
    period = period if isinstance(period, Mapping) else {}

    def moment(key: str) -> datetime | None:
        try:
            return datetime.fromisoformat(str(period[key]))
        except (KeyError, TypeError, ValueError):
            return None

    hours = period.get("hours")
    currency = document.get("currency")
    return RunFacts(
        label,
        document["kpis"],
        currency.strip() if isinstance(currency, str) and currency.strip() else NO_CURRENCY,
        hours if isinstance(hours, int) and not isinstance(hours, bool) else None,
        moment("start"),
        moment("end"),
    )


@dataclass(frozen=True)
class Row:
    """One row: a key of :data:`ROWS`, its unit as shown, a value per run.

    Attributes
    ----------
    key : str
        A key of :data:`~scenarios.kpis.KPI_DEFINITIONS` or :data:`COMPARISON_DEFINITIONS`.
    unit : str
        Its unit, money as a currency code (``"CNY"``, ``"CNY/MWh"``); "" for none.
    values : tuple
        One per run, in the comparison's order; None where the run has no value, or, in
        a money row, where the run's money is in another row's currency.
    currency : str or None
        The one currency of every value of a money row; None for other rows.
    """

    key: str
    unit: str
    values: tuple
    currency: str | None = None


@dataclass(frozen=True)
class Comparison:
    """The runs side by side (see :func:`compare_runs`).

    Attributes
    ----------
    labels : tuple of str
        The runs, in order.
    currencies : tuple of str
        Each run's own currency.
    rows : tuple of Row
        In :data:`ROWS` order; a money row once per currency when not converted.
    currency : str or None
        The one currency of every money row, or None when they are split per currency.
    rates : tuple of ExchangeRate
        The rates money was converted with (empty when nothing was converted).
    notes : tuple of str
        Plain sentences to print under the table (money split or converted, periods of
        different lengths).
    """

    labels: tuple[str, ...]
    currencies: tuple[str, ...]
    rows: tuple[Row, ...]
    currency: str | None
    rates: tuple[ExchangeRate, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def row(self, key: str, currency: str | None = None) -> Row:
        """The row of ``key`` (of its money in ``currency`` when split)."""
        for row in self.rows:
            if row.key == key and (currency is None or row.currency == currency):
                return row
        raise KeyError(key if currency is None else f"{key} in {currency}")


def definition(key: str) -> tuple[str, str, str]:
    """(unit, definition, standard) of a row key."""
    return COMPARISON_DEFINITIONS.get(key) or KPI_DEFINITIONS[key]


def _value(run: RunFacts, key: str):
    if key == "period":
        if run.start is None or run.end is None:
            return None
        return f"{run.start.date().isoformat()} – {run.end.date().isoformat()}"
    if key == "hours":
        return run.hours
    if key == "currency":
        return run.currency
    if key in _PER_COMPUTE_MWH:
        numerator, factor = _PER_COMPUTE_MWH[key]
        total, compute_mwh = run.kpis.get(numerator), run.kpis.get("compute_energy_mwh")
        if total is None or not compute_mwh or compute_mwh <= 0:
            return None
        return float(total) * factor / float(compute_mwh)
    return run.kpis.get(key)


def _factors(currencies: Sequence[str], target: str,
             rates: Sequence[ExchangeRate]) -> tuple[dict[str, float], list[ExchangeRate]]:
    """Each run currency -> its factor into ``target``, and the rates used."""
    factors, used = {target: 1.0}, []
    for code in dict.fromkeys(currencies):
        if code == target:
            continue
        rate = next((r for r in rates if r.factor(code, target) is not None), None)
        if rate is None:
            base, quote = rate_pair(code, target)
            raise ScenarioError(
                f"no exchange rate between {code} and {target}: give one (1 {base} = x "
                f"{quote}), or leave money unconverted (each currency apart)"
            )
        factors[code] = rate.factor(code, target)
        used.append(rate)
    return factors, used


def compare_runs(
    runs: Sequence[RunFacts],
    currency: str | None = None,
    rates: Sequence[ExchangeRate] = (),
    keys: Sequence[str] = ROWS,
) -> Comparison:
    """Runs side by side, one currency in each money row.

    Parameters
    ----------
    runs : sequence of RunFacts
        The runs, in column order; labels unique.
    currency : str, optional
        Convert all money into this currency with ``rates``. Without it, money of runs
        in one currency stays in it, and money of runs in several currencies is split
        into one row per currency (in the order the runs first use them).
    rates : sequence of ExchangeRate
        One rate between ``currency`` and each other currency of the runs.
    keys : sequence of str
        Rows, keys of :data:`ROWS` (KPI keys or :data:`COMPARISON_DEFINITIONS`).

    Returns
    -------
    Comparison

    Raises
    ------
    ScenarioError
        No runs, two runs with one label, an unknown key, or ``currency`` without a rate
        for one of the runs' currencies.
    """
    if not runs:
        raise ScenarioError("nothing to compare: choose at least one run")
    labels = tuple(run.label for run in runs)
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise ScenarioError(f"runs to compare need distinct labels; {', '.join(twice)} twice")
    unknown = [k for k in keys if k not in COMPARISON_DEFINITIONS and k not in KPI_DEFINITIONS]
    if unknown:
        raise ScenarioError(f"unknown comparison rows {', '.join(unknown)}; use keys of ROWS")
    own = tuple(str(run.currency).upper() for run in runs)
    kinds = tuple(dict.fromkeys(own))
    notes, used = [], []
    if currency is not None:
        currency = currency.upper()
        factors, used = _factors(own, currency, rates)
        groups = [(currency, [factors[c] for c in own])]
        if used:
            notes.append(f"Money converted into {currency} at "
                         + "; ".join(rate.text() for rate in used) + ".")
    elif len(kinds) == 1:
        groups = [(kinds[0], [1.0] * len(runs))]
    else:
        groups = [(code, [1.0 if c == code else None for c in own]) for code in kinds]
        notes.append(
            f"The runs are priced in {' and '.join(kinds)}: money is not converted; each "
            "cost shows only under its own run's currency."
        )
    rows = []
    for key in keys:
        unit = definition(key)[0]
        values = [_value(run, key) for run in runs]
        if unit != MONEY and not unit.startswith(MONEY + "/"):
            rows.append(Row(key, unit, tuple(values)))
            continue
        for code, factors in groups:
            converted = tuple(
                None if f is None or v is None else float(v) * f
                for v, f in zip(values, factors, strict=True)
            )
            rows.append(Row(key, unit.replace(MONEY, code, 1), converted, code))
    hours = sorted({run.hours for run in runs if run.hours is not None})
    if len(hours) > 1:
        notes.append(
            f"The runs cover different numbers of hours ({', '.join(f'{h:,d}' for h in hours)} "
            "h): compare ratios (PUE, WUE, CUE) and values per MWh rather than totals."
        )
    return Comparison(labels, own, tuple(rows), currency if currency else (
        kinds[0] if len(kinds) == 1 else None), tuple(used), tuple(notes))
