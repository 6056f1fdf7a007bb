"""Fonts for the PDF and the charts, all from pip packages (no system font is needed).

* Latin text: DejaVu Sans, shipped inside matplotlib (``mpl-data/fonts/ttf``).
* Chinese text (tariff rules such as 沪发改价管〔2022〕50号 appear in data sources):
  Noto Sans SC (SIL OFL 1.1) from the ``pylopdf-fonts-zh-cn`` package, used as a
  fallback font for the glyphs DejaVu lacks. Without that package, :func:`legible`
  keeps the text's other characters and shows each run of missing glyphs as ``[…]``;
  the PDF then says that the full text is in the HTML and XLSX reports.
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib

#: Marker for a run of characters the PDF's fonts cannot draw.
MISSING_GLYPHS = "[…]"
#: Full-width punctuation of Chinese rule numbers, with readable ASCII stand-ins.
_ASCII_STANDINS = str.maketrans({"〔": "(", "〕": ")", "（": "(", "）": ")", "，": ", ", "：": ": "})


def dejavu_path(style: str = "") -> Path:
    """DejaVu Sans shipped with matplotlib: style ``""``, ``"B"``, ``"I"`` or ``"BI"``."""
    names = {
        "": "DejaVuSans.ttf",
        "B": "DejaVuSans-Bold.ttf",
        "I": "DejaVuSans-Oblique.ttf",
        "BI": "DejaVuSans-BoldOblique.ttf",
    }
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / names[style]


@functools.cache
def cjk_font_path() -> Path | None:
    """Noto Sans SC from the ``pylopdf-fonts-zh-cn`` package, or None if not installed."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return path if path.is_file() else None


@functools.cache
def dejavu_codepoints() -> frozenset[int]:
    """Code points DejaVu Sans can draw."""
    from fontTools.ttLib import TTFont

    with TTFont(str(dejavu_path()), lazy=True) as font:
        return frozenset(font.getBestCmap())


@functools.cache
def cjk_codepoints() -> frozenset[int]:
    """Code points Noto Sans SC can draw (empty without the font package)."""
    path = cjk_font_path()
    if path is None:
        return frozenset()
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def pick(text: str) -> tuple[str, str]:
    """The PDF font for ``text`` and the text to draw with it.

    ``("dejavu", text)`` when DejaVu Sans draws every character; else ``("cjk", text)``
    when Noto Sans SC does (it has Latin too, so the whole string keeps one face); else
    DejaVu with the missing runs shown as ``[…]`` (see :func:`legible`).
    """
    if not has_missing_glyphs(text):
        return "dejavu", text
    cps = cjk_codepoints()
    if cps and not has_missing_glyphs(text, cps):
        return "cjk", text
    return "dejavu", legible(text)


def legible(text: str, codepoints: frozenset[int] | None = None) -> str:
    """``text`` with every run of characters outside ``codepoints`` shown as ``[…]``.

    Full-width brackets become ASCII ones first, so 沪发改价管〔2022〕50号 reads
    ``[…](2022)50[…]``.
    """
    cps = dejavu_codepoints() if codepoints is None else codepoints
    out: list[str] = []
    missing = False
    for char in text.translate(_ASCII_STANDINS):
        if ord(char) in cps or char in "\n\t":
            out.append(char)
            missing = False
        elif not missing:
            out.append(MISSING_GLYPHS)
            missing = True
    return "".join(out)


def has_missing_glyphs(text: str, codepoints: frozenset[int] | None = None) -> bool:
    """True if DejaVu Sans cannot draw some character of ``text``."""
    cps = dejavu_codepoints() if codepoints is None else codepoints
    return any(ord(c) not in cps and c not in "\n\t" for c in text)


@functools.cache
def matplotlib_families() -> tuple[str, ...]:
    """Font families for charts: DejaVu Sans, then Noto Sans SC for CJK glyphs if installed."""
    path = cjk_font_path()
    if path is None:
        return ("DejaVu Sans",)
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    return ("DejaVu Sans", name)
