"""The points supermarket's figures: its rows of the annual summary, a village table, a goods table."""

from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from federation.models import Village
from federation.reporting import Period, ReportScope, Table, report
from federation.reports import changelist, summary_figure
from points.models import Goods, PointEntry, Redemption, RedemptionEvent, RedemptionItem

K = PointEntry.Kind


def live_redemptions(rs: ReportScope, period: Period):
    """Redemptions at sessions in the period, in the chosen villages, not cancelled."""
    return Redemption.objects.filter(
        event__village_id__in=rs.village_ids, event__date__range=(period.start, period.end), cancelled_at__isnull=True
    )


@summary_figure("redemption_sessions", "points_redeemed", "redemption_beneficiaries")
def _summary(rs: ReportScope, period: Period) -> dict:
    figures = live_redemptions(rs, period).aggregate(
        sessions=Count("event", distinct=True),
        points=Coalesce(Sum("total_points"), 0),
        people=Count("person", distinct=True),
    )
    params = {"date__gte": period.start.isoformat(), "date__lte": period.end.isoformat()}
    sessions_url = changelist(RedemptionEvent, **params)
    return {
        "redemption_sessions": (figures["sessions"], sessions_url),
        "points_redeemed": (figures["points"], None),
        "redemption_beneficiaries": (figures["people"], None),
    }


@report(
    "points_villages",
    gettext_lazy("Points supermarket by village"),
    gettext_lazy("Households earning, points earned, deducted, redeemed and outstanding, sessions, beneficiaries."),
)
def points_villages(rs: ReportScope, period: Period) -> Table:
    """Redeemed counts redemptions not cancelled at sessions in the period (as the summary
    does); outstanding is the ledger's balance at the period's end."""
    in_period = Q(date__range=(period.start, period.end))
    total = lambda condition: Coalesce(Sum("points", filter=condition), 0, output_field=IntegerField())  # noqa: E731
    ledger = {
        row["household__village_id"]: row
        for row in PointEntry.objects.filter(household__village_id__in=rs.village_ids, date__lte=period.end)
        .values("household__village_id")
        .annotate(
            earning=Count("household", filter=in_period & Q(kind=K.AWARD), distinct=True),
            earned=total(in_period & Q(kind=K.AWARD)),
            deducted=total(in_period & Q(kind=K.DEDUCTION)),
            outstanding=total(Q()),
        )
        .order_by()
    }
    sessions = {
        row["event__village_id"]: row
        for row in live_redemptions(rs, period)
        .values("event__village_id")
        .annotate(
            sessions=Count("event", distinct=True), people=Count("person", distinct=True), points=Sum("total_points")
        )
        .order_by()
    }
    table = Table(
        header=[
            _("Village (community)"),
            _("Households earning"),
            _("Points earned"),
            _("Points deducted"),
            _("Points redeemed"),
            _("Points outstanding"),
            _("Redemption sessions"),
            pgettext("points", "Beneficiaries"),
        ]
    )
    totals = [0] * 7
    for pk, name in (
        Village.objects.filter(pk__in=rs.village_ids).order_by("sort_order", "name").values_list("pk", "name")
    ):
        row, seen = ledger.get(pk, {}), sessions.get(pk, {})
        values = [
            row.get("earning", 0),
            row.get("earned", 0),
            -row.get("deducted", 0),
            seen.get("points") or 0,
            row.get("outstanding", 0),
            seen.get("sessions", 0),
            seen.get("people", 0),
        ]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        table.rows.append([name, *values])
    table.rows.append([_("Total"), *totals])
    return table


@report(
    "points_goods",
    gettext_lazy("Points supermarket goods"),
    gettext_lazy("Goods redeemed in the period and their stock now."),
)
def points_goods(rs: ReportScope, period: Period) -> Table:
    redeemed = {
        row["goods_id"]: row
        for row in RedemptionItem.objects.filter(redemption__in=live_redemptions(rs, period))
        .values("goods_id")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    }
    table = Table(header=[_("Goods"), _("Unit"), _("Quantity redeemed"), _("Stock")])
    towns = Village.objects.filter(pk__in=rs.village_ids).values("town_id")
    for goods in Goods.objects.filter(town_id__in=towns).order_by("name"):
        table.rows.append([goods.name, goods.unit, redeemed.get(goods.pk, {}).get("quantity") or 0, goods.stock])
    return table
