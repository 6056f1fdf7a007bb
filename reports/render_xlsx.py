"""XLSX renderer (openpyxl): a contents sheet, one sheet per table, and the hourly data
and schedule of every run. Numbers are stored as numbers, with units in the headers;
an empty cell is a value not available from the run."""

from __future__ import annotations

import datetime as dt
import io
import math
import re

import numpy as np
import pandas as pd

from reports import document as doc
from scenarios.errors import ScenarioError

MAX_SHEET_NAME = 31
MAX_COL_WIDTH = 60
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _openpyxl():
    try:
        import openpyxl
    except ImportError:
        raise ScenarioError(
            "XLSX output needs the Python package openpyxl: pip install 'openpyxl>=3.1'"
        ) from None
    return openpyxl


def sheet_name(key: str, taken: set[str]) -> str:
    """A valid, unique sheet name (<= 31 characters, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("_", key).strip("'") or "sheet"
    name = base[:MAX_SHEET_NAME]
    n = 2
    while name.lower() in taken:
        suffix = f" {n}"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _plain(value):
    """A value openpyxl stores natively: numpy scalars -> Python, NaN -> empty."""
    if value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else stamp.to_pydatetime()
    return value


class _Sheets:
    """Write-only workbook helpers (thin: holds styles and the taken names)."""

    def __init__(self):
        openpyxl = _openpyxl()
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill

        self.wb = openpyxl.Workbook(write_only=True)
        self.Cell = WriteOnlyCell
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=14, color="1F4E79")
        self.fill = PatternFill("solid", fgColor="DEE7F1")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.taken: set[str] = set()

    def sheet(self, key: str, widths: list[float]):
        ws = self.wb.create_sheet(sheet_name(key, self.taken))
        from openpyxl.utils import get_column_letter

        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), MAX_COL_WIDTH)
        ws.freeze_panes = "A2"
        return ws

    def header(self, ws, names: list[str]) -> None:
        cells = []
        for name in names:
            c = self.Cell(ws, value=name)
            c.font, c.fill, c.alignment = self.bold, self.fill, self.wrap
            cells.append(c)
        ws.append(cells)

    def value(self, ws, value, number_format: str = "General"):
        c = self.Cell(ws, value=_plain(value))
        if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
            c.number_format = number_format
        elif isinstance(c.value, dt.datetime):
            c.number_format = "yyyy-mm-dd hh:mm"
        return c


def _widths(headers: list[str], rows: list[list[str]]) -> list[float]:
    widths = [len(h) + 2 for h in headers]
    for row in rows[:200]:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], len(text) + 2)
    return [float(w) for w in widths]


def _table_sheet(s: _Sheets, table: doc.Table) -> str:
    headers = [c.header for c in table.columns]
    ws = s.sheet(table.key, _widths(headers, [[c.text for c in r] for r in table.rows]))
    s.header(ws, headers)
    for row in table.rows:
        ws.append([s.value(ws, cell.value, cell.number_format) for cell in row])
    return ws.title


def _data_sheet(s: _Sheets, sheet: doc.DataSheet) -> str:
    frame = sheet.frame
    index_name = str(frame.index.name or "index")
    headers = [index_name] + [
        f"{c} [{sheet.units[c]}]" if sheet.units.get(c) else str(c) for c in frame.columns
    ]
    ws = s.sheet(sheet.key, [min(len(h) + 2, 28) for h in headers])
    s.header(ws, headers)
    # plain values (no styled cells): fast for a year of hours; dates get a date format
    columns = [_column_values(frame.index)] + [_column_values(frame[c]) for c in frame.columns]
    for row in zip(*columns, strict=True):
        ws.append(row)
    return ws.title


def _column_values(values) -> list:
    """A column as Python values openpyxl stores natively (NaN and NaT -> empty)."""
    series = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    if pd.api.types.is_float_dtype(series):
        return [None if v != v else v for v in series.astype(float).tolist()]
    return [_plain(v) for v in series.tolist()]


def render_xlsx(report: doc.Report) -> bytes:
    """The report as XLSX bytes."""
    s = _Sheets()
    contents = s.wb.create_sheet(sheet_name("Contents", s.taken))
    contents.column_dimensions["A"].width = 26
    contents.column_dimensions["B"].width = 70
    contents.column_dimensions["C"].width = 90
    listed = []
    for table in report.tables():
        listed.append((_table_sheet(s, table), table.title, table.note))
    for sheet in report.data_sheets:
        listed.append((_data_sheet(s, sheet), sheet.title, "one row per hour; units in the headers"
                       if "hourly" in sheet.key else "one row per job-hour"))
    title = s.Cell(contents, value=report.title)
    title.font = s.title_font
    contents.append([title])
    contents.append([f"generated {report.generated}"])
    contents.append(["versions: " + ", ".join(f"{k} {v}" for k, v in report.versions.items())])
    contents.append(["Numbers are stored as numbers, rounded as in the PDF and HTML; units are "
                     "in the headers; an empty cell is a value not available from the run."])
    contents.append([])
    s.header(contents, ["Sheet", "Table", "Note"])
    for name, table_title, note in listed:
        contents.append([name, table_title, note])
    buf = io.BytesIO()
    s.wb.save(buf)
    return buf.getvalue()
