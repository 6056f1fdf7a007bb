"""The scenario file: TOML validated into frozen pydantic models.

Every error names the file, the field and what would be valid; unknown keys suggest the
nearest valid key. Relative paths resolve against the scenario file's folder.
"""

from __future__ import annotations

import copy
import difflib
import tomllib
import types
import typing
import zoneinfo
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scenarios.errors import ScenarioError

#: Dotted fields that hold file paths (resolved against the scenario file's folder).
PATH_FIELDS = (
    "site.climate",
    "grid.carbon.file",
    "grid.market.carbon_free_file",
    "grid.price.file",
    "workload.jobs",
)
_WEATHER_SUFFIXES = (".epw", ".csv", ".tm2")


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


# --------------------------------------------------------------------------- loading


def _get(data: dict, dotted: str):
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _set(data: dict, dotted: str, value) -> None:
    node = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def resolve_paths(data: dict, base_dir: Path) -> dict:
    """A copy of raw scenario data with relative file paths made absolute."""
    out = copy.deepcopy(data)
    for dotted in PATH_FIELDS:
        value = _get(out, dotted)
        if not isinstance(value, str) or not value:
            continue
        if dotted == "site.climate" and not value.lower().endswith(_WEATHER_SUFFIXES):
            continue  # a climate name, not a file
        path = Path(value).expanduser()
        if not path.is_absolute():
            _set(out, dotted, str((base_dir / path).resolve()))
    return out


def _field_names_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Valid keys of the model reached by following ``loc`` (for suggestions)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(str(part))
        if info is None:
            return list(current.model_fields)
        current = _unwrap(info.annotation)
    return (
        list(current.model_fields)
        if isinstance(current, type) and issubclass(current, BaseModel)
        else []
    )


def _unwrap(annotation):
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                return arg
    return annotation


def _loc_text(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def explain_validation_error(exc: ValidationError, file: str) -> ScenarioError:
    """One ScenarioError listing every problem with its field and a fix."""
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p not in ("function-after",))
        field = _loc_text(loc)
        if err["type"] == "extra_forbidden":
            valid = _field_names_at(Scenario, loc[:-1])
            near = difflib.get_close_matches(str(loc[-1]), valid, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            lines.append(f"{field}: unknown key{hint} Valid keys here: {', '.join(valid)}")
        elif err["type"] == "missing":
            lines.append(f"{field}: required field is missing")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{field}: {msg}" if field else msg)
    text = lines[0] if len(lines) == 1 else "\n  " + "\n  ".join(lines)
    return ScenarioError(text, file=file)


def scenario_from_dict(
    data: dict, *, file: str = "<scenario>", base_dir: Path | None = None
) -> Scenario:
    """Validate raw scenario data (as read from TOML) into a :class:`Scenario`."""
    if base_dir is not None:
        data = resolve_paths(data, base_dir)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise explain_validation_error(exc, file) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    Raises
    ------
    ScenarioError
        Unreadable file, TOML syntax error (with line), or invalid content.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError("scenario file does not exist", file=str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc}", file=str(path)) from None
    except UnicodeDecodeError:
        raise ScenarioError("not a UTF-8 text file", file=str(path)) from None
    return scenario_from_dict(data, file=str(path), base_dir=path.resolve().parent)


def scenario_to_toml(scenario: Scenario) -> str:
    """The scenario as TOML text (paths absolute), to repeat the run from the CLI."""
    import tomli_w

    data = scenario.model_dump(mode="json", exclude_none=True)
    return tomli_w.dumps(data)


def apply_settings(data: dict, settings: dict[str, Any], file: str = "<scenario>") -> dict:
    """A copy of raw scenario data with dotted keys replaced (``--set`` and sweeps).

    Keys: ``grid.price.flat_per_kwh``, ``pods[0].rack_kw`` or ``pods.NAME.rack_kw``.
    """
    out = copy.deepcopy(data)
    for key, value in settings.items():
        node: Any = out
        parts = _split_key(key)
        for part in parts[:-1]:
            if isinstance(node, list):
                node = _list_item(node, part, key, file)
            else:
                if part not in node:
                    node[part] = {}
                node = node[part]
        last = parts[-1]
        if isinstance(node, list):
            raise ScenarioError(f"--set {key}: name a field of the list item", file=file)
        node[last] = value
    return out


def _split_key(key: str) -> list:
    parts: list = []
    for chunk in key.split("."):
        while "[" in chunk:
            head, _, rest = chunk.partition("[")
            if head:
                parts.append(head)
            index, _, chunk = rest.partition("]")
            parts.append(int(index))
        if chunk:
            parts.append(chunk)
    return parts


def _list_item(items: list, part, key: str, file: str):
    if isinstance(part, int):
        if not 0 <= part < len(items):
            raise ScenarioError(
                f"--set {key}: index {part} out of range (0..{len(items) - 1})", file=file
            )
        return items[part]
    for item in items:
        if isinstance(item, dict) and item.get("name") == part:
            return item
    names = [i.get("name") for i in items if isinstance(i, dict)]
    raise ScenarioError(f"--set {key}: no item named {part!r}; names: {names}", file=file)
