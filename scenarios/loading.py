"""Reading scenario files: TOML -> validated :class:`~scenarios.schema.Scenario`, errors
explained by field with the nearest valid key, relative paths resolved against the file,
dotted-key settings for ``--set`` and sweeps, and writing a scenario back as TOML.
"""

from __future__ import annotations

import copy
import difflib
import re
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from scenarios.errors import ScenarioError
from scenarios.schema import PATTERN_WORDS, Scenario

#: Dotted fields that hold file paths (resolved against the scenario file's folder).
PATH_FIELDS = (
    "site.climate",
    "grid.carbon.file",
    "grid.market.carbon_free_file",
    "grid.price.file",
    "workload.jobs",
    "forecast.file",
    "onsite.pv.csv",
    "onsite.wind.csv",
    "heat_reuse.csv",
)
#: File endings of a weather file (a site.climate without one is a climate name).
WEATHER_SUFFIXES = (".epw", ".csv", ".tm2")
#: Largest scenario file [bytes], refused before parsing: the built-in scenarios are
#: ~2 kB and one of 1,000 pods ~100 kB; TOML parsing holds the whole text and more.
MAX_SCENARIO_BYTES = 1_000_000
#: Deepest nesting of tables and arrays in a scenario [levels]: a scenario needs 4
#: (``pods[].inference.utilisation``, ``facility.group.key``); much deeper nesting only
#: exhausts the parser's and the validator's stack.
MAX_NESTING = 16
#: Most problems one message lists (one line; the rest are counted).
MAX_PROBLEMS_SHOWN = 5
#: How ``--set`` keys are written (repeated in every message about a malformed key).
SET_KEY_FORMS = (
    "keys are dotted names such as grid.price.flat_per_kwh, with list items by index "
    "(pods[0].rack_kw) or by name (pods.NAME.rack_kw)"
)


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
        try:
            path = Path(value).expanduser()
            if not path.is_absolute():
                set_field(out, dotted, str((base_dir / path).resolve()))
        except (ValueError, OSError, RuntimeError):  # a NUL byte, a bad ~user: the schema names it
            continue
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


#: pydantic error types about a number's size (the message then gives the valid range).
_RANGE_ERRORS = frozenset(
    {"finite_number", "greater_than", "greater_than_equal", "less_than", "less_than_equal"}
)


def _number_text(value) -> str:
    """A bound as people write it: 100,000 and -1,000 and 0.5 (not 1e+05)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _constraints_at(model: type[BaseModel], loc: tuple) -> list:
    """The annotated-types constraints (Ge, Le, ...) of the field ``loc`` leads to,
    following lists and tuples to their items; empty when there are none."""
    current: Any = model
    metadata: list = []
    for part in loc:
        if typing.get_origin(current) in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(current) if a is not type(None)]
            current = options[0] if len(options) == 1 else current  # X | None -> X
        if isinstance(part, str):
            if not (isinstance(current, type) and issubclass(current, BaseModel)):
                return []
            info = current.model_fields.get(part)
            if info is None:
                return []
            current, metadata = info.annotation, list(info.metadata)
        else:
            args = typing.get_args(current)
            if typing.get_origin(current) is tuple and part < len(args):
                current = args[part]
            elif typing.get_origin(current) is list and args:
                current = args[0]
            else:
                return []
            metadata = []
        if typing.get_origin(current) is typing.Annotated:
            current, *extra = typing.get_args(current)
            for item in extra:
                metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    return metadata


def _range_text(loc: tuple, model: type[BaseModel] = Scenario) -> str:
    """``valid: 0 < value <= 500`` for a field with bounds, else an empty string."""
    low = high = ""
    for c in _constraints_at(model, loc):
        if isinstance(c, annotated_types.Ge):
            low = f"{_number_text(c.ge)} <= "
        elif isinstance(c, annotated_types.Gt):
            low = f"{_number_text(c.gt)} < "
        elif isinstance(c, annotated_types.Le):
            high = f" <= {_number_text(c.le)}"
        elif isinstance(c, annotated_types.Lt):
            high = f" < {_number_text(c.lt)}"
    return f"valid: {low}value{high}" if low or high else ""


def explain_validation_error(exc: ValidationError, file: str,
                             model: type[BaseModel] = Scenario) -> ScenarioError:
    """One ScenarioError, one line, naming each problem with its field and a fix
    (numbers out of bounds, NaN or infinite with their valid range; an unknown key with
    the valid keys of ``model`` there); the first :data:`MAX_PROBLEMS_SHOWN` problems are
    listed and the rest counted."""
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p not in ("function-after",))
        field = _cut(_loc_text(loc), 120)
        if err["type"] == "extra_forbidden":
            valid = _field_names_at(model, loc[:-1])
            near = difflib.get_close_matches(str(loc[-1]), valid, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            lines.append(f"{field}: unknown key{hint or '.'} Valid keys here: {', '.join(valid)}")
        elif err["type"] == "missing":
            lines.append(f"{field}: required field is missing")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            pattern = (err.get("ctx") or {}).get("pattern")
            if err["type"] == "string_pattern_mismatch" and pattern in PATTERN_WORDS:
                msg = f"{_cut(repr(err.get('input')), 60)} {PATTERN_WORDS[pattern]}"
            if err["type"] in _RANGE_ERRORS and (valid := _range_text(loc, model)):
                msg = f"{msg} ({valid})"
            lines.append(f"{field}: {msg}" if field else msg)
    if len(lines) == 1:
        return ScenarioError(lines[0], file=file)
    shown = "; ".join(lines[:MAX_PROBLEMS_SHOWN])
    more = len(lines) - MAX_PROBLEMS_SHOWN
    rest = f"; and {more} more" if more > 0 else ""
    return ScenarioError(f"{len(lines)} problems: {shown}{rest}", file=file)


def _cut(text: str, limit: int = 80) -> str:
    """``text`` shortened for a message (hostile input can be megabytes long)."""
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def check_nesting(data: Any, file: str = "<scenario>") -> None:
    """Refuse tables and arrays nested deeper than :data:`MAX_NESTING` (walked without
    recursion, so any depth is safe to check).

    Raises
    ------
    ScenarioError
        Naming the deepest key path (shortened) and the bound.
    """
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        node, loc = stack.pop()
        if len(loc) > MAX_NESTING:
            raise ScenarioError(
                f"{_cut(_loc_text(loc))}: tables or arrays nested more than {MAX_NESTING} "
                "levels deep; a scenario needs at most 4, so flatten it",
                file=file,
            )
        if isinstance(node, dict):
            stack.extend((value, (*loc, str(key))) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, (*loc, i)) for i, value in enumerate(node))


def parse_scenario_text(content: str | bytes, file: str = "<scenario>") -> dict:
    """Raw scenario data from the text (or bytes) of a TOML file, with every way the
    text can be unusable named: too large, binary, not UTF-8, not TOML, nested too
    deeply, empty.

    Raises
    ------
    ScenarioError
        Naming ``file`` and what is wrong (a TOML syntax error with its line).
    """
    if len(content) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"larger than {MAX_SCENARIO_BYTES // 1_000_000} MB; a scenario file is a few kB "
            "(is this the right file?)",
            file=file,
        )
    if isinstance(content, bytes):
        if b"\x00" in content:
            raise ScenarioError("is a binary file, not a TOML text file", file=file)
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                f"not a UTF-8 text file (byte {exc.start + 1} is not UTF-8); save it as UTF-8",
                file=file,
            ) from None
    if "\x00" in content:
        raise ScenarioError("is a binary file, not a TOML text file", file=file)
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {_cut(str(exc), 160)}", file=file) from None
    except RecursionError:
        raise ScenarioError(
            f"tables or arrays nested too deeply to read; a scenario needs at most 4 levels "
            f"(the limit is {MAX_NESTING}), so flatten it",
            file=file,
        ) from None
    if not data:
        raise ScenarioError(
            "the file is empty (no settings); start from a built-in scenario: "
            "coolshift examples --write DIR",
            file=file,
        )
    check_nesting(data, file)
    return data


def read_scenario_data(path: str | Path) -> dict:
    """The raw data of a scenario TOML file, read once and at most
    :data:`MAX_SCENARIO_BYTES` of it (a larger file is refused before parsing).

    Raises
    ------
    ScenarioError
        Missing, not a regular file, unreadable, or unusable text (see
        :func:`parse_scenario_text`).
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        if path.exists():
            raise ScenarioError(
                "is not a regular file (a folder or a device?); give a scenario TOML file",
                file=file,
            )
        raise ScenarioError("scenario file does not exist", file=file)
    try:
        with open(path, "rb") as fh:
            content = fh.read(MAX_SCENARIO_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"cannot be read ({exc.strerror})", file=file) from None
    return parse_scenario_text(content, file)


def scenario_from_dict(
    data: dict, *, file: str = "<scenario>", base_dir: Path | None = None
) -> Scenario:
    """Validate raw scenario data (as read from TOML) into a :class:`Scenario`."""
    check_nesting(data, file)
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
        Unreadable, too large, binary or not UTF-8 file, TOML syntax error (with line),
        nesting too deep, or invalid content.
    """
    path = Path(path)
    data = read_scenario_data(path)
    return scenario_from_dict(data, file=str(path), base_dir=path.resolve().parent)


def scenario_to_toml(scenario: Scenario) -> str:
    """The scenario as TOML text (paths absolute), to repeat the run from the CLI."""
    import tomli_w

    data = scenario.model_dump(mode="json", exclude_none=True)
    return tomli_w.dumps(data)


def apply_settings(data: dict, settings: dict[str, Any], file: str = "<scenario>") -> dict:
    """A copy of raw scenario data with dotted keys replaced (``--set`` and sweeps).

    Keys: ``grid.price.flat_per_kwh``, ``pods[0].rack_kw`` or ``pods.NAME.rack_kw``.
    A missing table on the way is created (``grid.market.renewable_share`` without a
    ``[grid.market]``); the schema then checks the result.

    Raises
    ------
    ScenarioError
        A malformed key (empty part, bad or negative index, a whole list item), an index
        out of range, no list item of that name, or a key that goes into a value that is
        no table (``site.name.sub``); the message names the key and the valid forms.
    """
    out = copy.deepcopy(data)
    for key, value in settings.items():
        parts = _split_key(key, file)
        node: Any = out
        for i, part in enumerate(parts[:-1]):
            index_next = isinstance(parts[i + 1], int)
            node = _step(node, part, parts[: i + 1], key, file, index_next)
        if not isinstance(node, dict):
            raise _key_error(key, f"{_path_text(parts[:-1])} is not a table", file)
        node[parts[-1]] = value
    return out


#: One part of a ``--set`` key: a name, optionally with one index (``pods[0]``).
_KEY_PART = re.compile(r"([^.\[\]]+)(?:\[([0-9]+)\])?")


def _key_error(key: str, problem: str, file: str) -> ScenarioError:
    return ScenarioError(f"--set {_cut(key)}: {problem}; {SET_KEY_FORMS}", file=file)


def _path_text(parts: list) -> str:
    return _cut(_loc_text(tuple(parts)), 60)


def _split_key(key: str, file: str = "<scenario>") -> list:
    """``"pods[0].rack_kw"`` -> ``["pods", 0, "rack_kw"]``, strictly: every part a
    non-blank name, at most one ``[INDEX]`` per part, INDEX a whole number >= 0, and
    the last part a name (a field, never a whole list item)."""
    if not key.strip():
        raise _key_error(key, "the key is empty", file)
    parts: list = []
    for chunk in key.split("."):
        if not chunk.strip():
            raise _key_error(key, "a part between dots is empty", file)
        match = _KEY_PART.fullmatch(chunk)
        if match is None or not match.group(1).strip():
            problem = f"{_cut(chunk, 40)!r} is not NAME or NAME[INDEX] (INDEX a whole number >= 0)"
            raise _key_error(key, problem, file)
        parts.append(match.group(1))
        if match.group(2) is not None:
            parts.append(int(match.group(2)))
    if isinstance(parts[-1], int):
        raise _key_error(key, "the key names a whole list item; name one of its fields", file)
    return parts


def _step(node: Any, part, walked: list, key: str, file: str, index_next: bool) -> Any:
    """The value at ``part`` inside ``node`` (a missing table is created)."""
    if isinstance(node, list):
        return _list_item(node, part, key, file)
    if not isinstance(node, dict):
        raise _key_error(key, f"{_path_text(walked[:-1])} is not a table or list", file)
    if isinstance(part, int):
        raise _key_error(key, f"{_path_text(walked[:-1])} is a table, not a list", file)
    if part not in node:
        if index_next:
            raise _key_error(key, f"the scenario has no list {_path_text(walked)}", file)
        node[part] = {}
    return node[part]


def _list_item(items: list, part, key: str, file: str):
    if isinstance(part, int):
        if not 0 <= part < len(items):
            raise ScenarioError(
                f"--set {_cut(key)}: index {_cut(str(part), 20)} out of range "
                f"(0..{len(items) - 1})",
                file=file,
            )
        return items[part]
    for item in items:
        if isinstance(item, dict) and item.get("name") == part:
            return item
    names = [i.get("name") for i in items if isinstance(i, dict)]
    raise ScenarioError(
        f"--set {_cut(key)}: no item named {_cut(part, 40)!r}; names: {_cut(str(names), 200)}",
        file=file,
    )
