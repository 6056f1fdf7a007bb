"""HTML renderer: one self-contained file (inline CSS, charts as PNG data: URIs, the same
images as the PDF's; no script, font or stylesheet from anywhere else) that opens with no
network.

Every text of the report is escaped (``html.escape``, quotes included), so a name, note or
file name from the user's scenario shows as written and never becomes markup; the only
links are the table of contents' to the report's own sections, and the only images the
charts' data: URIs.
"""

from __future__ import annotations

import base64
import re
from html import escape

from reports import charts
from reports import document as doc

CSS = """
:root { --ink:#212529; --muted:#5f6368; --accent:#1f4e79; --line:#d0d7de; --head:#dee7f1; --zebra:#f6f7f9; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", "PingFang SC",
       "Microsoft YaHei", sans-serif; color: var(--ink); margin: 0; line-height: 1.45; font-size: 15px; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 28px 64px; }
header h1 { color: var(--accent); margin: 0 0 4px; font-size: 1.7em; }
header p { color: var(--muted); margin: 0 0 12px; }
nav { border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; margin: 16px 0 8px;
      columns: 2; font-size: 0.92em; }
nav a { color: var(--accent); text-decoration: none; display: block; padding: 1px 0; }
section { border-top: 2px solid var(--accent); margin-top: 36px; padding-top: 6px; }
h2 { color: var(--accent); font-size: 1.35em; margin: 6px 0 12px; }
h3 { color: var(--accent); font-size: 1.08em; margin: 20px 0 6px; }
p.lead { font-style: italic; }
p.note, .note { color: var(--muted); font-size: 0.88em; }
p.warning { color: #962020; font-weight: bold; }
.table-wrap { overflow-x: auto; margin: 8px 0 18px; }
table { border-collapse: collapse; width: 100%; font-size: 0.86em; }
caption { text-align: left; font-weight: bold; color: var(--accent); padding: 4px 0; }
th { background: var(--head); text-align: left; padding: 5px 7px; vertical-align: bottom; }
td { padding: 4px 7px; border-top: 1px solid var(--line); vertical-align: top; }
tbody tr:nth-child(even) td { background: var(--zebra); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td:first-child { min-width: 8em; }
figure { margin: 14px 0 22px; }
figure img { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 0.86em; font-style: italic; margin-top: 4px; }
footer { color: var(--muted); font-size: 0.85em; margin-top: 40px; }
@media print { section { break-before: page; } nav { display: none; } }
"""


def _anchor(text: str) -> str:
    """An id for a section (letters, digits, ``-`` and ``_`` only)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def _table(table: doc.Table) -> str:
    cols = table.columns
    head = "".join(
        f'<th class="{"num" if col.numeric else ""}">{escape(col.header)}</th>' for col in cols
    )
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="{"num" if doc.right_aligned(col, cell) else ""}">{escape(cell.text)}</td>'
            for col, cell in zip(cols, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (f'<div class="table-wrap"><table><caption>{escape(table.title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{note}")


def _figure(figure: doc.Figure) -> str:
    png = charts.render(figure, "png")
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f'<figure><h3>{escape(figure.title)}</h3><img alt="{escape(figure.title)}" src="{uri}">'
            f"<figcaption>{escape(figure.caption)}</figcaption></figure>")


def _block(block: doc.Block) -> str:
    if isinstance(block, doc.Paragraph):
        return f'<p class="{escape(block.style)}">{escape(block.text)}</p>'
    if isinstance(block, doc.Bullets):
        return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in block.items) + "</ul>"
    if isinstance(block, doc.Subheading):
        return f"<h3>{escape(block.text)}</h3>"
    if isinstance(block, doc.Table):
        return _table(block)
    if isinstance(block, doc.Figure):
        return _figure(block)
    return ""


def render_html(report: doc.Report) -> bytes:
    """The report as one self-contained UTF-8 HTML document."""
    anchors = []
    for i, s in enumerate(report.sections):
        anchors.append(_anchor(f"s{i + 1}-{s.anchor}" if s.anchor else f"s{i + 1}"))
    nav = "".join(f'<a href="#{a}">{escape(s.title)}</a>'
                  for a, s in zip(anchors, report.sections, strict=True))
    sections = "".join(
        f'<section id="{a}"><h2>{escape(s.title)}</h2>{"".join(_block(b) for b in s.blocks)}</section>'
        for a, s in zip(anchors, report.sections, strict=True)
    )
    versions = ", ".join(f"{k} {v}" for k, v in report.versions.items())
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        # tells coolshift's writer the file is its own report (scenarios.outputs)
        '<meta name="generator" content="coolshift reports">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(report.title)}</title><style>{CSS}</style></head><body><main>"
        f"<header><h1>{escape(report.title)}</h1><p>{escape(report.subtitle)} · generated "
        f"{escape(report.generated)}</p></header><nav>{nav}</nav>{sections}"
        f"<footer>Generated by coolshift reports ({escape(versions)}). Every chart and style is "
        "inside this file; it needs no network.</footer></main></body></html>"
    )
    return page.encode("utf-8")
