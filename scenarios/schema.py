"""The scenario: frozen pydantic models of a scenario file (loaded by :mod:`scenarios.loading`)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: The ASHRAE liquid cooling classes a pod's ``water_class`` is chosen from, named by
#: their maximum facility water supply [°C] (ASHRAE TC 9.9, Thermal Guidelines for Data
#: Processing Environments, 5th ed. 2021; reference/physics.md). The physics accepts any
#: W17..W45 (thermal.facility.parse_water_class); W+ (above 45 °C) is not modelled.
WATER_CLASSES = ("W17", "W27", "W32", "W40", "W45")


def choices(model: type[BaseModel], field: str) -> tuple[str, ...]:
    """The values a ``Literal`` field of a schema model allows, in their written order
    (``None`` of an optional field left out): for forms that offer them as choices."""
    annotation = model.model_fields[field].annotation
    parts = get_args(annotation) if get_origin(annotation) is not Literal else (annotation,)
    values = tuple(v for part in parts if get_origin(part) is Literal for v in get_args(part))
    if not values:
        raise TypeError(f"{model.__name__}.{field} is not a Literal field")
    return values


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Site(_Model):
    """Where the data centre is."""

    name: str
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    timezone: str = Field(description="IANA time zone, e.g. Asia/Shanghai")
    climate: str = Field(description="built-in climate name or a weather file path")

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
    factor: str | None = None
    g_per_kwh: float | None = Field(default=None, ge=0)
    file: str | None = None
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
    residual_mix_g_per_kwh: float | None = Field(default=None, ge=0)
    carbon_free_file: str | None = None
    carbon_free_from_carbon_file: bool = False
    timestamps: NaiveTimestamps = "utc"
    fill: FillPolicy = "error"


class Price(_Model):
    """Energy price and demand charge."""

    source: Literal["flat", "tou", "file"] = "flat"
    flat_per_kwh: float | None = None
    tariff: str | None = None
    base_per_kwh: float | None = None
    adder_per_kwh: float | None = None
    file: str | None = None
    unit: Literal["per_kwh", "per_mwh"] | None = None
    timestamps: NaiveTimestamps = "utc"
    fill: FillPolicy = "error"
    demand_charge_per_kw_month: float | None = Field(default=None, ge=0)
    note: str = ""

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
    grid_limit_kw: float | None = Field(default=None, gt=0)


class Inference(_Model):
    """Baseline (inference) compute load of a pod: a daily cycle around a mean."""

    utilisation: float = Field(
        default=0.3, ge=0, le=1, description="mean share of compute capacity"
    )
    daily_swing: float = Field(default=0.25, ge=0, le=1, description="relative daily amplitude")
    peak_hour: int = Field(default=20, ge=0, le=23, description="local hour of the daily peak")


class PodSpec(_Model):
    name: str = Field(min_length=1)
    cooling: Literal["air", "cold_plate", "immersion"]
    racks: int = Field(ge=1)
    rack_kw: float = Field(gt=0)
    water_class: str | None = None
    heat_rejection: Literal["tower", "dry_cooler"] | None = None
    economizer: Literal["water_side", "air_side", "none"] = "water_side"
    liquid_fraction: float | None = Field(default=None, ge=0, le=1)
    air_class: Literal["A1", "A2", "A3", "A4"] = "A2"
    inference: Inference = Inference()


class Generator(_Model):
    """Seeded random training jobs."""

    seed: int = 0
    count: int = Field(default=40, ge=1, le=100_000)
    duration_h: tuple[int, int] = (4, 24)
    power_kw: tuple[float, float] = (100.0, 400.0)
    slack_h: tuple[int, int] = (12, 72)
    preemptible_share: float = Field(default=0.5, ge=0, le=1)
    max_interruptions: int = Field(default=3, ge=0)
    restart_overhead_h: float = Field(default=0.0, ge=0)

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
    jobs: str | None = None
    generator: Generator | None = None

    @model_validator(mode="after")
    def _one(self) -> Workload:
        if self.jobs is not None and self.generator is not None:
            raise ValueError("give either jobs (a CSV file) or generator, not both")
        return self


class ObjectiveSpec(_Model):
    carbon_price_per_t: float = Field(default=0.0, ge=0)
    cost_weight: float = Field(default=1.0, ge=0)
    carbon_weight: float = Field(default=1.0, ge=0)


class Horizon(_Model):
    start: datetime = Field(description="first hour, site local time unless an offset is given")
    hours: int = Field(default=168, ge=1, le=8784)

    @field_validator("start")
    @classmethod
    def _on_the_hour(cls, value: datetime) -> datetime:
        if value.minute or value.second or value.microsecond:
            raise ValueError("start must be on the hour, e.g. 2023-07-01T00:00")
        return value


class Solver(_Model):
    time_limit_s: float = Field(default=60.0, gt=0)
    rel_gap: float = Field(default=1e-3, ge=0, lt=1)
    threads: int = Field(default=1, ge=1)
    window_h: int = Field(default=168, ge=24)
    step_h: int = Field(default=24, ge=1)


class HeatReuse(_Model):
    """Heat exported for reuse outside the data centre (district heating, greenhouses)."""

    liquid_share: float = Field(default=0.0, ge=0, le=1, description="of heat to liquid")
    air_share: float = Field(default=0.0, ge=0, le=1, description="of heat to air")
    note: str = ""


class Targets(_Model):
    pue: float | None = Field(default=None, gt=1)
    label: str = ""


class Scenario(_Model):
    """A whole scenario: site, grid, halls, workload, objective, horizon, solver."""

    name: str = Field(min_length=1)
    description: str = ""
    site: Site
    grid: Grid
    facility: dict[str, Any] = Field(default_factory=dict)
    pods: list[PodSpec] = Field(min_length=1)
    workload: Workload = Workload()
    objective: ObjectiveSpec = ObjectiveSpec()
    horizon: Horizon
    solver: Solver = Solver()
    targets: Targets = Targets()
    heat_reuse: HeatReuse = HeatReuse()
    assumptions: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_pods(self) -> Scenario:
        names = [p.name for p in self.pods]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"pod names must be unique; repeated: {', '.join(dupes)}")
        return self
