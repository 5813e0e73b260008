"""The font every PDF of the system is printed in, embedded in the file: Noto Sans SC (SIL Open
Font License), installed from PyPI with the package `pylopdf-fonts-zh-cn`. Nothing is read from
the system or the network.

ReportLab embeds TrueType outlines only, and Noto Sans SC comes with PostScript (CFF) ones: the
font is converted once (fontTools, about 25 seconds) into PDF_FONT_DIR and read from there
after. `manage.py prepare_pdf_font` does it at installation; otherwise the first PDF does.

A character the font lacks (a few of the rarest, such as 𠮷 of CJK extension B) is printed as
〓, the printers' mark for a missing character, and the PDF lists each one with its code
point and the ledger it is in (`printable`)."""

import os
import tempfile
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from django.conf import settings

NAME = "NotoSansSC"
SOURCE = ("pylopdf_fonts_zh_cn", "NotoSansSC-Regular.otf")
MISSING_MARK = "〓"


def font_path() -> Path:
    """The TrueType font, converted first if it is not there yet."""
    path = Path(settings.PDF_FONT_DIR) / f"{NAME}-Regular.ttf"
    if not path.exists():
        convert(path)
    return path


def convert(path: Path) -> None:
    """Noto Sans SC's CFF outlines as TrueType quadratic ones (fontTools' cu2qu), written to a
    temporary file and then renamed, so that two processes converting at once both end well."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    with resources.as_file(resources.files(SOURCE[0]) / SOURCE[1]) as source:
        font = TTFont(source)
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for name in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs"):
        setattr(maxp, name, 0)
    for name in ("maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, name, 0)
    maxp.maxZones = 1
    font["post"].formatType = 3.0
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font.sfntVersion = "\x00\x01\x00\x00"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".ttf")
    os.close(handle)
    try:
        font.save(temporary)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


@cache
def register() -> str:
    """Register the font with ReportLab (once a process) and return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(NAME, str(font_path())))
    return NAME


@cache
def characters() -> frozenset[int]:
    """The code points the font has a glyph for."""
    from reportlab.pdfbase import pdfmetrics

    register()
    return frozenset(pdfmetrics.getFont(NAME).face.charToGlyph)


@dataclass
class Missing:
    """The characters a PDF could not print, and where: {character: {ledger, ...}}."""

    where: str = ""
    found: dict[str, set[str]] = field(default_factory=dict)


missing: ContextVar[Missing | None] = ContextVar("pdf_missing", default=None)


def printable(text: str) -> str:
    """`text` with each character the font lacks replaced by 〓, noted in `missing`."""
    have = characters()
    if all(ord(char) in have or char in "\n\r\t" for char in text):
        return text
    collector = missing.get()
    out = []
    for char in text:
        if ord(char) in have or char in "\n\r\t":
            out.append(char)
        else:
            out.append(MISSING_MARK)
            if collector is not None:
                collector.found.setdefault(char, set()).add(collector.where)
    return "".join(out)
