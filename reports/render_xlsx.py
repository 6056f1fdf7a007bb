"""XLSX renderer (openpyxl): a contents sheet, one sheet per table, and the hourly data
and schedule of every run. Numbers are stored as numbers, with units in the headers;
an empty cell is a value not available from the run.

Text is never active: every string is written as an explicit text cell (openpyxl would
store a string that starts with ``=`` as a formula, and ``#N/A`` as an error), and a text
that a spreadsheet would read as a formula when typed or imported (OWASP "CSV
injection": ``=``, ``+``, ``-``, ``@``, tab, CR, LF first, also after leading spaces)
also carries Excel's quote prefix, so that editing the cell keeps it text. Characters
XML cannot hold become U+FFFD instead of failing the report.
"""

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
#: Characters an XLSX cannot hold (XML 1.0 forbids C0 controls other than tab, LF, CR).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: First characters with which Excel, LibreOffice or Google Sheets read text as a formula
#: (ASCII, and the full-width forms an input method may type).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
#: Sheet names Excel reserves.
_RESERVED_SHEET_NAMES = frozenset({"history"})


def _openpyxl():
    try:
        import openpyxl
    except ImportError:
        raise ScenarioError(
            "XLSX output needs the Python package openpyxl: pip install 'openpyxl>=3.1'"
        ) from None
    return openpyxl


def xlsx_text(text: str) -> str:
    """``text`` with the characters an XLSX cannot hold replaced by U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def formula_like(text: str) -> bool:
    """True if a spreadsheet would read ``text`` as a formula when it is typed, edited or
    imported: its first character, ignoring leading spaces, is one of
    :data:`FORMULA_TRIGGERS` (or it starts with a tab, CR or LF)."""
    if text[:1] in FORMULA_TRIGGERS:
        return True
    rest = text.lstrip(" \u00a0\u3000")
    return rest[:1] in FORMULA_TRIGGERS


def sheet_name(key: str, taken: set[str]) -> str:
    """A valid, unique sheet name (1 to 31 characters, no []:*?/\\ nor control character,
    no quote first or last, not Excel's reserved ``History``)."""

    def clean(text: str) -> str:
        return text.strip().strip("'").strip()

    text = re.sub(r"\s", " ", _XML_ILLEGAL.sub("_", key))  # tabs, line breaks: spaces
    base = clean(_BAD_SHEET_CHARS.sub("_", text)) or "sheet"
    if base.lower() in _RESERVED_SHEET_NAMES:
        base += "_"
    name = clean(base[:MAX_SHEET_NAME]) or "sheet"
    n = 2
    while name.lower() in taken:
        suffix = f" {n}"
        name = (clean(base[: MAX_SHEET_NAME - len(suffix)]) or "sheet") + suffix
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
        # the creator tag tells coolshift's writer that this file is its own report, which
        # it may replace with --force (scenarios.outputs.is_coolshift_file)
        self.wb.properties.creator = "coolshift reports"
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

    def text(self, ws, text: str):
        """A cell that holds ``text`` as text, never as a formula or an error value."""
        c = self.Cell(ws)
        c.value = xlsx_text(str(text))
        c.data_type = "s"  # after the value: openpyxl makes "=..." a formula, "#N/A" an error
        if formula_like(c.value):
            c.quotePrefix = True  # Excel's leading ': an edit of the cell keeps it text
        return c

    def cell(self, ws, value):
        """A plain value as openpyxl stores it natively, a string as a text cell."""
        return self.text(ws, value) if isinstance(value, str) else value

    def row(self, ws, values) -> None:
        """Append a row of plain values (strings become text cells)."""
        ws.append([self.cell(ws, v) for v in values])

    def header(self, ws, names: list[str]) -> None:
        cells = []
        for name in names:
            c = self.text(ws, name)
            c.font, c.fill, c.alignment = self.bold, self.fill, self.wrap
            cells.append(c)
        ws.append(cells)

    def value(self, ws, value, number_format: str = "General"):
        value = _plain(value)
        if isinstance(value, str):
            return self.text(ws, value)
        c = self.Cell(ws, value=value)
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
    # plain values (no styled cells): fast for a year of hours; dates get a date format;
    # only strings (job ids, pod names, tariff bands) become text cells
    columns = [_column_values(s, ws, frame.index)] + [
        _column_values(s, ws, frame[c]) for c in frame.columns
    ]
    for row in zip(*columns, strict=True):
        ws.append(row)
    return ws.title


def _column_values(s: _Sheets, ws, values) -> list:
    """A column as Python values openpyxl stores natively (NaN and NaT -> empty), its
    strings as text cells."""
    series = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    if pd.api.types.is_float_dtype(series):
        return [None if v != v else v for v in series.astype(float).tolist()]
    return [s.cell(ws, _plain(v)) for v in series.tolist()]


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
    title = s.text(contents, report.title)
    title.font = s.title_font
    contents.append([title])
    s.row(contents, [f"generated {report.generated}"])
    s.row(contents, ["versions: " + ", ".join(f"{k} {v}" for k, v in report.versions.items())])
    s.row(contents, ["Numbers are stored as numbers, rounded as in the PDF and HTML; units are "
                     "in the headers; an empty cell is a value not available from the run."])
    contents.append([])
    s.header(contents, ["Sheet", "Table", "Note"])
    for name, table_title, note in listed:
        s.row(contents, [name, table_title, note])
    buf = io.BytesIO()
    s.wb.save(buf)
    return buf.getvalue()
