"""The scenario: frozen pydantic models of a scenario file (loaded by :mod:`scenarios.loading`)."""

from __future__ import annotations

import functools
import itertools
import re
import zoneinfo
from datetime import datetime
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: The ASHRAE liquid cooling classes a pod's ``water_class`` is chosen from, named by
#: their maximum facility water supply [°C] (ASHRAE TC 9.9, Thermal Guidelines for Data
#: Processing Environments, 5th ed. 2021; reference/physics.md). The physics accepts any
#: W17..W45 (thermal.facility.parse_water_class); W+ (above 45 °C) is not modelled.
WATER_CLASSES = ("W17", "W27", "W32", "W40", "W45")

# Bounds of the scenario's numbers. A value outside them is a typo or a unit mistake
# (kW for W, per MWh for per kWh), never a plan; each is refused with its valid range
# (scenarios.loading.explain_validation_error) before any computation. No number may be
# NaN or infinite (TOML allows ``nan`` and ``inf``): see ``_Model``.

#: Longest name of a site or pod, or target label [characters]: names are shown in
#: table headers, charts and messages.
MAX_NAME_CHARS = 200
#: Longest scenario name [characters]: a sweep names each variant NAME[key=value,...]
#: (checked by this schema too), so the scenario's own name needs room to grow.
MAX_SCENARIO_NAME_CHARS = 1_000
#: Longest note or assumption [characters]: each is one table cell in the PDF report,
#: which cannot split a cell across pages (~15,000 characters do not fit a page).
MAX_NOTE_CHARS = 2_000
#: Most assumptions listed in a scenario [-].
MAX_ASSUMPTIONS = 100
#: Longest description [characters]: a few paragraphs (the PDF flows it over pages).
MAX_DESCRIPTION_CHARS = 20_000
#: Longest file path [characters] (Linux PATH_MAX).
MAX_PATH_CHARS = 4096
#: Most pods (halls) in one scenario [-]: the jobs CSV reader's bound too.
MAX_PODS = 1_000
#: Most racks in one pod [-]: 100,000 racks of 10 kW is 1 GW, a whole campus.
MAX_RACKS = 100_000
#: Highest rack power [kW/rack]: the densest racks announced (~600 kW, 2027) are above
#: every cooling technology's limit in the physics (air 30-40, cold plate 120,
#: immersion 200 kW/rack), which names the tighter limit.
MAX_RACK_KW = 500.0
#: Energy price bounds [currency/kWh]: wholesale scarcity prices reach ~10 per kWh and
#: negative prices exist; 1,000 per kWh in any currency is a unit mistake (per MWh).
#: The signals CSV reader uses the same bound (optimizer.readers.MAX_PRICE_PER_KWH).
MAX_PRICE_PER_KWH = 1_000.0
#: Highest demand charge [currency/kW/month]: real tariffs charge ~5-50 (CNY 30-50);
#: 100,000 leaves room for any currency.
MAX_DEMAND_CHARGE_PER_KW_MONTH = 100_000.0
#: Highest grid carbon intensity [gCO2e/kWh]: lignite plants emit ~1,100.
MAX_CARBON_G_PER_KWH = 2_000.0
#: Highest carbon price [currency/t]: ETS prices are ~10-100 EUR/t and social-cost
#: estimates up to ~1,000 USD/t; 100,000 leaves room for any currency.
MAX_CARBON_PRICE_PER_T = 100_000.0
#: Highest objective weight [-]: weights are relative; 1e6 between them already makes
#: one term vanish in the solver's double precision.
MAX_WEIGHT = 1e6
#: Highest grid connection limit [kW]: 1e8 kW = 100 GW, far above any site (~1-5 GW).
MAX_GRID_LIMIT_KW = 1e8
#: Longest horizon and longest time a job or an overhead can take [h]: one leap year.
MAX_HOURS = 8_784
#: Highest seed of the job generator: numpy takes any non-negative integer; TOML
#: integers are 64-bit signed.
MAX_SEED = 2**63 - 1
#: Most generated jobs [-]: the jobs CSV reader's bound (optimizer.readers.MAX_JOBS).
MAX_JOBS = 100_000
#: Highest power of one job [kW]: 100 MW is far above any single training run
#: (optimizer.readers.MAX_JOB_POWER_KW).
MAX_JOB_POWER_KW = 1e5
#: Most interruptions of one preemptible job [-]: one per hour of a 1,000-hour job.
MAX_INTERRUPTIONS = 1_000
#: Highest PUE target [-]: the worst data centres run at ~2.5; PUE is >= 1 by definition.
MAX_PUE_TARGET = 3.0
#: Years a horizon may start in: pandas holds timestamps of 1677-2262 only, and a
#: horizon of up to 8,784 h after its start must fit with margin.
MIN_START_YEAR, MAX_START_YEAR = 1900, 2200
#: Longest solver time limit [s]: one week; a longer limit is a unit mistake (ms).
MAX_TIME_LIMIT_S = 604_800.0
#: Most solver threads [-] (the run also refuses more than the machine's cores).
MAX_THREADS = 256
#: Largest battery energy or cold-tank capacity [kWh, kWh_th]: 1e8 = 100 GWh, far above
#: the largest battery plants (~3 GWh) and chilled-water tanks (~0.2 GWh_th); more is a
#: unit mistake (Wh for kWh).
MAX_STORAGE_KWH = 1e8
#: Largest battery or tank power [kW, kW_th]: the grid connection's bound (100 GW).
MAX_STORAGE_KW = MAX_GRID_LIMIT_KW
#: Largest PV array [kWp]: 100 GWp, the bound of thermal.onsite.pv_output_kw.
MAX_PV_KWP = 1e8
#: Most wind turbines [-]: the largest wind farms have ~1,000-2,000.
MAX_TURBINES = 10_000
#: Hub height bounds [m]: thermal.onsite.wind_output_kw's (the tallest hubs are ~170 m).
MIN_HUB_HEIGHT_M, MAX_HUB_HEIGHT_M = 1.0, 300.0
#: Largest wind speed of a power curve point [m/s]: the weather's bound (thermal.weather,
#: above a category-5 hurricane's sustained 70 m/s).
MAX_CURVE_WIND_M_S = 75.0
#: Most points of a power curve [-] (library curves have ~30-70).
MAX_CURVE_POINTS = 1_000
#: Largest power of one turbine on a curve [kW]: 100 MW, ~4x the largest turbines.
MAX_TURBINE_KW = 1e5


def choices(model: type[BaseModel], field: str) -> tuple[str, ...]:
    """The values a ``Literal`` field of a schema model allows, in their written order
    (``None`` of an optional field left out): for forms that offer them as choices."""
    annotation = model.model_fields[field].annotation
    parts = get_args(annotation) if get_origin(annotation) is not Literal else (annotation,)
    values = tuple(v for part in parts if get_origin(part) is Literal for v in get_args(part))
    if not values:
        raise TypeError(f"{model.__name__}.{field} is not a Literal field")
    return values


#: Control characters no text of a scenario may hold (tab and line breaks may): a NUL
#: in a path fails every file call, and escape sequences (ESC, CSI) in a name would
#: reach the terminal when messages and results name it.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _written_kind(annotation: Any) -> tuple[str, bool] | None:
    """("number" or "bool", whether a list of them) for a field that holds only numbers or
    only true/false (optionally None, or a list or tuple of them); None for any other."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _written_kind(get_args(annotation)[0])
    if origin in (list, tuple):
        items = {a for a in get_args(annotation) if a is not Ellipsis}
        kind = _written_kind(items.pop()) if len(items) == 1 else None
        return (kind[0], True) if kind is not None and not kind[1] else None
    parts = [a for a in get_args(annotation) if a is not type(None)] if origin is not None \
        else [annotation]
    if origin is not None and origin is not Literal and len(parts) == 1:
        return _written_kind(parts[0])
    if parts == [bool]:
        return "bool", False
    if parts and all(p in (int, float) for p in parts):
        return "number", False
    return None


@functools.cache
def _field_kind(model: type[BaseModel], field: str) -> tuple[str, bool] | None:
    """:func:`_written_kind` of a model's field, worked out once per field."""
    return _written_kind(model.model_fields[field].annotation)


def _as_written(value: Any) -> str:
    return f"the text {value!r}" if isinstance(value, str) else f"{value!r}".lower()


class _Model(BaseModel):
    # allow_inf_nan=False: no float field (nor a float inside a tuple) takes NaN or an
    # infinity, which TOML allows as ``nan`` and ``inf``.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_and_flags_as_written(cls, value: Any, info) -> Any:
        """A number field takes a number, a true/false field true or false, as TOML writes
        them: pydantic would read ``"4000"`` as 4000 and ``true`` as 1, hiding a quoted
        number or a flag written where a size goes."""
        kind = _field_kind(cls, info.field_name)
        if kind is None or value is None:
            return value
        what, many = kind
        for item in value if many and isinstance(value, list | tuple) else (value,):
            if what == "number" and isinstance(item, bool | str):
                raise ValueError(f"must be a number, not {_as_written(item)}"
                                 + ("; write it without quotes" if isinstance(item, str) else ""))
            if what == "bool" and not isinstance(item, bool):
                raise ValueError(f"must be true or false, not {_as_written(item)}")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        for text in value if isinstance(value, list) else (value,):
            if isinstance(text, str) and (found := _CONTROL_CHARACTERS.search(text)):
                raise ValueError(
                    f"holds the control character U+{ord(found.group()):04X} at character "
                    f"{found.start() + 1}; text may hold tabs and line breaks only"
                )
        return value


class Site(_Model):
    """Where the data centre is."""

    name: str = Field(max_length=MAX_NAME_CHARS)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    timezone: str = Field(max_length=64, description="IANA time zone, e.g. Asia/Shanghai")
    climate: str = Field(
        min_length=1,
        max_length=MAX_PATH_CHARS,
        description="built-in climate name or a weather file path",
    )
    warm_k: float = Field(
        default=0.0,
        ge=-15,
        le=15,
        description="K added to the climate's dry-bulb and dew point (a heat wave or a "
        "warmer future); the plant stays sized for the climate as it is. Within +-15 K: "
        "beyond, the weather leaves the range the psychrometrics are checked for",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai, "
                "America/New_York or Europe/Berlin"
            ) from None
        return value


FillPolicy = Literal["error", "interpolate", "ffill"]
NaiveTimestamps = Literal["utc", "local"]


class Carbon(_Model):
    """Grid carbon intensity (location-based)."""

    source: Literal["factor", "constant", "file"] = "factor"
    factor: str | None = Field(default=None, max_length=100)
    g_per_kwh: float | None = Field(default=None, ge=0, le=MAX_CARBON_G_PER_KWH)
    file: str | None = Field(default=None, max_length=MAX_PATH_CHARS)
    column: Literal["direct", "lca"] = "direct"
    timestamps: NaiveTimestamps = "utc"
    fill: FillPolicy = "error"

    @model_validator(mode="after")
    def _needs(self) -> Carbon:
        need = {"factor": "factor", "constant": "g_per_kwh", "file": "file"}[self.source]
        if getattr(self, need) is None:
            raise ValueError(f"source = {self.source!r} needs {need}")
        if self.source == "factor":
            from scenarios.grid_factors import GRID_FACTORS

            if self.factor not in GRID_FACTORS:
                raise ValueError(
                    f"unknown factor {self.factor!r}; built-in factors: {', '.join(GRID_FACTORS)}"
                )
        return self


class Market(_Model):
    """Contractual instruments for market-based Scope 2 and hourly carbon-free data."""

    renewable_share: float = Field(
        default=0.0, ge=0, le=1, description="contracted, retired renewables / consumption"
    )
    residual_mix_g_per_kwh: float | None = Field(default=None, ge=0, le=MAX_CARBON_G_PER_KWH)
    carbon_free_file: str | None = Field(default=None, max_length=MAX_PATH_CHARS)
    carbon_free_from_carbon_file: bool = False
    timestamps: NaiveTimestamps = "utc"
    fill: FillPolicy = "error"


class Price(_Model):
    """Energy price and demand charge."""

    source: Literal["flat", "tou", "file"] = "flat"
    flat_per_kwh: float | None = Field(
        default=None, ge=-MAX_PRICE_PER_KWH, le=MAX_PRICE_PER_KWH
    )
    tariff: str | None = Field(default=None, max_length=100)
    base_per_kwh: float | None = Field(
        default=None, ge=-MAX_PRICE_PER_KWH, le=MAX_PRICE_PER_KWH
    )
    adder_per_kwh: float | None = Field(
        default=None, ge=-MAX_PRICE_PER_KWH, le=MAX_PRICE_PER_KWH
    )
    file: str | None = Field(default=None, max_length=MAX_PATH_CHARS)
    unit: Literal["per_kwh", "per_mwh"] | None = None
    timestamps: NaiveTimestamps = "utc"
    fill: FillPolicy = "error"
    demand_charge_per_kw_month: float | None = Field(
        default=None, ge=0, le=MAX_DEMAND_CHARGE_PER_KW_MONTH
    )
    billing: Literal["prorated", "full_month"] = Field(
        default="prorated",
        description="a month the run covers in part: its demand charge times the share of "
        "its hours in the run (prorated), or the whole month's charge (full_month)",
    )
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)

    @model_validator(mode="after")
    def _needs(self) -> Price:
        need = {"flat": "flat_per_kwh", "tou": "tariff", "file": "file"}[self.source]
        if getattr(self, need) is None:
            raise ValueError(f"source = {self.source!r} needs {need}")
        if self.source == "tou":
            from scenarios.tariffs import TARIFFS

            if self.tariff not in TARIFFS:
                raise ValueError(
                    f"unknown tariff {self.tariff!r}; built-in tariffs: {', '.join(TARIFFS)}"
                )
        return self


class Grid(_Model):
    currency: str = Field(default="USD", min_length=3, max_length=3)
    carbon: Carbon
    market: Market = Market()
    price: Price
    grid_limit_kw: float | None = Field(default=None, gt=0, le=MAX_GRID_LIMIT_KW)


class Inference(_Model):
    """Baseline (inference) compute load of a pod: a daily cycle around a mean."""

    utilisation: float = Field(
        default=0.3, ge=0, le=1, description="mean share of compute capacity"
    )
    daily_swing: float = Field(default=0.25, ge=0, le=1, description="relative daily amplitude")
    peak_hour: int = Field(default=20, ge=0, le=23, description="local hour of the daily peak")


class PodSpec(_Model):
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    cooling: Literal["air", "cold_plate", "immersion", "spray", "two_phase_immersion"]
    racks: int = Field(ge=1, le=MAX_RACKS)
    rack_kw: float = Field(gt=0, le=MAX_RACK_KW)
    water_class: str | None = Field(default=None, max_length=16)
    heat_rejection: Literal["tower", "dry_cooler", "hybrid"] | None = None
    economizer: Literal["water_side", "air_side", "air_side_adiabatic", "none"] = "water_side"
    liquid_fraction: float | None = Field(default=None, ge=0, le=1)
    air_class: Literal["A1", "A2", "A3", "A4"] = "A2"
    inference: Inference = Inference()


#: A whole number of hours of a job [h] and the power of a job [kW], in tuples.
_Hours = Annotated[int, Field(ge=0, le=MAX_HOURS)]
_JobKw = Annotated[float, Field(ge=0, le=MAX_JOB_POWER_KW)]


class Generator(_Model):
    """Seeded random training jobs."""

    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    count: int = Field(default=40, ge=1, le=MAX_JOBS)
    duration_h: tuple[_Hours, _Hours] = (4, 24)
    power_kw: tuple[_JobKw, _JobKw] = (100.0, 400.0)
    slack_h: tuple[_Hours, _Hours] = (12, 72)
    preemptible_share: float = Field(default=0.5, ge=0, le=1)
    max_interruptions: int = Field(default=3, ge=0, le=MAX_INTERRUPTIONS)
    restart_overhead_h: float = Field(default=0.0, ge=0, le=MAX_HOURS)

    @model_validator(mode="after")
    def _ranges(self) -> Generator:
        for name in ("duration_h", "power_kw", "slack_h"):
            lo, hi = getattr(self, name)
            if lo < 0 or hi < lo:
                raise ValueError(f"{name} must be [low, high] with 0 <= low <= high")
        if self.duration_h[0] < 1:
            raise ValueError("duration_h must be at least 1 hour")
        return self


class Workload(_Model):
    jobs: str | None = Field(default=None, max_length=MAX_PATH_CHARS)
    generator: Generator | None = None

    @model_validator(mode="after")
    def _one(self) -> Workload:
        if self.jobs is not None and self.generator is not None:
            raise ValueError("give either jobs (a CSV file) or generator, not both")
        return self


class ObjectiveSpec(_Model):
    carbon_price_per_t: float = Field(default=0.0, ge=0, le=MAX_CARBON_PRICE_PER_T)
    cost_weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    carbon_weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)


class Horizon(_Model):
    start: datetime = Field(description="first hour, site local time unless an offset is given")
    hours: int = Field(default=168, ge=1, le=MAX_HOURS)

    @field_validator("start")
    @classmethod
    def _on_the_hour(cls, value: datetime) -> datetime:
        if not MIN_START_YEAR <= value.year <= MAX_START_YEAR:
            raise ValueError(
                f"start must lie in the years {MIN_START_YEAR}..{MAX_START_YEAR}, got "
                f"{value.year}"
            )
        if value.minute or value.second or value.microsecond:
            raise ValueError("start must be on the hour, e.g. 2023-07-01T00:00")
        return value


class Solver(_Model):
    time_limit_s: float = Field(default=60.0, gt=0, le=MAX_TIME_LIMIT_S)
    rel_gap: float = Field(default=1e-3, ge=0, lt=1)
    threads: int = Field(default=1, ge=1, le=MAX_THREADS)
    window_h: int = Field(default=168, ge=24, le=MAX_HOURS)
    rolling: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="auto: rolling windows only when the whole horizon would not fit the "
        "time limit or memory (a measured rule); always: whenever the horizon exceeds "
        "window_h; never: one piece",
    )
    step_h: int = Field(default=24, ge=1, le=MAX_HOURS)

    @model_validator(mode="after")
    def _step_within_window(self) -> Solver:
        if self.step_h > self.window_h:
            raise ValueError(
                f"step_h ({self.step_h}) must not exceed window_h ({self.window_h}): each "
                "window is solved and then the schedule advances by step_h hours"
            )
        return self


def with_time_limit(config, time_limit_s: float | None):
    """A scenario or fleet (anything with a ``solver``) whose ``solver.time_limit_s`` is
    ``time_limit_s`` (None: as it is), so that what a run writes records the limit it
    ran with (``--time-limit`` overrides the file's)."""
    if time_limit_s is None:
        return config
    solver = config.solver.model_copy(update={"time_limit_s": float(time_limit_s)})
    return config.model_copy(update={"solver": solver})


class Forecast(_Model):
    """The signals the schedule is planned on (scenarios.forecasts; docs/optimizer.md,
    "Forecasts"): the actual ones (perfect foresight) or a forecast of the hourly series
    read from files, the schedule then settled on the actual signals."""

    method: Literal["perfect", "persistence", "seasonal_naive", "file"] = "perfect"
    file: str | None = Field(default=None, max_length=MAX_PATH_CHARS)
    timestamps: NaiveTimestamps = "utc"

    @model_validator(mode="after")
    def _file_with_its_method(self) -> Forecast:
        if self.method == "file" and self.file is None:
            raise ValueError("method = 'file' needs file (a forecast CSV)")
        if self.method != "file" and self.file is not None:
            raise ValueError(
                f"file is read only with method = 'file' (method is {self.method!r}); remove "
                "file or set method = 'file'"
            )
        return self


#: Fields of ``[heat_reuse]`` that describe the heat network (the modelled heat reuse):
#: each needs ``demand``.
HEAT_NETWORK_FIELDS = (
    "supply_c", "hx_approach_k", "carnot_efficiency", "max_cop", "contracted_share",
    "capacity_kw_th", "price_per_kwh_th",
)  # fmt: skip
#: Fields of each kind of heat demand (``[heat_reuse] demand``).
HEAT_DEMAND_FIELDS = {
    "csv": ("csv", "timestamps"),
    "heating_season": ("peak_kw_th", "season_start", "season_end", "design_outdoor_c"),
    "all": (),
}
#: A calendar day of a heating season, "MM-DD".
_MONTH_DAY = r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
#: A name coolshift uses in paths and keys (a fleet's sites).
NAME_PATTERN = r"^\w[\w.-]*$"
#: The schemas' patterns said in words, for messages (a regex means nothing to a planner).
PATTERN_WORDS = {
    NAME_PATTERN: "is not a name coolshift takes: use letters, digits, '_', '.' and '-', "
                  "starting with a letter, digit or '_' (no spaces or '/')",
    _MONTH_DAY: "is not a month and day: write MM-DD, e.g. 06-01",
}


class HeatReuse(_Model):
    """Heat exported for reuse outside the data centre (district heating, greenhouses).

    Two forms (docs/scenarios.md, "Values"):

    * **modelled** (``demand`` given): each pod's loop heat at its return temperature,
      delivered to a network at ``supply_c`` directly or through a heat pump, up to the
      hourly demand, sold at ``price_per_kwh_th`` and co-optimised with the jobs
      (:mod:`scenarios.heat_reuse`; the physics' :class:`thermal.heat_reuse.
      HeatReuseParams` gives every default left out);
    * **declared** (only ``liquid_share`` / ``air_share``): those shares of the heat to
      liquid and to air counted as reused, at whatever temperature, without a heat pump
      or a demand (the form before the modelled one; an upper bound).
    """

    liquid_share: float | None = Field(
        default=None, ge=0, le=1,
        description="modelled: share of a liquid pod's facility-water heat piped to reuse "
        "(default HeatReuseParams.liquid_share); declared: share of the heat to liquid "
        "counted as reused (default 0)",
    )  # fmt: skip
    air_share: float | None = Field(
        default=None, ge=0, le=1,
        description="modelled: share of an air pod's chilled-water heat piped to the heat "
        "pump (default HeatReuseParams.air_share); declared: share of the heat to air "
        "counted as reused (default 0)",
    )  # fmt: skip
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)
    demand: Literal["csv", "heating_season", "all"] | None = Field(
        default=None,
        description="the network's hourly heat demand: a CSV (csv), the labelled "
        "heating-season shape (peak_kw_th), or all the heat the contract offers (all); "
        "given: heat reuse is modelled by temperature",
    )
    supply_c: float | None = Field(
        default=None, ge=10, le=120, description="network supply temperature [°C]; required"
    )
    hx_approach_k: float | None = Field(default=None, ge=0, le=50)
    carnot_efficiency: float | None = Field(default=None, gt=0, le=1)
    max_cop: float | None = Field(default=None, ge=1.01, le=20)
    contracted_share: float | None = Field(default=None, ge=0, le=1)
    capacity_kw_th: float | None = Field(default=None, ge=0, le=MAX_STORAGE_KW)
    price_per_kwh_th: float | None = Field(
        default=None, gt=0, le=MAX_PRICE_PER_KWH,
        description="what a kWh_th delivered earns (revenue, or the avoided cost of the heat "
        "it replaces); required",
    )  # fmt: skip
    csv: str | None = Field(default=None, min_length=1, max_length=MAX_PATH_CHARS)
    timestamps: NaiveTimestamps | None = None
    peak_kw_th: float | None = Field(default=None, ge=0, le=MAX_STORAGE_KW)
    season_start: str | None = Field(default=None, pattern=_MONTH_DAY)
    season_end: str | None = Field(default=None, pattern=_MONTH_DAY)
    design_outdoor_c: float | None = Field(default=None, ge=-60, le=17)

    @property
    def modelled(self) -> bool:
        """Heat reuse by temperature (``demand`` given)."""
        return self.demand is not None

    @property
    def declared(self) -> bool:
        """The declared shares (no ``demand``; a share above 0)."""
        return self.demand is None and bool(self.liquid_share or self.air_share)

    @model_validator(mode="after")
    def _one_form(self) -> HeatReuse:
        demand_fields = [n for names in HEAT_DEMAND_FIELDS.values() for n in names]
        if self.demand is None:
            given = _given(self, HEAT_NETWORK_FIELDS + tuple(demand_fields))
            if given:
                raise ValueError(
                    f"{given[0]} describes a heat network and needs demand ('csv', "
                    "'heating_season' or 'all'), with supply_c and price_per_kwh_th; "
                    "without demand, [heat_reuse] takes only the declared liquid_share and "
                    "air_share"
                )
            return self
        missing = [n for n in ("supply_c", "price_per_kwh_th") if getattr(self, n) is None]
        if missing:
            raise ValueError(
                f"demand = {self.demand!r} needs {' and '.join(missing)} (network supply "
                "temperature [°C]; what a kWh_th delivered earns or the heat it replaces "
                "costs): no default is published for either"
            )
        own = HEAT_DEMAND_FIELDS[self.demand]
        other = [n for n in _given(self, tuple(demand_fields)) if n not in own]
        if other:
            raise ValueError(f"{other[0]} is not used with demand = {self.demand!r}; remove it")
        if self.demand == "csv" and self.csv is None:
            raise ValueError("demand = 'csv' needs csv (an hourly timestamp,kw_th file)")
        if self.demand == "heating_season" and self.peak_kw_th is None:
            raise ValueError(
                "demand = 'heating_season' needs peak_kw_th (the network's demand at the "
                "design outdoor temperature)"
            )
        return self


def _given(model: BaseModel, names: tuple[str, ...]) -> list[str]:
    """The fields of ``names`` that a section sets (not None)."""
    return [name for name in names if getattr(model, name) is not None]


class BatterySpec(_Model):
    """An electric battery behind the site's meter (``optimizer.assets.Battery``; a field
    left out takes that class's default, with its source)."""

    energy_kwh: float = Field(
        ge=0, le=MAX_STORAGE_KWH, description="usable energy between empty and full; 0: none"
    )
    power_kw: float = Field(
        ge=0, le=MAX_STORAGE_KW, description="largest charge and discharge power (AC); 0: none"
    )
    round_trip_efficiency: float | None = Field(
        default=None, gt=0, le=1,
        description="energy out / energy in; default optimizer.assets."
        "DEFAULT_ROUND_TRIP_EFFICIENCY",
    )  # fmt: skip
    min_soc: float | None = Field(default=None, ge=0, le=1, description="default Battery's")
    max_soc: float | None = Field(default=None, ge=0, le=1, description="default Battery's")
    initial_soc: float | None = Field(
        default=None, ge=0, le=1,
        description="state of charge at the start and the least at the end; default "
        "optimizer.assets.DEFAULT_INITIAL_SOC",
    )  # fmt: skip
    degradation_cost_per_kwh: float | None = Field(
        default=None, ge=0, le=MAX_PRICE_PER_KWH,
        description="wear cost per kWh discharged; default Battery's",
    )  # fmt: skip

    @model_validator(mode="after")
    def _band(self) -> BatterySpec:
        """The given shares in order (a default left out is checked with the battery,
        :func:`scenarios.assets.build_assets`)."""
        given = [(n, getattr(self, n)) for n in ("min_soc", "initial_soc", "max_soc")
                 if getattr(self, n) is not None]
        for (low_name, low), (high_name, high) in itertools.combinations(given, 2):
            if low > high:
                raise ValueError(f"{low_name} ({low:g}) must not exceed {high_name} ({high:g})")
        return self


class ColdStorageSpec(_Model):
    """A chilled-water or ice tank charged by pods' chillers (``thermal.cold_storage.
    ColdStorageParams``; a field left out takes that class's default, with its source)."""

    capacity_kwh_th: float = Field(
        ge=0, le=MAX_STORAGE_KWH, description="usable cold when full; 0: none"
    )
    power_kw_th: float = Field(
        ge=0, le=MAX_STORAGE_KW, description="largest charge and discharge rate; 0: none"
    )
    kind: Literal["chilled_water", "ice"] | None = Field(
        default=None, description="default ColdStorageParams.kind"
    )
    loop: Literal["chilled_water", "facility_water"] | None = Field(
        default=None, description="the loop whose chillers charge it; default ColdStorageParams.loop"
    )
    standing_loss_per_h: float | None = Field(
        default=None, ge=0, le=0.5,
        description="share of the stored cold lost per hour; default "
        "ColdStorageParams.standing_loss_per_h",
    )  # fmt: skip
    pods: list[Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]] | None = Field(
        default=None, min_length=1, max_length=MAX_PODS,
        description="names of the pods whose chillers it serves; default every pod with "
        "chillers on its loop",
    )  # fmt: skip
    initial_soc: float | None = Field(
        default=None, ge=0, le=1,
        description="stored share at the start; at the end at least this less the standing "
        "loss over the horizon (start x (1 - loss)^hours); default "
        "optimizer.assets.DEFAULT_INITIAL_SOC",
    )  # fmt: skip

    @field_validator("pods")
    @classmethod
    def _pods_once(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) < len(value):
            twice = sorted({n for n in value if value.count(n) > 1})
            raise ValueError(f"names {', '.join(map(repr, twice))} more than once; list each "
                             "pod once")
        return value


class Storage(_Model):
    """Storage behind the site's meter, co-optimised with the jobs."""

    battery: BatterySpec | None = None
    cold: ColdStorageSpec | None = None


def _one_source(model: BaseModel, model_fields: tuple[str, ...], what: str) -> None:
    """``csv`` replaces the model: with it no model field may be set; ``timestamps``
    only with it."""
    if model.csv is not None:
        given = _given(model, model_fields)
        if given:
            raise ValueError(
                f"csv replaces the {what} model: remove {', '.join(given)} (or csv)"
            )
    elif model.timestamps is not None:
        raise ValueError("timestamps is read only with csv; remove it or give csv")


class PvSpec(_Model):
    """On-site PV: PVWatts through pvlib from the weather's irradiance
    (``thermal.onsite.pv_output_kw``; a field left out takes its default, with its
    source), or the plant's own hourly series (``csv``)."""

    kwp: float | None = Field(
        default=None, ge=0, le=MAX_PV_KWP, description="DC nameplate; 0: none"
    )
    tilt_deg: float | None = Field(
        default=None, ge=0, le=90, description="from horizontal; default the latitude"
    )
    azimuth_deg: float | None = Field(
        default=None, ge=0, le=360,
        description="clockwise from north; default facing the equator",
    )  # fmt: skip
    losses_pct: float | None = Field(
        default=None, ge=0, le=99, description="PVWatts system losses; default thermal.onsite.PVWATTS_LOSSES_PCT"
    )
    csv: str | None = Field(default=None, min_length=1, max_length=MAX_PATH_CHARS)
    timestamps: NaiveTimestamps | None = Field(
        default=None, description="how the csv's naive timestamps are read; default local"
    )

    @model_validator(mode="after")
    def _model_or_file(self) -> PvSpec:
        _one_source(self, ("kwp", "tilt_deg", "azimuth_deg", "losses_pct"), "PV")
        if self.csv is None and self.kwp is None:
            raise ValueError("kwp is required (or give csv, a generation file)")
        return self


_CurveSpeed = Annotated[float, Field(ge=0, le=MAX_CURVE_WIND_M_S)]
_CurveKw = Annotated[float, Field(ge=0, le=MAX_TURBINE_KW)]


class PowerCurve(_Model):
    """A turbine's power curve at standard air density (1.225 kg/m³)."""

    wind_speed_m_s: list[_CurveSpeed] = Field(min_length=2, max_length=MAX_CURVE_POINTS)
    power_kw: list[_CurveKw] = Field(min_length=2, max_length=MAX_CURVE_POINTS)

    @model_validator(mode="after")
    def _points(self) -> PowerCurve:
        if len(self.wind_speed_m_s) != len(self.power_kw):
            raise ValueError(
                f"wind_speed_m_s and power_kw need the same length (got "
                f"{len(self.wind_speed_m_s)} and {len(self.power_kw)})"
            )
        speeds = self.wind_speed_m_s
        if any(b <= a for a, b in itertools.pairwise(speeds)):
            raise ValueError("wind_speed_m_s must be strictly increasing")
        return self


class WindSpec(_Model):
    """On-site wind: ``count`` turbines from the weather's wind speed
    (``thermal.onsite.wind_output_kw``), or the plant's own hourly series (``csv``)."""

    turbine: str | None = Field(
        default=None, min_length=1, max_length=100,
        description="a turbine type of windpowerlib's library, e.g. E-126/4200",
    )  # fmt: skip
    power_curve: PowerCurve | None = None
    hub_height_m: float | None = Field(default=None, ge=MIN_HUB_HEIGHT_M, le=MAX_HUB_HEIGHT_M)
    count: int | None = Field(default=None, ge=0, le=MAX_TURBINES, description="default wind_output_kw's; 0: none")
    csv: str | None = Field(default=None, min_length=1, max_length=MAX_PATH_CHARS)
    timestamps: NaiveTimestamps | None = Field(
        default=None, description="how the csv's naive timestamps are read; default local"
    )

    @model_validator(mode="after")
    def _model_or_file(self) -> WindSpec:
        _one_source(self, ("turbine", "power_curve", "hub_height_m", "count"), "wind")
        if self.csv is not None:
            return self
        if (self.turbine is None) == (self.power_curve is None):
            raise ValueError(
                "give turbine (a windpowerlib type) or power_curve, exactly one of them "
                "(or csv, a generation file)"
            )
        if self.hub_height_m is None:
            raise ValueError("hub_height_m is required with a turbine or power curve")
        return self


class Onsite(_Model):
    """On-site generation (PV, wind) and whether its surplus may be exported."""

    pv: PvSpec | None = None
    wind: WindSpec | None = None
    export: bool = Field(
        default=False,
        description="surplus generation is exported (true) or curtailed (false, default)",
    )
    export_price_per_kwh: float | None = Field(
        default=None, ge=-MAX_PRICE_PER_KWH, le=MAX_PRICE_PER_KWH,
        description="what the grid pays per kWh exported, every hour",
    )  # fmt: skip
    export_price_share: float | None = Field(
        default=None, ge=0, le=1,
        description="or: the export price as a share of each hour's import price",
    )  # fmt: skip

    @model_validator(mode="after")
    def _export_price(self) -> Onsite:
        given = _given(self, ("export_price_per_kwh", "export_price_share"))
        if not self.export and given:
            raise ValueError(f"{given[0]} is used only with export = true")
        if self.export and len(given) > 1:
            raise ValueError(
                "export = true takes one export price: export_price_per_kwh (a fixed price) "
                "or export_price_share (a share of each hour's import price), not both"
            )
        if self.export and not given:
            raise ValueError(
                "export = true needs its price: export_price_per_kwh (a fixed price) or "
                "export_price_share (a share of each hour's import price)"
            )
        if self.export and self.pv is None and self.wind is None:
            raise ValueError("export = true needs on-site generation to export: add "
                             "[onsite.pv] or [onsite.wind], or leave export out")
        return self


class Targets(_Model):
    pue: float | None = Field(default=None, gt=1, le=MAX_PUE_TARGET)
    label: str = Field(default="", max_length=MAX_NAME_CHARS)


class Scenario(_Model):
    """A whole scenario: site, grid, halls, workload, objective, horizon, solver."""

    name: str = Field(min_length=1, max_length=MAX_SCENARIO_NAME_CHARS)
    description: str = Field(default="", max_length=MAX_DESCRIPTION_CHARS)
    site: Site
    grid: Grid
    facility: dict[str, Any] = Field(default_factory=dict)
    costs: dict[str, Any] = Field(
        default_factory=dict,
        description="overrides of the cost defaults (scenarios.costs.CostParams; docs/costs.md)",
    )
    pods: list[PodSpec] = Field(min_length=1, max_length=MAX_PODS)
    workload: Workload = Workload()
    objective: ObjectiveSpec = ObjectiveSpec()
    horizon: Horizon
    solver: Solver = Solver()
    forecast: Forecast = Forecast()
    targets: Targets = Targets()
    heat_reuse: HeatReuse = HeatReuse()
    storage: Storage | None = None
    onsite: Onsite | None = None
    assumptions: list[Annotated[str, Field(max_length=MAX_NOTE_CHARS)]] = Field(
        default_factory=list, max_length=MAX_ASSUMPTIONS
    )

    @model_validator(mode="after")
    def _unique_pods(self) -> Scenario:
        names = [p.name for p in self.pods]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"pod names must be unique; repeated: {', '.join(dupes)}")
        cold = self.storage.cold if self.storage is not None else None
        if cold is not None and cold.pods is not None:
            unknown = [n for n in dict.fromkeys(cold.pods) if n not in names]
            if unknown:
                raise ValueError(
                    f"storage.cold.pods names unknown pod(s) {', '.join(map(repr, unknown))}; "
                    f"pods are {', '.join(map(repr, names))}"
                )
        return self
