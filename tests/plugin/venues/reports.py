"""The venues' report and their row of the annual summary."""

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from federation.core.reporting import (
    DateRange,
    Figures,
    ReportScope,
    Table,
    report,
    summary_figure,
    summary_rows,
    village_table,
)
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
    # Declared as every per-village table is: the counted set and its (label, aggregate) columns.
    opened = venues(rs).filter(opened__lte=period.end)
    return village_table(
        rs, Figures(opened, [("妇女之家", Count("pk", distinct=True)), ("志愿者", Count("volunteers", distinct=True))])
    )
