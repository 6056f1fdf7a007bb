"""Reading scenario files: TOML -> validated :class:`~scenarios.schema.Scenario`, errors
explained by field with the nearest valid key, relative paths resolved against the file,
dotted-key settings for ``--set`` and sweeps, and writing a scenario back as TOML.
"""

from __future__ import annotations

import copy
import difflib
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from scenarios.errors import ScenarioError
from scenarios.schema import Scenario

#: Dotted fields that hold file paths (resolved against the scenario file's folder).
PATH_FIELDS = (
    "site.climate",
    "grid.carbon.file",
    "grid.market.carbon_free_file",
    "grid.price.file",
    "workload.jobs",
)
#: File endings of a weather file (a site.climate without one is a climate name).
WEATHER_SUFFIXES = (".epw", ".csv", ".tm2")


def _get(data: dict, dotted: str):
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_field(data: dict, dotted: str, value) -> None:
    """Set the raw scenario field ``dotted`` (e.g. ``"grid.price.file"``) in place."""
    node = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def is_climate_name(value: str) -> bool:
    """Whether a ``site.climate`` value is a built-in climate's name (any other value
    is a weather file's path, however it is spelled)."""
    from thermal.weather import list_climates  # here: keeps this module light to import

    return value.strip().lower() in list_climates()


def file_fields(data: dict) -> dict[str, str]:
    """The raw scenario's fields that name a file: dotted field -> the value as written.

    Every non-empty text in a path field is a file, except a ``site.climate`` that is a
    built-in climate's name. The decision never looks at how the path ends: a value such
    as ``"/x/file.epw/."`` or ``"../../etc/passwd/."`` is a file too.
    """
    out = {}
    for dotted in PATH_FIELDS:
        value = _get(data, dotted)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if dotted == "site.climate" and isinstance(value, str) and is_climate_name(value):
            continue
        out[dotted] = value if isinstance(value, str) else repr(value)
    return out


def resolve_paths(data: dict, base_dir: Path) -> dict:
    """A copy of raw scenario data with relative file paths made absolute."""
    out = copy.deepcopy(data)
    for dotted, value in file_fields(out).items():
        path = Path(value).expanduser()
        if not path.is_absolute():
            set_field(out, dotted, str((base_dir / path).resolve()))
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
