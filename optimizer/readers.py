"""Readers of the scheduler's user files: jobs, hourly signals and pods as CSV.

Each reader checks the file's size before parsing it, reads every cell as text, and
turns each cell into a typed value with an error that names the file, the row (as a
spreadsheet shows it: the header is row 1) and the column. The results are the plain
pandas inputs of :func:`optimizer.solve_schedule`.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import ScheduleInputError
from optimizer.fleet import FLEET_JOB_COLUMNS
from optimizer.problem import JOB_COLUMNS, JOB_OPTIONAL_COLUMNS, Pods, pods_from_table

SIGNAL_REQUIRED = ("timestamp", "price_per_kwh", "carbon_g_per_kwh")
SIGNAL_OPTIONAL = ("facility_factor", "fixed_overhead_kw")
POD_REQUIRED = ("pod", "capacity_kw")
POD_OPTIONAL = ("cooling_capacity_kw", "baseline_kw")

#: Largest CSV file any reader parses [bytes]. 100,000 jobs take about 10 MB and ten
#: years of hourly signals about 5 MB; the bound keeps a runaway file from taking
#: gigabytes of memory in the parser (pandas holds ~10-20x the file size as text cells).
MAX_CSV_BYTES = 64 * 1024 * 1024
#: Most jobs in one file (the scenario generator's bound too).
MAX_JOBS = 100_000
#: Most hourly rows of a signals file (ten years of hours).
MAX_SIGNAL_ROWS = 87_840
#: Most pods in one file.
MAX_PODS = 1_000
#: Largest job power [kW] and duration [h] a row may give: a 100 MW job is far above any
#: single training run today; a duration longer than ten years cannot fit any horizon.
MAX_JOB_POWER_KW = 1e5
MAX_JOB_DURATION_H = 87_840.0
#: Bounds of hourly signals: prices up to 1,000 per kWh (any currency; the highest
#: scarcity prices in wholesale markets are ~10 per kWh) and intensities up to
#: 2,000 gCO2/kWh (lignite is ~1,100); a larger value is a unit mistake.
MAX_PRICE_PER_KWH = 1e3
MAX_CARBON_G_PER_KWH = 2e3
#: Largest pod capacity [kW]: 1 GW, a whole campus.
MAX_POD_KW = 1e6
#: Least difflib similarity for an unknown column to be named as meant for a known one
#: (judgement: 'site' -> 'sites' is 0.89, 'pod' -> 'pods' 0.86; at difflib's default 0.6
#: 'notes' was offered 'sites').
NEAR_COLUMN_CUTOFF = 0.75
#: Longest job id or pod name [characters]: ids are repeated in schedules, reports and
#: messages; a longer one is a pasted cell, not a name.
MAX_ID_CHARS = 200


def check_file_size(path: Path, label: str, max_bytes: int = MAX_CSV_BYTES) -> None:
    """Refuse a missing, non-regular or too-large file before anything parses it.

    Raises
    ------
    ScheduleInputError
        Naming ``label``, the size and the limit.
    """
    try:
        info = os.stat(path)
    except OSError:
        raise ScheduleInputError(f"{label}: file {str(path)!r} does not exist") from None
    if not Path(path).is_file():
        raise ScheduleInputError(f"{label}: {str(path)!r} is not a regular file")
    if info.st_size > max_bytes:
        raise ScheduleInputError(
            f"{label}: the file is {info.st_size / 2**20:,.0f} MB; coolshift reads CSV files "
            f"of up to {max_bytes / 2**20:,.0f} MB (split it, or keep only the rows you need)"
        )


def read_table(
    path: Path,
    label: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    max_rows: int | None = None,
    unused: tuple[str, ...] = (),
) -> pd.DataFrame:
    """A CSV file as a table of stripped text cells with the required columns, indexed
    by each row's number as a spreadsheet shows the file (:func:`spreadsheet_rows`).

    Every column must be one of ``required``, ``optional`` or ``unused`` (columns this
    reader accepts and leaves out, e.g. a fleet's columns in a one-site run), named once:
    a misspelt column (``site`` for ``sites``) would otherwise be dropped without a word
    and its meaning (a job's data residency) lost. A column with no name is left out when
    it has no values (a trailing comma of a spreadsheet export) or is the first (the row
    index pandas' ``to_csv`` and R's ``write.csv`` write by default).

    Raises
    ------
    ScheduleInputError
        Too large, binary, not CSV, a column unknown or named twice, missing columns or
        too many rows.
    """
    check_file_size(path, label)
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if b"\x00" in head:
        raise ScheduleInputError(f"{label}: is a binary file, not a CSV text file")
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            nrows=None if max_rows is None else max_rows + 1,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)[:200]
        raise ScheduleInputError(f"{label}: cannot be read as CSV ({reason})") from None
    frame.index = spreadsheet_rows(text, len(frame))
    frame.columns = _checked_header(text, label, len(frame.columns))
    _check_columns(label, list(frame.columns), required, optional, unused)
    for column in [c for c in frame.columns if c.startswith("\x00")]:
        filled = frame[column].str.strip() != ""
        if filled.any() and column != "\x001":  # a nameless first column: a row index
            raise ScheduleInputError(
                f"{label}: column {column[1:]} has no name in the header but row "
                f"{frame.index[filled.argmax()]} has a value in it; name the column or "
                "remove it")
        frame = frame.drop(columns=column)
    if max_rows is not None and len(frame) > max_rows:
        raise ScheduleInputError(f"{label}: more than {max_rows:,} rows; the limit is {max_rows:,}")
    return frame.apply(lambda col: col.str.strip())


def _checked_header(text: str, label: str, width: int) -> list[str]:
    """The stripped column names of a CSV text's header row (``width`` of them, as the
    parser read them), each named once; a nameless column is given a name starting with
    NUL, for the caller to drop when it has no values."""
    header: list[str] = []
    try:  # the first record pandas does not skip as blank (as spreadsheet_rows counts)
        header = next(r for r in csv.reader(io.StringIO(text)) if len(r) > 1 or "".join(r).strip())
    except (StopIteration, csv.Error):
        pass
    # stripped, and unquoted: a header written '"a", "b"' (a space after the comma) keeps
    # the second name's quotes in a CSV reader
    header = [re.sub(r'^"(.*)"$', r"\1", c.strip()).strip() for c in header]
    if len(header) != width:  # a dialect the two read differently: check what pandas read
        header = [f"Unnamed: {k}" if k >= len(header) else header[k] for k in range(width)]
    seen: dict[str, int] = {}
    names = []
    for k, name in enumerate(header, start=1):
        if name == "":
            names.append(f"\x00{k}")
            continue
        if name in seen:
            raise ScheduleInputError(
                f"{label}: the column {name[:40]!r} is named twice in the header (columns "
                f"{seen[name]} and {k}); keep one of them")
        seen[name] = k
        names.append(name)
    return names


def _meant(name: str, known: tuple[str, ...]) -> str | None:
    """The known column a header name was probably meant as: the same but for case,
    spaces or hyphens ('Job ID' for 'job_id'), or a near spelling ('site' for 'sites')."""
    def plain(text: str) -> str:
        return re.sub(r"[\s\-]+", "_", text.strip().lower())

    by_plain = {plain(c): c for c in known}
    if plain(name) in by_plain:
        return by_plain[plain(name)]
    near = difflib.get_close_matches(plain(name), list(by_plain), n=1,
                                   cutoff=NEAR_COLUMN_CUTOFF)
    return by_plain[near[0]] if near else None


def _check_columns(label: str, names: list[str], required: tuple[str, ...],
                   optional: tuple[str, ...], unused: tuple[str, ...]) -> None:
    """Every required column present and every column known. Missing columns are said
    first (a file that is not the kind asked for), with the columns there that look
    meant for them; otherwise the first unknown column, with the one it looks meant as
    (only a column this reader reads: pointing at an ``unused`` one would have it
    renamed and then dropped)."""
    read = required + optional
    unknown = [(k, n) for k, n in enumerate(names, start=1)
               if not n.startswith("\x00") and n not in read + unused]
    missing = [c for c in required if c not in names]
    may = f", and may have {', '.join(optional)}" if optional else ""
    if missing:
        meant = [f"{n[:40]!r} looks meant as {m!r}" for _, n in unknown
                 if (m := _meant(n, read)) in missing]
        hint = f" ({'; '.join(meant)})" if meant else ""
        raise ScheduleInputError(
            f"{label}: missing column(s) {', '.join(missing)}{hint}; the file needs the "
            f"columns {', '.join(required)}{may}")
    if unknown:
        k, name = unknown[0]
        meant_as = _meant(name, read)
        hint = f"did you mean {meant_as!r}? " if meant_as else ""
        raise ScheduleInputError(
            f"{label}: column {k} {name[:40]!r} is not a column coolshift reads; {hint}the "
            f"file needs the columns {', '.join(required)}{may}; coolshift reads no other "
            "column, so rename this one or remove it")


def spreadsheet_rows(text: str, count: int | None = None) -> pd.Index:
    """The row number of each data record of a CSV text (the first ``count``; all if
    None) as a spreadsheet or an editor shows the file: the header is row 1, and the
    blank lines pandas' reader skips and the lines inside quoted cells count.

    A record is numbered by the line it starts on. Should the scan find fewer records
    than the reader kept (a dialect the two read differently), records are numbered
    from 2 on, as if the file had no blank line.
    """
    reader = csv.reader(io.StringIO(text))
    rows, line = [], 0
    try:
        for record in reader:
            if len(record) > 1 or "".join(record).strip():  # pandas skips the others
                rows.append(line + 1)
            line = reader.line_num
            if count is not None and len(rows) > count:
                break
    except csv.Error:  # pandas read what the csv module cannot: keep what was found
        pass
    rows = rows[1:] if count is None else rows[1:count + 1]  # rows[0] is the header
    if count is not None and len(rows) != count:
        return pd.RangeIndex(2, count + 2)
    return pd.Index(rows)


def file_row_of(path, k: int) -> int:
    """The row of the file ``path`` (as :func:`spreadsheet_rows` numbers it) that holds
    its ``k``-th record (1-based) as read; ``k + 1`` if the file cannot be read again."""
    try:
        rows = spreadsheet_rows(Path(path).read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return k + 1
    return int(rows[k - 1]) if 1 <= k <= len(rows) else k + 1


def cell_error(label: str, row: int, column: str, what: str) -> ScheduleInputError:
    """An error naming the file, the row (as a spreadsheet shows it: the header is row 1)
    and the column."""
    return ScheduleInputError(f"{label} row {row}, column '{column}': {what}")


def parse_name(label: str, row: int, column: str, text: str) -> str:
    """A job id or pod name: not empty, at most :data:`MAX_ID_CHARS` characters."""
    if text == "":
        raise cell_error(label, row, column, "empty name")
    if len(text) > MAX_ID_CHARS:
        raise cell_error(
            label, row, column,
            f"{text[:40]!r}... is {len(text):,} characters long; at most {MAX_ID_CHARS}",
        )
    return text


def parse_pod_list(label: str, row: int, column: str, text: str) -> str | None:
    """A ``|``-separated list of pod names (empty: any pod), bounded in count and length."""
    if text == "":
        return None
    names = text.split("|")
    if len(names) > MAX_PODS:
        raise cell_error(label, row, column, f"{len(names):,} pods listed; at most {MAX_PODS:,}")
    for name in names:
        parse_name(label, row, column, name.strip())
    return text


def parse_timestamp(label: str, row: int, column: str, text: str) -> pd.Timestamp:
    """An ISO 8601 timestamp with a UTC offset, within pandas' range of dates."""
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
        raise cell_error(
            label, row, column, f"{text[:40]!r} is not an ISO 8601 timestamp between 1678 and 2261"
        ) from None
    if pd.isna(ts):
        raise cell_error(label, row, column, "missing timestamp")
    if ts.tzinfo is None:
        raise cell_error(label, row, column, f"{text[:40]!r} has no UTC offset (e.g. +08:00)")
    return ts


def parse_number(
    label: str,
    row: int,
    column: str,
    text: str,
    *,
    allow_empty: bool = False,
    low: float | None = None,
    high: float | None = None,
) -> float:
    """A finite number within ``[low, high]`` (NaN for an allowed empty cell)."""
    if text == "" and allow_empty:
        return np.nan
    try:
        value = float(text)
    except ValueError:
        raise cell_error(label, row, column, f"{text[:40]!r} is not a number") from None
    if not np.isfinite(value):
        raise cell_error(label, row, column, f"{text[:40]!r} is not a finite number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise cell_error(
            label, row, column, f"{value:g} is outside the valid range {low:g} to {high:g}"
        )
    return value


def read_signals(path: Path, label: str | None = None, timezone: str | None = None
                 ) -> pd.DataFrame:
    """Hourly signals (``timestamp``, ``price_per_kwh``, ``carbon_g_per_kwh``, and
    optionally ``facility_factor`` [-], ``fixed_overhead_kw`` [kW]) indexed by hour.

    The index is in ``timezone`` (an IANA name; the demand charge's billing months are
    its calendar months) or, without one, in the file's UTC offset, which must then be
    the same in every row: a file whose offset changes (daylight saving) needs the zone
    named, or its months would be billed an hour off at each change.
    """
    label = label or Path(path).name
    raw = read_table(path, label, SIGNAL_REQUIRED, SIGNAL_OPTIONAL, MAX_SIGNAL_ROWS)
    if raw.empty:
        raise ScheduleInputError(f"{label}: no rows")
    stamps = [parse_timestamp(label, row, "timestamp", s) for row, s in raw["timestamp"].items()]
    index = pd.DatetimeIndex(pd.to_datetime([s.isoformat() for s in stamps], utc=True))
    if timezone is not None:
        index = index.tz_convert(timezone)
    else:
        offsets = [s.utcoffset() for s in stamps]
        changed = next((k for k, o in enumerate(offsets) if o != offsets[0]), None)
        if changed is not None:
            raise cell_error(
                label, raw.index[changed], "timestamp",
                f"the UTC offset changes here ({stamps[0].strftime('%z')} before, "
                f"{stamps[changed].strftime('%z')} from this row: daylight saving?); name the "
                "time zone with --timezone (e.g. Europe/Berlin) so that months are billed on "
                "its calendar")
        index = index.tz_convert(stamps[0].tzinfo)
    bounds = {
        "price_per_kwh": (-MAX_PRICE_PER_KWH, MAX_PRICE_PER_KWH),
        "carbon_g_per_kwh": (0.0, MAX_CARBON_G_PER_KWH),
        "facility_factor": (1.0, 10.0),
        "fixed_overhead_kw": (0.0, MAX_POD_KW),
    }
    columns = {}
    for col, (low, high) in bounds.items():
        if col in raw.columns:
            columns[col] = [
                parse_number(label, row, col, s, low=low, high=high) for row, s in raw[col].items()
            ]
    signals = pd.DataFrame(columns, index=index)
    step = np.diff(index.asi8)
    bad = np.flatnonzero(step != step[0]) if len(step) else []
    if len(step) and (len(bad) or index[1] - index[0] != pd.Timedelta(hours=1)):
        i = int(bad[0]) + 1 if len(bad) else 1
        raise cell_error(label, raw.index[i], "timestamp", "timestamps must be hourly and consecutive")
    return signals


#: Largest data a job may move [TB]: 1 EB is far above any training set.
MAX_DATA_TB = 1e6


def read_jobs(path: Path, label: str | None = None, fleet: bool = False) -> pd.DataFrame:
    """A jobs CSV as the optimizer's jobs table; errors name ``label`` (default: the
    file's name), the row and the column. ``fleet``: the file may also have the fleet's
    columns ``home``, ``sites`` (``|``-separated), ``data_tb`` [TB] and ``latency``
    (:mod:`optimizer.fleet`; their meaning is checked there against the fleet's sites)."""
    label = label or Path(path).name
    optional = JOB_OPTIONAL_COLUMNS + (FLEET_JOB_COLUMNS if fleet else ())
    raw = read_table(path, label, JOB_COLUMNS, optional, MAX_JOBS,
                     unused=() if fleet else FLEET_JOB_COLUMNS)
    if raw.empty:
        raise ScheduleInputError(f"{label}: no jobs")
    rows = []
    for file_row, r in zip(raw.index, raw.to_dict("records"), strict=True):
        if r["job_id"] == "":
            raise cell_error(label, file_row, "job_id", "empty job id")
        row = {
            "job_id": parse_name(label, file_row, "job_id", r["job_id"]),
            "release": parse_timestamp(label, file_row, "release", r["release"]),
            "deadline": parse_timestamp(label, file_row, "deadline", r["deadline"]),
            "duration_h": parse_number(
                label, file_row, "duration_h", r["duration_h"], low=0.0, high=MAX_JOB_DURATION_H
            ),
            "power_kw": parse_number(
                label, file_row, "power_kw", r["power_kw"], low=0.0, high=MAX_JOB_POWER_KW
            ),
        }
        flag = r["preemptible"].lower()
        if flag not in ("true", "false", "1", "0", "yes", "no"):
            raise cell_error(label, file_row, "preemptible", f"{r['preemptible'][:40]!r} is not true/false")
        row["preemptible"] = flag in ("true", "1", "yes")
        if "max_interruptions" in raw.columns:
            k = parse_number(
                label, file_row, "max_interruptions", r["max_interruptions"], allow_empty=True,
                low=0.0, high=1e6,
            )
            if not np.isnan(k) and k != int(k):
                raise cell_error(label, file_row, "max_interruptions", "must be a whole number >= 0")
            row["max_interruptions"] = None if np.isnan(k) else int(k)
        if "restart_overhead_h" in raw.columns:
            o = parse_number(
                label, file_row, "restart_overhead_h", r["restart_overhead_h"], allow_empty=True,
                low=0.0, high=MAX_JOB_DURATION_H,
            )
            row["restart_overhead_h"] = 0.0 if np.isnan(o) else o
        if "pods" in raw.columns:
            row["pods"] = parse_pod_list(label, file_row, "pods", r["pods"])
        if fleet:
            _fleet_cells(label, file_row, r, row, raw.columns)
        rows.append(row)
    jobs = pd.DataFrame(rows)
    if "max_interruptions" in jobs.columns:
        jobs["max_interruptions"] = pd.array(jobs["max_interruptions"], dtype="Int64")
    return jobs


def _fleet_cells(label: str, file_row: int, r: dict, row: dict, columns) -> None:
    """The fleet's cells of one jobs row, bounded (names, a site list, TB >= 0)."""
    for column in ("home", "latency"):
        if column in columns:
            row[column] = parse_name(label, file_row, column, r[column]) if r[column] else None
    if "sites" in columns:
        row["sites"] = parse_pod_list(label, file_row, "sites", r["sites"])
    if "data_tb" in columns:
        tb = parse_number(label, file_row, "data_tb", r["data_tb"], allow_empty=True, low=0.0,
                          high=MAX_DATA_TB)
        row["data_tb"] = 0.0 if np.isnan(tb) else tb


def read_pods(path: Path, hours: pd.DatetimeIndex, label: str | None = None) -> Pods:
    """Pods with constant capacities (``pod``, ``capacity_kw`` [kW], and optionally
    ``cooling_capacity_kw`` [kW], ``baseline_kw`` [kW]) on the hour grid ``hours``."""
    label = label or Path(path).name
    raw = read_table(path, label, POD_REQUIRED, POD_OPTIONAL, MAX_PODS)
    if raw.empty:
        raise ScheduleInputError(f"{label}: no pods")
    table: dict[str, list] = {"pod": [parse_name(label, row, "pod", s) for row, s in raw["pod"].items()]}
    for col in ("capacity_kw", *POD_OPTIONAL):
        if col in raw.columns:
            table[col] = [
                parse_number(
                    label, row, col, s, allow_empty=col != "capacity_kw", low=0.0, high=MAX_POD_KW
                )
                for row, s in raw[col].items()
            ]
    return pods_from_table(pd.DataFrame(table), hours)
