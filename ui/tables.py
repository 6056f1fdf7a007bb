"""Numbers as text for tables: fixed formats, an en dash for anything missing (never NaN);
and any text from outside (names, file names, notes, error messages) escaped for
Streamlit's Markdown (:func:`markdown_text`), so it shows as written and renders nothing."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from reports import formatting as report_format
from scenarios.kpis import KPI_DEFINITIONS

MISSING = "–"
#: Characters Streamlit's Markdown gives a meaning to wherever they stand, escaped in any
#: text from outside: emphasis and strike-through (``*`` ``~``), code (the backtick), links,
#: images and directives (``[`` ``]`` ``!`` ``{`` ``}``), HTML and autolinks (``<``
#: ``>``), tables (``|``), LaTeX (``$``), entities (``&``), headings (``#``), and the
#: backslash itself. With ``[`` and ``]`` escaped, ``(`` and ``)`` start nothing.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*{}\[\]!<>|$&#~])")
#: A colon before a letter starts a directive (":red[...]", ":blue-badge[...]"), which
#: Streamlit draws as coloured text or a badge, taking the word with it.
_DIRECTIVE = re.compile(r":(?=[A-Za-z])")
#: An underscore that can start or end emphasis: not between two letters or digits.
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
#: What makes a line a list item, a heading underline or a rule when it starts the line.
_LINE_START = re.compile(r"^(?:(\d{1,9})([.)])|([-+=]))")
#: Where GitHub-flavoured Markdown makes a link of plain text ("https://", "www.", an
#: e-mail address). Streamlit finds these after the escapes are read, so a backslash
#: cannot stop them: an invisible word joiner (U+2060) goes there instead.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?i:(?<=www))(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


def fmt(value, spec: str = ".4g") -> str:
    """``format(value, spec)``; booleans as yes / no; None, NaN and infinities as "–"."""
    if value is None:
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return MISSING
    text = format(number, spec)
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]  # a tiny negative shown as -0.00 is 0.00
    return text


def kpi_text(key: str, value) -> str:
    """A KPI value by the reports' rule for its key (the same decimals as in the PDF,
    HTML and XLSX; shares in percent), "–" when missing."""
    text = report_format.kpi_text(key, value)
    return MISSING if text == report_format.MISSING else text


def kpi_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A KPI table (index KPI keys, a unit column, one column per run) as text, with each
    key's description as a "definition" column."""
    out = pd.DataFrame(index=table.index)
    for column in table.columns:
        if column == "unit":  # as the reports show it: "%" for shares
            out[column] = [report_format.kpi_unit(k) for k in table.index]
        else:
            out[column] = [kpi_text(k, v) for k, v in table[column].items()]
    out.insert(1, "definition", [KPI_DEFINITIONS[k][1] for k in table.index])
    return out


def kpi_formatted(frame: pd.DataFrame, keys) -> pd.DataFrame:
    """Columns ``keys`` of ``frame`` (KPI or per-hall keys) as text by the reports' rules;
    the other columns stay as they are."""
    out = frame.copy()
    for key in keys:
        if key in out.columns:
            out[key] = [kpi_text(key, v) for v in frame[key]]
    return out


def formatted(frame: pd.DataFrame, specs: dict[str, str]) -> pd.DataFrame:
    """Columns of ``frame`` as text by format spec (columns not named stay as they are)."""
    out = frame.copy()
    for column, spec in specs.items():
        if column in out.columns:
            out[column] = [fmt(v, spec) for v in frame[column]]
    return out


def markdown_text(text) -> str:
    """``text`` (any text from outside: a name, a file name, a note, an error message) as
    literal text in Streamlit's Markdown (``st.markdown``, ``st.caption``, ``st.error``
    and the other messages, labels and metric values).

    No part of it becomes emphasis, code, a link, an image, HTML, LaTeX, a directive, an
    entity, a table, a heading or a list: those characters are escaped (an underscore
    only where it could start emphasis, a ``-``, ``+``, ``=`` or ``1.`` only at the start,
    so the text may start a line), and a word joiner breaks what GitHub-flavoured
    Markdown would link on its own (``https://``, ``www.``, ``@``). Runs of white space,
    line breaks included, become one space. Streamlit still draws ``:name:`` codes as
    emoji (but no ``:colour[...]`` directive).

    Parameters
    ----------
    text : object
        Converted with ``str``.

    Returns
    -------
    str
        The text to put into Markdown as is; it reads the same once rendered.
    """
    out = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    out = _EMPHASIS_UNDERSCORE.sub(r"\\_", out)
    out = _DIRECTIVE.sub(r"\\:", out)
    out = _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", out)
    return _AUTOLINK.sub(WORD_JOINER, out)


def markdown_table(frame: pd.DataFrame) -> str:
    """A small text table (index and columns) as a Markdown table for ``st.markdown``.

    On the Site page, in place of ``st.table``: the browser then needs no table component
    for the app's first page (~0.3 s sooner on the 2-core CI machine, docs/design-notes.md).
    """
    header = ["", *map(markdown_text, frame.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for label, row in frame.iterrows():
        cells = [f"**{markdown_text(label)}**", *(markdown_text(v) for v in row)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
