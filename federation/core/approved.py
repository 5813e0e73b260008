"""Figures as approved. A period's records are locked once approved, but what reports count
also depends on records no period holds — the people registry above all (a girl born in 2015
imported in 2026 changes 2024's HPV coverage). What the town approved and the county inspected
must stay reproducible, so at approval every report of figures is kept as it stood:

- for the village and the approved period, and for the quarter and the year that holds it once
  all their months are approved for the village;
- for the whole town, for each of those periods that every village of the town has approved.

The report page, its downloads, `county_report` and the binder print the kept table when they
are asked for exactly that village (or the whole town) and period (`run`), and say when it was
approved and where today's records give other figures. Reopening a period forgets what was
kept for it and for what holds it; approving it again keeps it anew."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from federation.core.dates import period_of
from federation.core.models import ApprovedFigures, PeriodSubmission, Town, Village
from federation.core.registry import registry
from federation.core.reporting import DateRange, ReportScope, Table
from federation.core.scoping import EVERYTHING

APPROVED = PeriodSubmission.Status.APPROVED
# Reads every report: the figures are kept whole, and each reader is shown them under the
# report's own permissions (who may read which report, which summary rows) as ever.
SYSTEM = SimpleNamespace(is_superuser=True, is_authenticated=True, is_active=True, pk=None, has_perm=lambda name: True)
SHOWN_DIFFERENCES = 12


def _periods(day: date) -> list[tuple[date, date]]:
    """The quarter and the year that hold `day`."""
    return [period_of(Town.SubmissionPeriod.QUARTER, day), (date(day.year, 1, 1), date(day.year, 12, 31))]


def _approved_through(village_ids, start: date, end: date) -> bool:
    """Whether every day from start to end is in an approved period of each village (their
    approved periods read in one query)."""
    days = dict.fromkeys(village_ids, 0)
    covered = PeriodSubmission.objects.filter(
        village_id__in=days, status=APPROVED, start__gte=start, end__lte=end
    ).values_list("village_id", "start", "end")
    for village_id, since, until in covered:
        days[village_id] += (until - since).days + 1
    return all(total == (end - start).days + 1 for total in days.values())


_deferred: ContextVar[list | None] = ContextVar("approved_deferred", default=None)


@contextmanager
def deferred():
    """Approvals made inside keep their figures afterwards, in the background worker: the demo
    approves a year of thirteen villages at once."""
    pending = []
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)
    for pk in pending:
        keep_figures.enqueue(pk)


@task()
def keep_figures(submission_id: int) -> None:
    submission = PeriodSubmission.objects.filter(pk=submission_id, status=APPROVED).select_related("village").first()
    if submission is not None:
        keep(submission)


def keep(submission: PeriodSubmission) -> None:
    """Keep the figures of an approval (`submission_approve` calls it in its transaction)."""
    pending = _deferred.get()
    if pending is not None:
        pending.append(submission.pk)
        return
    village = submission.village
    town = village.town
    villages = list(Village.objects.filter(town=town).values_list("pk", flat=True))
    periods = [(submission.start, submission.end)]
    periods += [(start, end) for start, end in _periods(submission.start) if (start, end) != periods[0]]
    # When it was approved, not when the figures were kept (the background worker keeps the
    # demo's later).
    at = submission.reviewed_at or timezone.now()
    for start, end in periods:
        if (start, end) == periods[0] or _approved_through([village.pk], start, end):
            _keep(town, village, start, end, at)
            if _approved_through([pk for pk in villages if pk != village.pk], start, end):
                _keep(town, None, start, end, at)


def _scope(town, village) -> ReportScope:
    return ReportScope(
        scope=EVERYTHING,
        village_ids=[village.pk] if village else list(Village.objects.filter(town=town).values_list("pk", flat=True)),
        town_ids=[] if village else [town.pk],
        town_name=town.name,
        user=SYSTEM,
    )


def _keep(town, village, start: date, end: date, approved_at) -> None:
    rs, period = _scope(town, village), DateRange(start, end, "")
    ApprovedFigures.objects.filter(town=town, village=village, start=start, end=end).delete()
    ApprovedFigures.objects.bulk_create(
        ApprovedFigures(
            town=town,
            village=village,
            start=start,
            end=end,
            report=name,
            header=[str(heading) for heading in table.header],
            rows=[[_dump(value) for value in row] for row in table.rows],
            approved_at=approved_at,
        )
        for name, entry in registry.reports.items()
        if not entry.personal
        for table in [entry.function(rs, period)]
    )


def forget(submission: PeriodSubmission) -> None:
    """A reopened period's figures, and those of what holds it, are no longer approved ones."""
    village = submission.village
    ApprovedFigures.objects.filter(
        Q(village=village) | Q(village__isnull=True),
        town_id=village.town_id,
        start__lte=submission.end,
        end__gte=submission.start,
    ).delete()


def _dump(value):
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _load(value):
    if isinstance(value, dict):
        if "decimal" in value:
            return Decimal(value["decimal"])
        return date.fromisoformat(value["date"])
    return value


@dataclass
class Kept:
    """A kept table, when it was approved, and where today's figures differ from it."""

    table: Table
    approved_at: object
    differences: list[str]

    def note(self) -> str:
        when = timezone.localtime(self.approved_at).strftime("%Y-%m-%d %H:%M")
        text = _("The figures as approved on %(when)s.") % {"when": when}
        if not self.differences:
            return text + " " + _("Today's records give the same figures.")
        return (
            text
            + " "
            + _("Today's records give other figures: %(changes)s.") % {"changes": "；".join(self.differences)}
        )


def kept_for(name: str, rs: ReportScope, period: DateRange) -> ApprovedFigures | None:
    """The kept table of the report for exactly this village (or whole town) and period."""
    if len(rs.village_ids) == 1 and not rs.town_ids:
        village = Village.objects.filter(pk=rs.village_ids[0]).only("town_id").first()
        if village is None:
            return None
        where = {"town_id": village.town_id, "village_id": village.pk}
    elif len(rs.town_ids) == 1:
        town_villages = set(Village.objects.filter(town_id=rs.town_ids[0]).values_list("pk", flat=True))
        if set(rs.village_ids) != town_villages:
            return None
        where = {"town_id": rs.town_ids[0], "village__isnull": True}
    else:
        return None
    return ApprovedFigures.objects.filter(report=name, start=period.start, end=period.end, **where).first()


def run(entry, rs: ReportScope, period: DateRange) -> tuple[Table, Kept | None]:
    """The report's table: the one kept at approval when there is one for this village (or
    town) and period, with today's differences; otherwise computed from today's records. A
    reader who may not read a row of the annual summary does not get it from the kept table
    either (its rows are matched by their indicator)."""
    live = entry.function(rs, period)
    kept = None if entry.personal else kept_for(entry.name, rs, period)
    if kept is None:
        return live, None
    rows = [[_load(value) for value in row] for row in kept.rows]
    if entry.name == "annual_summary":  # each row under its own permission: keep the reader's rows
        readable = {tuple(row[:2]) for row in live.rows}
        rows = [row for row in rows if tuple(row[:2]) in readable]
    table = Table(header=list(kept.header), rows=rows)
    return table, Kept(table, kept.approved_at, _differences(table, live))


def _differences(kept: Table, live: Table) -> list[str]:
    """“row · column: approved → today” for each figure that moved (the first few)."""
    found = []
    live_rows = {_label(row): row for row in live.rows}
    for row in kept.rows:
        now = live_rows.get(_label(row))
        for index, value in enumerate(row):
            if now is None or index >= len(now) or index == 0:
                continue
            if str(value) != str(now[index]):
                column = kept.header[index] if index < len(kept.header) else ""
                found.append(f"{_label(row)}·{column}：{value} → {now[index]}")
    if len(found) > SHOWN_DIFFERENCES:
        more = len(found) - SHOWN_DIFFERENCES
        found = [*found[:SHOWN_DIFFERENCES], _("and %(count)d more") % {"count": more}]
    return found


def _label(row) -> str:
    """A row's name: its first text cells (the annual summary's board and indicator)."""
    texts = [str(value) for value in row[:2] if isinstance(value, str)]
    return " ".join(texts[:2]) if len(texts) == 2 and len(row) > 3 else (texts[0] if texts else "")
