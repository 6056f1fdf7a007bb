"""PDF renderer (fpdf2): selectable text in DejaVu Sans, Chinese through Noto Sans SC,
charts as 200-dpi PNG images, tables that split across pages with repeated headings."""

from __future__ import annotations

import datetime as dt
import io

from reports import charts, fonts
from reports import document as doc
from scenarios.errors import ScenarioError

PAGE_W_MM = 210.0
MARGIN_MM = 12.0
CONTENT_W_MM = PAGE_W_MM - 2 * MARGIN_MM
BODY_PT = 9.0
TABLE_PT = 7.8
INK = (33, 37, 41)
MUTED = (95, 99, 104)
ACCENT = (31, 78, 121)
HEAD_FILL = (222, 231, 241)
ROW_FILL = (246, 247, 249)
#: Said at the end of a PDF whose fonts could not draw some characters.
CJK_MISSING_NOTE = (
    "Some text (Chinese tariff rules and sources) has no glyphs in this PDF's fonts and is "
    "shown as […]; the full text is in the HTML and XLSX reports. Install the Python package "
    "pylopdf-fonts-zh-cn to embed Noto Sans SC."
)
#: Space a table title needs below it before the first rows; else start a new page [mm].
KEEP_WITH_NEXT_MM = 28.0
#: A page is near-blank when its content fills less than this share of the page's
#: writable height: about seven lines of body text, or the last rows of a table spilled
#: over. The last page of the report and the page before each new-page section are the
#: only ones that can end early (all others break when full).
MIN_PAGE_FILL = 0.2
#: Table text sizes tried, in order, until no page is near-blank (the tables' spill onto a
#: page is what leaves one short; charts and body text keep their size).
TABLE_SCALES = (1.0, 0.95, 0.9)


def _fpdf():
    try:
        from fpdf import FPDF
        from fpdf.fonts import FontFace
    except ImportError:  # a dependency, but say so clearly if an install lacks it
        raise ScenarioError(
            "PDF output needs the Python package fpdf2: pip install 'fpdf2>=2.8'"
        ) from None
    return FPDF, FontFace


class _Writer:
    """Holds the FPDF object and picks a font for each string (thin: the work is in the
    functions below)."""

    def __init__(self, report: doc.Report, table_scale: float = 1.0):
        FPDF, self.FontFace = _fpdf()
        writer = self
        self.table_scale = table_scale
        #: (page number, share of its writable height used) of each page that ended early
        self.ends: list[tuple[int, float]] = []

        class _PDF(FPDF):
            def footer(inner):
                inner.set_y(-10)
                text = writer.font_for(f"{report.title}  ·  page {inner.page_no()} of {{nb}}", 7,
                                       color=MUTED)
                inner.cell(0, 4, text, align="C")

        pdf = _PDF(orientation="P", unit="mm", format="A4")
        pdf.set_margins(MARGIN_MM, 12, MARGIN_MM)
        pdf.set_auto_page_break(True, margin=14)
        self.loaded: set[tuple[str, str]] = set()
        self.replaced = False
        pdf.set_title(report.title)
        pdf.set_author("coolshift")
        pdf.set_creator("coolshift reports (fpdf2)")
        pdf.set_creation_date(dt.datetime.now(dt.UTC))
        self.pdf = pdf

    def pick(self, text: str, style: str = "") -> tuple[str, str, str]:
        """(font family, style, text to draw), the font loaded on first use. Noto Sans SC
        has one face: strings set in it are regular whatever the style asked."""
        family, shown = fonts.pick(text)
        if shown != text:
            self.replaced = True
        if family == "cjk":
            style = ""
        if (family, style) not in self.loaded:
            path = fonts.dejavu_path(style) if family == "dejavu" else fonts.cjk_font_path()
            self.pdf.add_font(family, style, str(path))
            self.loaded.add((family, style))
        return family, style, shown

    def font_for(self, text: str, size: float, style: str = "", color=INK) -> str:
        """Set the font that draws ``text`` and return the text to draw."""
        family, style, shown = self.pick(text, style)
        self.pdf.set_font(family, style, size)
        self.pdf.set_text_color(*color)
        return shown

    def write(self, text: str, size: float, style: str = "", color=INK, line_mm: float = 0.0,
              **kwargs) -> None:
        """A wrapped paragraph of ``text`` across the content width."""
        shown = self.font_for(text, size, style, color)
        self.pdf.multi_cell(kwargs.pop("w", 0), line_mm or size * 0.48, shown,
                            new_x="LMARGIN", new_y="NEXT", **kwargs)

    def space_left(self) -> float:
        return self.pdf.page_break_trigger - self.pdf.get_y()

    def ensure(self, height_mm: float) -> None:
        if self.space_left() < height_mm:
            self.pdf.add_page()

    def fill(self) -> float:
        """Share of the current page's writable height used so far."""
        top = self.pdf.t_margin
        return (self.pdf.get_y() - top) / (self.pdf.page_break_trigger - top)

    def new_page(self) -> None:
        """Start a page on purpose, noting how full the page it ends is."""
        self.ends.append((self.pdf.page_no(), self.fill()))
        self.pdf.add_page()


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height [px] of a PNG, from its IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _paragraph(w: _Writer, block: doc.Paragraph) -> None:
    size, style, color = {
        "lead": (BODY_PT + 0.5, "I", INK),
        "note": (BODY_PT - 1, "", MUTED),
        "warning": (BODY_PT, "B", (150, 30, 30)),
    }.get(block.style, (BODY_PT, "", INK))
    w.write(block.text, size, style, color)
    w.pdf.ln(1.5)


def _bullets(w: _Writer, block: doc.Bullets) -> None:
    h = BODY_PT * 0.48
    for item in block.items:
        w.pdf.set_x(MARGIN_MM + 1.5)
        w.font_for("•", BODY_PT)
        w.pdf.cell(4, h, "•")
        w.write(item, BODY_PT, w=CONTENT_W_MM - 5.5)
        w.pdf.ln(0.6)
    w.pdf.ln(1.5)


def _subheading(w: _Writer, text: str) -> None:
    w.ensure(KEEP_WITH_NEXT_MM)
    w.pdf.ln(1)
    w.write(text, 10.5, "B", ACCENT, line_mm=5.5)
    w.pdf.ln(0.5)


def _table(w: _Writer, table: doc.Table) -> None:
    pdf = w.pdf
    size = TABLE_PT * table.font_scale * w.table_scale
    w.ensure(KEEP_WITH_NEXT_MM)
    w.write(table.title, 9, "B", ACCENT, line_mm=4.6)
    pdf.ln(0.6)
    w.font_for("", size)
    w.pick("", "B")  # the headings' face
    keep = [i for i, c in enumerate(table.columns) if c.in_pdf]
    columns = [table.columns[i] for i in keep]
    aligns = ["RIGHT" if c.numeric else "LEFT" for c in columns]
    heading = w.FontFace(emphasis="BOLD", fill_color=HEAD_FILL, color=INK, size_pt=size)
    with pdf.table(
        col_widths=[c.width for c in columns], text_align=aligns, width=CONTENT_W_MM,
        first_row_as_headings=True, headings_style=heading, line_height=size * 0.46,
        padding=(0.7, 1.1), borders_layout="HORIZONTAL_LINES", cell_fill_color=ROW_FILL,
        cell_fill_mode="ROWS", v_align="TOP", repeat_headings=1,
    ) as t:
        head = t.row()
        for col in columns:
            family, style, shown = w.pick(col.header, "B")
            head.cell(shown, style=None if family == "dejavu" else w.FontFace(
                family=family, emphasis=style or None, size_pt=size, fill_color=HEAD_FILL))
        rows = table.rows if table.pdf_rows is None else [table.rows[i] for i in table.pdf_rows]
        for row in rows:
            r = t.row()
            for i in keep:
                family, _, shown = w.pick(row[i].text)
                align = "RIGHT" if doc.right_aligned(table.columns[i], row[i]) else "LEFT"
                style = None if family == "dejavu" else w.FontFace(family=family, size_pt=size)
                r.cell(shown, align=align, style=style)
    if table.note:
        pdf.ln(0.8)
        w.write(table.note, size - 0.3, "", MUTED, line_mm=(size - 0.3) * 0.46)
    pdf.ln(3)


def _figure_height_mm(figure: doc.Figure) -> float:
    """Height of the chart image across the content width [mm]."""
    px_w, px_h = png_size(charts.render(figure, "png"))
    return CONTENT_W_MM * px_h / px_w


def _figure(w: _Writer, figure: doc.Figure) -> None:
    png = charts.render(figure, "png")
    width = CONTENT_W_MM
    height = _figure_height_mm(figure)
    w.ensure(height + 14)
    w.write(figure.title, 9, "B", ACCENT, line_mm=4.6)
    w.pdf.image(io.BytesIO(png), x=MARGIN_MM, w=width, h=height)
    w.pdf.ln(0.5)
    w.write(figure.caption, 7.6, "I", MUTED, line_mm=3.6)
    w.pdf.ln(3)


def _title_block(w: _Writer, report: doc.Report) -> None:
    w.write(report.title, 16, "B", ACCENT, line_mm=7.5)
    w.write(f"{report.subtitle}  ·  generated {report.generated} with coolshift "
            f"{report.versions.get('coolshift', '')}", 9, "", MUTED, line_mm=4.5)
    w.pdf.ln(2)


def _opening_mm(section: doc.Section) -> float:
    """Height a section's heading needs below it to stay with its opening: the leading
    paragraphs (estimated at ~110 characters a line) and the first chart or a table's
    first rows [mm]."""
    need = 12.0  # the heading and its rule
    for block in section.blocks:
        if isinstance(block, doc.Paragraph):
            need += 4.4 * (len(block.text) // 110 + 1) + 1.5
            continue
        if isinstance(block, doc.Figure):
            need += _figure_height_mm(block) + 14
        else:
            need += KEEP_WITH_NEXT_MM
        break
    return need


def _section(w: _Writer, section: doc.Section, first: bool) -> None:
    pdf = w.pdf
    if section.new_page and not first:
        w.new_page()
    elif not first:
        pdf.ln(4)
        w.ensure(max(2 * KEEP_WITH_NEXT_MM, _opening_mm(section)))
    pdf.start_section(section.title[:120], level=0, strict=False)
    w.write(section.title, 13, "B", ACCENT, line_mm=6.5)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.4)
    pdf.line(MARGIN_MM, pdf.get_y() + 0.5, PAGE_W_MM - MARGIN_MM, pdf.get_y() + 0.5)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(190, 190, 190)
    pdf.ln(3)
    for block in section.blocks:
        if isinstance(block, doc.Paragraph):
            _paragraph(w, block)
        elif isinstance(block, doc.Bullets):
            _bullets(w, block)
        elif isinstance(block, doc.Subheading):
            _subheading(w, block.text)
        elif isinstance(block, doc.Table):
            _table(w, block)
        elif isinstance(block, doc.Figure):
            _figure(w, block)
        elif isinstance(block, doc.PageBreak):
            w.new_page()


def _render(report: doc.Report, table_scale: float) -> tuple[bytes, list[int]]:
    """The PDF with tables at ``table_scale``, and its near-blank pages."""
    w = _Writer(report, table_scale)
    w.pdf.add_page()
    _title_block(w, report)
    for i, section in enumerate(report.sections):
        _section(w, section, first=i == 0)
    if w.replaced:
        w.pdf.ln(4)
        w.write(CJK_MISSING_NOTE, BODY_PT - 1, "I", MUTED, line_mm=4)
    ends = [*w.ends, (w.pdf.page_no(), w.fill())]
    short = [page for page, fill in ends if fill < MIN_PAGE_FILL and w.pdf.page_no() > 1]
    return bytes(w.pdf.output()), short


def render_pdf(report: doc.Report) -> bytes:
    """The report as PDF bytes: the first of :data:`TABLE_SCALES` that leaves no page
    near-blank (else the one with the fewest such pages)."""
    best = None
    for scale in TABLE_SCALES:
        pdf, short = _render(report, scale)
        if not short:
            return pdf
        if best is None or len(short) < best[1]:
            best = (pdf, len(short))
    return best[0]
