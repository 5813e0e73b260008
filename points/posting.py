"""The month's posting (积分公示) laid out: a PDF for the village's notice board, A4 or A3, and
PNG pictures for the village's WeChat group. Both print the posting's rows as posted.

The PDF's table is the binder's (its Measure and LedgerPage, federation.core.binder.pdf), cut
into pages here: ReportLab's own table would measure a village of 1,500 households again on
every page. A3 is the A4 layout enlarged by √2, as a print shop enlarges a poster: the same
pages, in print large enough to read from a step back.

The pictures are 1,080 pixels wide (a phone's screen, and what WeChat keeps without shrinking),
one row a household with its lines under it. A village's month is cut into pictures of at most
PICTURE_HEIGHT pixels, each with the title and the appeal window: WeChat shrinks a much longer
picture until it cannot be read, and a villager scrolls a few pictures as easily as one."""

import io
import math
from dataclasses import dataclass
from functools import cache

from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.units import mm

from federation.core import dates, pdf_font
from federation.core.binder.pdf import PAD, TABLE_LEADING, TABLE_SIZE, LedgerPage, Measure
from federation.core.disclosure import Disclosure, MarkedCanvas
from points.models import PointPosting

SIZES = {"a4": (A4, 1.0), "a3": (A3, math.sqrt(2))}
MARGIN = 14 * mm
TITLE_HEIGHT = 58  # the first page's title and appeal window, above the table
FOOT = 9  # the footer's line under every page

# The pictures: pixels.
PICTURE_WIDTH, PICTURE_HEIGHT, SIDE = 1080, 9000, 40
BIG, SMALL, LINE_GAP = 32, 26, 10
NUMBER_COLUMN = 140  # each of the four figures


def title(posting: PointPosting) -> str:
    """太坝村 2024年11月 巾帼家美积分公示"""
    start, end = dates.period_of(dates.MONTH, posting.month)
    return _("%(village)s %(month)s points posting") % {
        "village": posting.village.name,
        "month": dates.period_label(start, end),
    }


def appeal_text(posting: PointPosting) -> str:
    text = _("Appeals from %(start)s to %(end)s.") % {
        "start": f"{posting.appeal_from:%Y-%m-%d}",
        "end": f"{posting.appeal_until:%Y-%m-%d}",
    }
    if posting.contact:
        text += " " + _("Whom to ask: %(contact)s") % {"contact": posting.contact}
    return text


def posted_text(posting: PointPosting) -> str:
    by = posting.posted_by
    name = (by.get_full_name() or by.get_username()) if by is not None else ""
    return _("Posted by %(name)s at %(time)s") % {
        "name": name,
        "time": f"{timezone.localtime(posting.posted_at):%Y-%m-%d %H:%M}",
    }


def header() -> list[str]:
    return [
        _("Household"),
        _("Points earned"),
        _("Points deducted"),
        _("Points redeemed"),
        _("Balance at the month's end"),
        _("Lines this month"),
    ]


def line_text(line: list) -> str:
    day, what, points = line
    return f"{day[5:]} {what} {points:+d}"


def file_name(posting: PointPosting, extension: str) -> str:
    return f"{posting.village.name}_{posting.month:%Y-%m}_积分公示.{extension}"


# --- The PDF ------------------------------------------------------------------------------


def _pdf_pages(posting: PointPosting, measure: Measure, width: float, height: float) -> list[LedgerPage]:
    """The table cut into pages, each under the header; the first page leaves room for the title."""
    number = PAD * 2 + measure.width("0000") + 2 * measure.char("中")
    widths = [width * 0.2, number, number, number, number]
    widths.append(width - sum(widths))
    numeric = [False, True, True, True, True, False]
    inner = [w - 2 * PAD for w in widths]

    def fit(cells):
        lines = [[piece for text in cell for piece in measure.lines(text, inner[i])] for i, cell in enumerate(cells)]
        return lines, max(len(cell) for cell in lines) * TABLE_LEADING + 2 * PAD

    head, head_height = fit([[pdf_font.printable(text)] for text in header()])
    pages, room = [], height - TITLE_HEIGHT
    page, heights = [head], [head_height]
    for row in posting.rows:
        cells, row_height = fit(
            [
                [pdf_font.printable(row["household"])],
                [str(row["earned"])],
                [str(row["deducted"])],
                [str(row["redeemed"])],
                [str(row["balance"])],
                [pdf_font.printable(line_text(line)) for line in row["lines"]],
            ]
        )
        if sum(heights) + row_height > room and len(page) > 1:
            pages.append(LedgerPage(widths, numeric, page, heights, measure))
            page, heights, room = [head], [head_height], height
        page.append(cells)
        heights.append(row_height)
    pages.append(LedgerPage(widths, numeric, page, heights, measure))
    return pages


def write_pdf(posting: PointPosting, file, size: str = "a4", disclosure: Disclosure | None = None) -> int:
    """Write the posting's PDF (A4 or A3, portrait) to `file`, each page marked with who
    printed it; return its number of pages."""
    font = pdf_font.register()
    (page_width, page_height), scale = SIZES[size]
    width, height = A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN - 2 * FOOT
    measure = Measure(TABLE_SIZE)
    pages = _pdf_pages(posting, measure, width, height)
    heading = title(posting)
    canvas = MarkedCanvas(file, pagesize=(page_width, page_height), initialFontName=font, disclosure=disclosure)
    canvas.setTitle(heading)
    canvas.setCreator("妇联工作台")
    foot = f"{heading}　{posted_text(posting)}"
    for number, page in enumerate(pages, 1):
        canvas.scale(scale, scale)
        top = A4[1] - MARGIN
        if number == 1:
            canvas.setFont(font, 16)
            canvas.drawCentredString(A4[0] / 2, top - 18, pdf_font.printable(heading))
            canvas.setFont(font, 9.5)
            for k, text in enumerate(measure_lines(pdf_font.printable(appeal_text(posting)), width, 9.5)[:2]):
                canvas.drawString(MARGIN, top - 38 - k * 12, text)
            top -= TITLE_HEIGHT
        table_height = page.wrap(width, height)[1]
        page.drawOn(canvas, MARGIN, top - table_height)
        canvas.setFont(font, 8)
        canvas.drawString(MARGIN, MARGIN, pdf_font.printable(foot))
        canvas.drawRightString(
            A4[0] - MARGIN, MARGIN, _("Page %(page)s of %(pages)s") % {"page": number, "pages": len(pages)}
        )
        canvas.showPage()
    canvas.save()
    return len(pages)


def measure_lines(text: str, width: float, size: float) -> list[str]:
    return Measure(size).lines(text, width)


def pdf_bytes(posting: PointPosting, size: str = "a4", disclosure: Disclosure | None = None) -> bytes:
    buffer = io.BytesIO()
    write_pdf(posting, buffer, size, disclosure)
    return buffer.getvalue()


# --- The pictures --------------------------------------------------------------------------


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    # The PDF's own font file: the same glyphs on the board and on the phone.
    return ImageFont.truetype(str(pdf_font.font_path()), size, layout_engine=ImageFont.Layout.BASIC)


@dataclass
class Block:
    """What one picture draws: a household's row, or the header, as lines of text at heights."""

    height: int
    draw: list[tuple[int, int, str, int, int]]  # (x, y from the block's top, text, size, grey) x<0: from the right


def _blocks(posting: PointPosting) -> list[Block]:
    big, small = Measure(BIG), Measure(SMALL)
    right = PICTURE_WIDTH - SIDE
    columns = [right - NUMBER_COLUMN * (3 - i) for i in range(4)]  # each figure's right edge
    label_width = columns[0] - NUMBER_COLUMN - SIDE - 10
    blocks = []
    head = header()
    heading = [(SIDE, 8, head[0], SMALL, 90)] + [(-x, 8, head[i + 1], SMALL, 90) for i, x in enumerate(columns)]
    blocks.append(Block(SMALL + 24, heading))
    for row in posting.rows:
        parts, y = [], 10
        label = big.lines(pdf_font.printable(row["household"]), label_width)
        for text in label:
            parts.append((SIDE, y, text, BIG, 0))
            y += BIG + LINE_GAP
        for x, key in zip(columns, ("earned", "deducted", "redeemed", "balance"), strict=True):
            parts.append((-x, 10, str(row[key]), BIG, 0))
        for line in row["lines"]:
            for text in small.lines(pdf_font.printable(line_text(line)), right - SIDE - 40):
                parts.append((SIDE + 40, y, text, SMALL, 80))
                y += SMALL + LINE_GAP
        blocks.append(Block(y + 6, parts))
    return blocks


def _top(posting: PointPosting) -> Block:
    measure = Measure(SMALL)
    parts, y = [], 30
    for text in Measure(44).lines(pdf_font.printable(title(posting)), PICTURE_WIDTH - 2 * SIDE):
        parts.append((SIDE, y, text, 44, 0))
        y += 56
    for text in measure.lines(pdf_font.printable(appeal_text(posting)), PICTURE_WIDTH - 2 * SIDE):
        parts.append((SIDE, y, text, SMALL, 0))
        y += SMALL + LINE_GAP
    return Block(y + 10, parts)


def picture_parts(posting: PointPosting) -> list[list[Block]]:
    """The households' blocks cut into pictures of at most PICTURE_HEIGHT pixels."""
    blocks = _blocks(posting)
    room = PICTURE_HEIGHT - _top(posting).height - blocks[0].height - 2 * (SMALL + 20)
    parts, part, used = [], [], 0
    for block in blocks[1:]:
        if part and used + block.height > room:
            parts.append(part)
            part, used = [], 0
        part.append(block)
        used += block.height
    parts.append(part)
    return [[blocks[0], *part] for part in parts]


def picture_count(posting: PointPosting) -> int:
    return len(picture_parts(posting))


def write_picture(
    posting: PointPosting, file, part: int, parts: list | None = None, disclosure: Disclosure | None = None
) -> None:
    """Write picture `part` (from 1) of the posting as a PNG to `file`; its last line says who
    took it, when and why."""
    parts = parts if parts is not None else picture_parts(posting)
    top = _top(posting)
    foot = [posted_text(posting), _("Picture %(part)s of %(parts)s") % {"part": part, "parts": len(parts)}]
    if disclosure is not None:
        foot.append(disclosure.text(60))
    blocks = [top, *parts[part - 1]]
    height = sum(block.height for block in blocks) + len(foot) * (SMALL + 12) + 30
    image = Image.new("L", (PICTURE_WIDTH, height), 255)
    draw = ImageDraw.Draw(image)
    y = 0
    for index, block in enumerate(blocks):
        for x, dy, text, size, grey in block.draw:
            font = _font(size)
            if x < 0:
                x = -x - int(font.getlength(text))
            draw.text((x, y + dy), text, font=font, fill=grey)
        y += block.height
        if index:  # a rule under the header and under each household
            draw.line([(SIDE, y - 2), (PICTURE_WIDTH - SIDE, y - 2)], fill=190, width=1)
    y += 14
    for text in foot:
        draw.text((SIDE, y), pdf_font.printable(text), font=_font(SMALL), fill=80)
        y += SMALL + 12
    image.save(file, "PNG", compress_level=1)  # text compresses well at once; level 6 took twice the time


def picture_bytes(posting: PointPosting, part: int = 1, disclosure: Disclosure | None = None) -> bytes:
    buffer = io.BytesIO()
    write_picture(posting, buffer, part, disclosure=disclosure)
    return buffer.getvalue()
