"""Uploaded files: size, type and content checks, a private copy per session, and the rule
that a scenario reads no file but this session's uploads.

Nothing here executes what it reads: TOML goes through the scenario layer's checked parser
(``scenarios.loading.parse_scenario_text``), CSV and weather files
are only sniffed as text here and parsed by the scenario layer's readers afterwards.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from pathlib import Path

from scenarios.errors import ScenarioError
from scenarios.loading import WEATHER_SUFFIXES, file_fields, parse_scenario_text, set_field

#: Largest accepted upload [MB]; also ``server.maxUploadSize`` in .streamlit/config.toml.
MAX_UPLOAD_MB = 20
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
#: Accepted extensions by kind of file.
EXTENSIONS = {
    "scenario": (".toml",),
    "weather": WEATHER_SUFFIXES,
    "carbon": (".csv",),
    "price": (".csv",),
    "jobs": (".csv",),
    "data": WEATHER_SUFFIXES,  # .csv covers carbon, price and jobs files
}
UPLOADS = "uploads"


def _suffix(name: str) -> str:
    return Path(name).suffix.lower()


def safe_name(name: str) -> str:
    """The file's base name with anything but letters, digits, ``.``, ``-``, ``_`` replaced."""
    base = Path(str(name).replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip(".")[-100:]
    return cleaned or "upload"


def _text(name: str, data: bytes) -> str:
    if b"\x00" in data[:65536]:
        raise ScenarioError("is a binary file, not text; upload the text file itself", file=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def check_upload(name: str, data: bytes, kind: str) -> str:
    """Check an upload's size, extension and content before anything parses it.

    Parameters
    ----------
    name : str
        The file name the browser sent.
    data : bytes
        The file's content.
    kind : {"scenario", "weather", "carbon", "price", "jobs", "data"}
        A jobs CSV is checked as a CSV table here; its columns and cells by the reader
        every jobs file goes through (``optimizer.readers.read_jobs``).

    Returns
    -------
    str
        The content as text.

    Raises
    ------
    ScenarioError
        Too large, empty, wrong extension, binary, or not the expected kind of text.
    """
    allowed = EXTENSIONS[kind]
    if _suffix(name) not in allowed:
        raise ScenarioError(
            f"a {kind} file must end in {' or '.join(allowed)}, not {_suffix(name) or 'nothing'}",
            file=name,
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise ScenarioError(
            f"is {len(data) / 1e6:.1f} MB; uploads are limited to {MAX_UPLOAD_MB} MB", file=name
        )
    if not data.strip():
        raise ScenarioError("is empty", file=name)
    text = _text(name, data)
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    suffix = _suffix(name)
    if kind == "scenario":
        parse_scenario_text(data, file=name)  # the CLI's checks: TOML, nesting, size
    elif suffix == ".epw" and not first.upper().startswith("LOCATION"):
        raise ScenarioError(
            "is not an EPW weather file (its first line must start with LOCATION)", file=name
        )
    elif kind == "weather" and suffix == ".csv" and first.count(",") < 6:
        raise ScenarioError(
            "is not a TMY3 weather file (its first line must hold the station: id, name, "
            "state, time zone, latitude, longitude, elevation)",
            file=name,
        )
    elif suffix == ".csv" and kind != "weather":
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2 or lines[0].count(",") < 1:
            raise ScenarioError(
                "is not a CSV table (a header with at least two columns and one data row)",
                file=name,
            )
    return text


def save_upload(name: str, data: bytes, session_dir: Path) -> Path:
    """A private copy of an upload in the session's folder, named by its content hash."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    folder = Path(os.path.realpath(session_dir / UPLOADS)) / digest
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe_name(name)
    path.write_bytes(data)
    return path


def accept_upload(name: str, data: bytes, kind: str, session_dir: Path) -> Path:
    """:func:`check_upload`, then :func:`save_upload`: the saved file's path."""
    check_upload(name, data, kind)
    return save_upload(name, data, session_dir)


#: The one message for every file a scenario in the app may not read (no detail, so the
#: message says nothing about what exists on the server).
NOT_AN_UPLOAD = (
    "names a file that is not among this session's uploads; upload it on the Site page "
    "(the app never reads files from the server's disk)"
)


def is_session_upload(value: object, session_dir: Path) -> bool:
    """Whether ``value`` is exactly the path of one of this session's saved uploads.

    Decided on the text first, with the file system asked only to resolve links: the
    value must be an absolute path already in normal form (no ``.``, ``..``, ``~``,
    doubled or trailing separators), with no symbolic link on the way, naming a file two
    levels below the session's upload folder (``uploads/<content hash>/<name>``).
    """
    if not isinstance(value, str) or not value or "\x00" in value:
        return False
    if not os.path.isabs(value) or os.path.normpath(value) != value:
        return False
    root = os.path.realpath(session_dir / UPLOADS)
    if not value.startswith(root + os.sep):
        return False
    parts = value[len(root) + 1 :].split(os.sep)
    if len(parts) != 2 or any(part in ("", ".", "..") for part in parts):
        return False
    return os.path.realpath(value) == value and os.path.isfile(value)


def check_paths(data: dict, session_dir: Path) -> None:
    """Refuse a scenario that names any file other than this session's uploads.

    Every value of a path field that is not a built-in climate's name must be the exact
    path of one of this session's uploads (:func:`is_session_upload`); anything else,
    whether or not it exists, gets the same message (:data:`NOT_AN_UPLOAD`).

    Raises
    ------
    ScenarioError
        Naming the field and telling the user to upload the file on the Site page.
    """
    for dotted, value in file_fields(data).items():
        if not is_session_upload(value, session_dir):
            raise ScenarioError(NOT_AN_UPLOAD, field=dotted)


def attach_files(data: dict, attachments: dict[str, Path], file: str) -> dict:
    """Point an uploaded scenario's file fields at the files uploaded with it.

    Parameters
    ----------
    data : dict
        Raw scenario data as read from the uploaded TOML.
    attachments : dict
        Base name as uploaded -> the session's private copy.
    file : str
        The scenario's file name (for messages).

    Raises
    ------
    ScenarioError
        The scenario names files that were not uploaded with it (all of them listed).
    """
    out = copy.deepcopy(data)
    by_name = {safe_name(k): v for k, v in attachments.items()}
    missing = []
    for dotted, value in file_fields(out).items():
        base = safe_name(value)
        if base in by_name:
            set_field(out, dotted, str(by_name[base]))
        else:
            missing.append(f"{Path(value.replace(chr(92), '/')).name} ({dotted})")
    if missing:
        raise ScenarioError(
            "names file(s) that were not uploaded with it: "
            + ", ".join(missing)
            + ". Upload them together with the scenario (Site page) or the fleet (Fleet "
            "page); the app never "
            "reads files from the server's disk.",
            file=file,
        )
    return out


def portable_data(data: dict, session_dir: Path) -> dict:
    """Raw scenario data with this session's upload paths shortened to bare file names,
    so the scenario runs from a folder holding those files (``coolshift run``)."""
    out = copy.deepcopy(data)
    root = (session_dir / UPLOADS).resolve()
    for dotted, value in file_fields(out).items():
        path = Path(value)
        if path.is_absolute() and path.resolve().is_relative_to(root):
            set_field(out, dotted, path.name)
    return out
