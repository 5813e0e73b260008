"""The household passbook (积分存折): a household's year of points as the family keeps it, in the
binder's look (its font, shaded table header and page numbers), A5 or A4, one household per
page (a long year continues on the next pages under the same heading).

The pages are drawn straight on the canvas, as the binder draws its tables: a village's 1,500
passbooks print in seconds. More households than BACKGROUND_FROM print in the background
worker, as a large roster imports (an ImportJob of kind "print": its page shows the progress,
then the file)."""

import io
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_tasks import task
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm

from federation.core import pdf_font
from federation.core.binder import HEADER_SHADE, Measure
from federation.core.disclosure import Disclosure, MarkedCanvas, person_of
from federation.core.importing import Heartbeat, store_upload
from federation.core.models import ImportJob, ReportLog
from federation.models import Household
from points.selectors import Passbook, passbooks

logger = logging.getLogger(__name__)

SIZES = {"A5": A5, "A4": A4}
LOG_NAME = "points_passbook"  # each passbook file downloaded is logged under this name
JOB_NAME = "points.passbook"  # the ImportJob's `resource` of a background print
BACKGROUND_FROM = 300  # households: more are printed by the background worker
CHUNK = 250  # households read at once (four queries a chunk)
JOB_MAX_AGE = timedelta(days=1)
MARGIN, PAD = 12 * mm, 3


def title() -> str:
    # Not in an f-string: xgettext does not read inside one.
    supermarket, passbook = _("Jinguo Jiamei points supermarket"), _("Points passbook")
    return f"{supermarket}　{passbook}"


def signature_line() -> str:
    return _("Head of household (signature): ________    Clerk: ________    Date: ____年__月__日")


class Layout:
    """A page size's fonts and the table's columns: date, what, points, balance."""

    def __init__(self, size: str):
        self.font = pdf_font.register()
        self.width, self.height = SIZES[size]
        large = size == "A4"
        self.text = 10 if large else 8.5
        self.leading = self.text * 1.25
        self.heading = 16 if large else 13
        self.measure = Measure(self.text)
        number = self.measure.width("+100,000") + 2 * PAD
        day = self.measure.width("2024-12-31") + 2 * PAD
        self.widths = [day, self.width - 2 * MARGIN - day - 2 * number, number, number]
        self.header = [
            _("date"),
            pgettext("passbook", "what"),
            pgettext("passbook", "points"),
            pgettext("passbook", "balance"),
        ]
        self.line = self.text * 2  # a line of the heading, the totals or the signature
        self.table_top = self.height - MARGIN - self.heading * 1.6 - 3 * self.line
        self.bottom = MARGIN + self.line  # above the footer


def _rows(book: Passbook, layout: Layout) -> list[tuple[list[list[str]], float]]:
    """Each line's cells (each a list of printed lines) and its height."""
    inner = layout.widths[1] - 2 * PAD
    rows = []
    for line in book.lines:
        what = layout.measure.lines(pdf_font.printable(line.what), inner)
        cells = [[f"{line.date:%Y-%m-%d}"], what, [f"{line.points:+,d}"], [f"{line.balance:,d}"]]
        rows.append((cells, len(what) * layout.leading + 2 * PAD))
    return rows


def _pages(rows, layout: Layout) -> list[list]:
    """The rows cut into pages under the table's header; the last page keeps room for the
    totals and the signature."""
    head = layout.leading + 2 * PAD
    room = layout.table_top - layout.bottom - head
    pages, page, used = [], [], 0.0
    for row in rows:
        if page and used + row[1] > room:
            pages.append(page)
            page, used = [], 0.0
        page.append(row)
        used += row[1]
    if used + 3 * layout.line > room and page:
        pages.append(page)
        page = []
    pages.append(page)
    return pages


def _draw_heading(canvas, book: Passbook, layout: Layout, continued: bool) -> None:
    household, width = book.household, layout.width
    y = layout.height - MARGIN - layout.heading
    canvas.setFont(layout.font, layout.heading)
    heading = title() + (_("(continued)") if continued else "")
    canvas.drawCentredString(width / 2, y, heading)
    canvas.setFont(layout.font, layout.text + 1)
    y -= layout.line * 1.3
    village = household.village
    canvas.drawString(MARGIN, y, pdf_font.printable(f"{village.town.name}　{village.name}"))
    canvas.drawRightString(width - MARGIN, y, _("Year %(year)s") % {"year": book.year})
    y -= layout.line
    head = household.head.name if household.head_id else "—"
    who = _("Household number: %(number)s    Head of household: %(head)s") % {
        "number": household.number,
        "head": head,
    }
    canvas.drawString(MARGIN, y, pdf_font.printable(who))
    if not continued:
        y -= layout.line
        canvas.drawString(MARGIN, y, _("Balance brought forward: %(points)s") % {"points": f"{book.opening:,d}"})


def _draw_table(canvas, rows, layout: Layout) -> float:
    """The header and the rows from the table's top, as the binder draws its tables; return
    where the table ends."""
    widths, leading, size = layout.widths, layout.leading, layout.text
    header = ([[text] for text in layout.header], leading + 2 * PAD)
    heights = [height for _cells, height in [header, *rows]]
    xs = [MARGIN + x for x in itertools.accumulate(widths, initial=0)]
    ys = list(itertools.accumulate((-h for h in heights), initial=layout.table_top))
    canvas.setFillColor(HEADER_SHADE)
    canvas.rect(xs[0], ys[1], xs[-1] - xs[0], heights[0], stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setLineWidth(0.4)
    grid = canvas.beginPath()
    for y in ys:
        grid.moveTo(xs[0], y)
        grid.lineTo(xs[-1], y)
    for x in xs:
        grid.moveTo(x, ys[-1])
        grid.lineTo(x, ys[0])
    canvas.drawPath(grid, stroke=1, fill=0)
    text = canvas.beginText()
    text.setFont(layout.font, size, leading)
    width_of = layout.measure.width
    for r, (cells, _height) in enumerate([header, *rows]):
        for i, lines in enumerate(cells):
            for k, line in enumerate(lines):
                if r == 0:
                    x = xs[i] + (widths[i] - width_of(line)) / 2
                elif i >= 2:  # numbers to the right
                    x = xs[i + 1] - PAD - width_of(line)
                else:
                    x = xs[i] + PAD
                text.setTextOrigin(x, ys[r] - PAD - size + 0.5 - k * leading)
                text.textOut(line)
    canvas.drawText(text)
    return ys[-1]


def _draw_end(canvas, book: Passbook, layout: Layout, y: float) -> None:
    canvas.setFont(layout.font, layout.text + 0.5)
    y -= layout.line
    if not book.lines:
        canvas.drawString(MARGIN, y, _("No points lines in the year."))
        y -= layout.line
    totals = _(
        "This year: earned %(earned)s, deducted %(deducted)s, redeemed %(redeemed)s; "
        "balance at the year's end %(closing)s"
    ) % {key: f"{getattr(book, key):,d}" for key in ("earned", "deducted", "redeemed", "closing")}
    for line in layout.measure.lines(totals, layout.width - 2 * MARGIN)[:2]:
        canvas.drawString(MARGIN, y, line)
        y -= layout.text * 1.4
    canvas.drawString(MARGIN, y - layout.line * 0.6, signature_line())


def _draw_footer(canvas, book: Passbook, layout: Layout, page: int, pages: int) -> None:
    canvas.setFont(layout.font, 8)
    y = MARGIN - 4
    canvas.drawString(MARGIN, y, pdf_font.printable(f"{book.household.village.name} {book.household.number}"))
    canvas.drawCentredString(layout.width / 2, y, _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages})


def write_pdf(
    books: Iterable[Passbook],
    file,
    *,
    size: str = "A5",
    progress: Callable | None = None,
    disclosure: Disclosure | None = None,
) -> int:
    """Write the passbooks' PDF to `file`, each household from a new page, each page marked
    with who printed it; return its pages. `progress(done)` is told each household printed."""
    layout = Layout(size)
    canvas = MarkedCanvas(
        file, pagesize=SIZES[size], initialFontName=layout.font, pageCompression=1, disclosure=disclosure
    )
    canvas.setTitle(title())
    canvas.setCreator("妇联工作台")
    total = 0
    for done, book in enumerate(books, 1):
        pages = _pages(_rows(book, layout), layout)
        for number, rows in enumerate(pages, 1):
            _draw_heading(canvas, book, layout, continued=number > 1)
            end = _draw_table(canvas, rows, layout)
            if number == len(pages):
                _draw_end(canvas, book, layout, end)
            _draw_footer(canvas, book, layout, number, len(pages))
            canvas.showPage()
        total += len(pages)
        if progress is not None:
            progress(done)
    if not total:
        canvas.showPage()  # a PDF has at least one page
    canvas.save()
    return total


def in_chunks(household_ids: list[int], year: int) -> Iterator[Passbook]:
    """The passbooks of the households, read CHUNK households at a time, in the order given."""
    for start in range(0, len(household_ids), CHUNK):
        chunk = household_ids[start : start + CHUNK]
        books = {book.household.pk: book for book in passbooks(Household.objects.filter(pk__in=chunk), year)}
        yield from (books[pk] for pk in chunk if pk in books)


def pdf_bytes(
    household_ids: list[int],
    year: int,
    size: str,
    progress: Callable | None = None,
    disclosure: Disclosure | None = None,
) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    pages = write_pdf(in_chunks(household_ids, year), buffer, size=size, progress=progress, disclosure=disclosure)
    return buffer.getvalue(), pages


def in_order(households) -> list[Household]:
    """The households (a queryset, the household list's say) in the passbooks' order: by
    village, then number; with their villages, which name the file."""
    chosen = Household.objects.filter(pk__in=households.order_by().values("pk")).select_related("village")
    return list(chosen.order_by("village__sort_order", "village_id", "number"))


def file_name(year: int, households: list[Household]) -> str:
    """积分存折_2024_TB-100.pdf for one household, 积分存折_2024_太坝村.pdf for a village's."""
    if len(households) == 1:
        what = households[0].number
    elif len({household.village_id for household in households}) == 1:
        what = households[0].village.name
    else:
        what = _("%(count)s households") % {"count": len(households)}
    passbook = _("Points passbook")
    name = f"{passbook}_{year}_{what}.pdf"
    return "".join("_" if char in '\\/:*?"<>|' else char for char in name)


def log(user, *, year: int, size: str, households: int, purpose: str, household=None) -> None:
    """Every passbook file downloaded is logged as a report download (报表日志), with its purpose."""
    filters = {"year": [str(year)], "size": [size]}
    if household is not None:
        filters["household"] = [str(household)]
    ReportLog.objects.create(
        user=user, report=LOG_NAME, filters=filters, format="pdf", rows=households, purpose=purpose[:200]
    )


def start_print(*, user, households: list[Household], year: int, size: str, purpose: str) -> ImportJob:
    """Queue the print of many passbooks for the background worker; its page follows it. The
    pages are marked with the user, the time she asked, and the purpose she gave."""
    ImportJob.objects.filter(created_at__lt=timezone.now() - JOB_MAX_AGE).delete()
    villages = {household.village for household in households}
    job = ImportJob.objects.create(
        user=user,
        kind=ImportJob.Kind.PRINT,
        resource=JOB_NAME,
        file_name=file_name(year, households)[:200],
        village=villages.pop() if len(villages) == 1 else None,
        rows_total=len(households),
        result={"year": year, "size": size, "purpose": purpose},
    )
    ids = [household.pk for household in households]
    job.task_id = print_passbooks.enqueue(str(job.pk), ids, year, size).id
    job.save(update_fields=["task_id"])
    return job


@task()
def print_passbooks(job_id: str, household_ids: list[int], year: int, size: str) -> None:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    jobs = ImportJob.objects.filter(pk=job.pk)
    purpose = (job.result or {}).get("purpose", "")
    jobs.update(state=ImportJob.State.READING, heartbeat_at=timezone.now())
    heartbeat = Heartbeat(job.pk)
    heartbeat.start()

    def progress(done: int) -> None:
        if done % 50 == 0:  # a write every 50 households costs nothing beside their pages
            jobs.update(rows_done=done, heartbeat_at=timezone.now())

    # The worker has no request to choose the language: the site's.
    with translation.override(settings.LANGUAGE_CODE):
        disclosure = Disclosure(who=person_of(job.user), at=timezone.localtime(job.created_at), purpose=purpose)
        try:
            data, pages = pdf_bytes(household_ids, year, size, progress, disclosure)
            token = store_upload(data, job.user, kind="pdf")
        except Exception:
            logger.exception("passbook job %s failed", job.pk)
            message = _("The passbooks could not be printed. Tell the system administrator the time.")
            jobs.update(state=ImportJob.State.FAILED, result={"message": message})
        else:
            done = {"state": ImportJob.State.DONE, "token": token, "rows_done": len(household_ids)}
            jobs.update(**done, result={"pages": pages, "year": year, "size": size, "purpose": purpose})
        finally:
            heartbeat.stopped.set()
            heartbeat.join()
