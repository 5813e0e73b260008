"""The venues' report and their row of the annual summary."""

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from federation.core.reporting import DateRange, ReportScope, Table, report, summary_figure, summary_rows
from tests.plugin.venues.models import Venue

summary_rows(("venues_opened", "妇女之家", "新建妇女之家", "个", 900))


def venues(rs: ReportScope):
    return Venue.objects.filter(village_id__in=rs.village_ids)


@summary_figure("venues_opened", permission="venues.view_venue")
def _venues_opened(rs: ReportScope, period: DateRange) -> dict:
    count = venues(rs).filter(opened__range=(period.start, period.end)).count()
    dates = urlencode({"opened__gte": period.start.isoformat(), "opened__lte": period.end.isoformat()})
    return {"venues_opened": (count, f"{reverse('admin:venues_venue_changelist')}?{dates}")}


@report(
    "venues_villages",
    "各村妇女之家",
    "期末已建成的妇女之家和在那里服务的志愿者，按村(社区)。",
    permission="venues.view_venue",
)
def venues_villages(rs: ReportScope, period: DateRange) -> Table:
    figures = {
        row["village_id"]: row
        for row in venues(rs)
        .filter(opened__lte=period.end)
        .values("village_id")
        .annotate(venues=Count("pk", distinct=True), volunteers=Count("volunteers", distinct=True))
        .order_by()
    }
    table = Table(header=["村(社区)", "妇女之家", "志愿者"])
    for pk, name in rs.village_rows():
        row = figures.get(pk, {})
        table.rows.append([name, row.get("venues", 0), row.get("volunteers", 0)])
    table.add_total("合计")
    return table
