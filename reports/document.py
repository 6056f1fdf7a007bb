"""A report as format-neutral data: sections of paragraphs, tables and figures.

The builders (:mod:`reports.build` and the section modules) produce one :class:`Report`;
the renderers (:mod:`reports.render_pdf`, :mod:`reports.render_html`,
:mod:`reports.render_xlsx`) turn the same object into each format, so the three files
always carry the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from reports import formatting as F


@dataclass(frozen=True)
class Cell:
    """One table cell: the stored value (number, text, bool or None) and its display text."""

    value: object
    text: str
    number_format: str = "General"  # Excel format of the value (numbers only)


def text(value: object) -> Cell:
    """A text cell (None shows as ``n/a``)."""
    shown = F.MISSING if value is None else str(value)
    return Cell(shown, shown)


def kpi(key: str, value: object) -> Cell:
    """A cell holding an indicator, rounded and shown by its rule."""
    return Cell(F.kpi_number(key, value), F.kpi_text(key, value), F.excel_format(key))


def num(value: object, decimals: int = 1) -> Cell:
    """A cell holding any number with a fixed number of decimals."""
    fmt = "#,##0" if decimals == 0 else "#,##0." + "0" * decimals
    return Cell(F.value_number(value, decimals), F.value_text(value, decimals), fmt)


@dataclass(frozen=True)
class Column:
    """A table column: its name, unit (shown as ``name [unit]``) and relative width."""

    name: str
    unit: str = ""
    width: float = 1.0
    numeric: bool = False
    in_pdf: bool = True  # False: HTML and XLSX only (e.g. machine keys too long for A4)

    @property
    def header(self) -> str:
        return f"{self.name} [{self.unit}]" if self.unit else self.name


def right_aligned(column: Column, cell: Cell) -> bool:
    """Numbers (and short markers such as n/a, yes) align right in numeric columns; a
    long text in a numeric column aligns left."""
    number = isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
    return column.numeric and (number or len(cell.text) <= 12)


@dataclass(frozen=True)
class Table:
    """A table, also one sheet of the XLSX (``key`` names the sheet)."""

    key: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    note: str = ""
    font_scale: float = 1.0  # < 1 for wide tables in the PDF
    #: Indices of the rows the PDF draws (None: all); the HTML and XLSX hold every row.
    pdf_rows: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body | note | warning | lead


@dataclass(frozen=True)
class Bullets:
    items: Sequence[str]


@dataclass(frozen=True)
class Subheading:
    text: str


@dataclass(frozen=True)
class Figure:
    """A chart drawn on demand: ``draw()`` returns a matplotlib Figure."""

    key: str
    title: str
    caption: str
    draw: Callable[[], object]
    width_in: float = 7.2
    height_in: float = 3.0
    #: Rendered bytes by format, so the PDF and HTML of one report draw a chart once.
    rendered: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Paragraph | Bullets | Subheading | Table | Figure | PageBreak


@dataclass
class Section:
    """A titled part of the report; ``new_page`` starts it on a new PDF page."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    new_page: bool = True
    anchor: str = ""


@dataclass(frozen=True)
class DataSheet:
    """Raw data for the XLSX only: a frame and the unit of each column."""

    key: str
    title: str
    frame: pd.DataFrame
    units: dict[str, str]


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list[Section]
    data_sheets: list[DataSheet] = field(default_factory=list)
    generated: str = ""
    versions: dict[str, str] = field(default_factory=dict)

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]
