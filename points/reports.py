"""The points supermarket's figures: its rows of the annual summary, a village table, a goods table."""

from operator import neg

from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from federation.core.charts import BarChart, LineChart
from federation.core.reporting import (
    DateRange,
    Figures,
    QueryRows,
    ReportScope,
    Table,
    binder_section,
    changelist,
    chart,
    money,
    per_row,
    per_village,
    period_params,
    report,
    summary_figure,
    summary_rows,
    village_table,
)
from points import selectors
from points.models import PointAppeal, PointClaim, PointEntry, PointRule, RedemptionEvent, RedemptionItem

K = PointEntry.Kind
POINTS = pgettext_lazy("annual summary", "Points supermarket")

summary_rows(
    (
        "redemption_sessions",
        POINTS,
        pgettext_lazy("annual summary", "Redemption sessions"),
        pgettext_lazy("unit", "times"),
        90,
    ),
    (
        "points_redeemed",
        POINTS,
        pgettext_lazy("annual summary", "Points redeemed"),
        pgettext_lazy("unit", "points"),
        100,
    ),
    (
        "redemption_beneficiaries",
        POINTS,
        pgettext_lazy("annual summary", "Beneficiaries"),
        pgettext_lazy("unit", "people"),
        110,
    ),
)


@summary_figure(
    "redemption_sessions", "points_redeemed", "redemption_beneficiaries", permission="points.view_redemption"
)
def _summary(rs: ReportScope, period: DateRange) -> dict:
    figures = selectors.live_redemptions(rs.chosen, period.start, period.end).aggregate(
        sessions=Count("event", distinct=True),
        points=Coalesce(Sum("total_points"), 0),
        people=Count("person", distinct=True),
    )
    params = period_params(period)
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
    permission=("points.view_pointentry", "points.view_redemption"),
)
def points_villages(rs: ReportScope, period: DateRange) -> Table:
    """Redeemed counts redemptions not cancelled at sessions in the period (as the summary
    does); outstanding is the ledger's balance at the period's end."""
    in_period = Q(date__range=(period.start, period.end))
    total = lambda condition: Coalesce(Sum("points", filter=condition), 0, output_field=IntegerField())  # noqa: E731
    # Grouped on the ledger's own village column: no join of millions of lines.
    ledger = Figures(selectors.ledger(rs.chosen).filter(date__lte=period.end))
    earning = Figures(selectors.households_earning(rs.chosen, period.start, period.end))
    sessions = Figures(selectors.live_redemptions(rs.chosen, period.start, period.end))
    return village_table(
        rs,
        earning.column(_("Households earning"), Count("pk")),
        ledger.column(_("Points earned"), total(in_period & Q(kind=K.AWARD))),
        ledger.column(_("Points deducted"), total(in_period & Q(kind=K.DEDUCTION)), show=neg),
        sessions.column(_("Points redeemed"), Sum("total_points")),
        ledger.column(_("Points outstanding"), total(Q())),
        sessions.column(_("Redemption sessions"), Count("event", distinct=True)),
        sessions.column(pgettext("points", "Beneficiaries"), Count("person", distinct=True)),
    )


@report(
    "points_goods",
    gettext_lazy("Points supermarket goods"),
    gettext_lazy("Goods redeemed in the period and their stock now."),
    permission=("points.view_goods", "points.view_redemptionitem"),
)
def points_goods(rs: ReportScope, period: DateRange) -> Table:
    redeemed = {
        row["goods_id"]: row
        for row in RedemptionItem.objects.filter(
            redemption__in=selectors.live_redemptions(rs.chosen, period.start, period.end)
        )
        .values("goods_id")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    }
    table = Table(header=[_("Goods"), _("Unit"), _("Quantity redeemed"), _("Stock")])
    for goods in selectors.goods(rs.chosen).order_by("name"):
        table.rows.append([goods.name, goods.unit, redeemed.get(goods.pk, {}).get("quantity") or 0, goods.stock])
    return table


# --- The three paper ledgers the county inspects (they list households: not for the county) ---


@report(
    "points_register",
    gettext_lazy("Points registration ledger"),
    gettext_lazy("Every award, deduction and reversal, by date."),
    permission=("points.view_pointentry", "federation.view_household", "federation.view_person"),
    personal=True,
)
def points_register(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            _("Date"),
            _("Village (community)"),
            _("Household number"),
            _("Head of household"),
            _("Category"),
            _("Item"),
            _("Item points"),
            _("Balance after"),
            _("Note"),
        ]
    )
    categories = {key: str(label) for key, label in PointRule.Category.choices}
    # A reversal or a correction names the item it undoes or corrects.
    labels = {K.REVERSAL: str(_("Reversal: %(item)s")), K.CORRECTION: str(_("Correction after an appeal: %(item)s"))}
    lines = selectors.register_lines_in(rs.chosen, period.start, period.end).order_by("date", "pk")
    fields = [
        "date",
        "village__name",
        "household__number",
        "household__head__name",
        "rule__category",
        "rule__description",
        "kind",
        "points",
        "balance_after",
        "note",
    ]

    def row(values) -> list:
        day, village, number, head, category, item, kind, points, balance, note = values
        item = labels[kind] % {"item": item or ""} if kind in labels else item or ""
        return [day.isoformat(), village, number, head or "", categories.get(category, ""), item, points, balance, note]

    # Read when asked, as tuples: a county's year is hundreds of thousands of lines.
    table.rows = QueryRows(lines, fields, row)
    return table


@report(
    "points_redemptions",
    gettext_lazy("Redemption ledger"),
    gettext_lazy("Every goods redeemed, by session."),
    permission=("points.view_redemptionitem", "federation.view_household", "federation.view_person"),
    personal=True,
)
def points_redemptions(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            _("Date"),
            _("Village (community)"),
            _("Household number"),
            _("Head of household"),
            _("Person who came"),
            _("Goods"),
            _("Quantity"),
            _("Points each"),
            _("Points"),
            _("Note"),
        ]
    )
    items = (
        selectors.redeemed_items_in(rs.chosen, period.start, period.end)
        .select_related("goods", "redemption__event__village", "redemption__household__head", "redemption__person")
        .order_by("redemption__event__date", "redemption_id", "goods__name")
    )
    for item in items:
        redemption = item.redemption
        head = redemption.household.head
        note = _("cancelled: %(reason)s") % {"reason": redemption.cancel_reason} if redemption.cancelled_at else ""
        table.rows.append(
            [
                redemption.event.date.isoformat(),
                redemption.event.village.name,
                redemption.household.number,
                head.name if head else "",
                redemption.person.name,
                item.goods.name,
                item.quantity,
                item.unit_points,
                item.quantity * item.unit_points,
                note,
            ]
        )
    return table


@report(
    "points_sessions",
    gettext_lazy("Redemption session record"),
    gettext_lazy("Each redemption session with its households, people and points."),
    permission=("points.view_redemptionevent", "points.view_redemption"),
)
def points_sessions(rs: ReportScope, period: DateRange) -> Table:
    live = Q(redemptions__cancelled_at__isnull=True)
    events = (
        selectors.sessions_in(rs.chosen, period.start, period.end)
        .select_related("village")
        .annotate(
            households=Count("redemptions__household", filter=live, distinct=True),
            people=Count("redemptions__person", filter=live, distinct=True),
            points=Coalesce(Sum("redemptions__total_points", filter=live), 0),
        )
        .order_by("date", "village__sort_order")
    )
    table = Table(
        header=[_("Date"), _("Village (community)"), _("Place"), _("Households"), _("People"), _("Points"), _("Note")]
    )
    for event in events:
        table.rows.append(
            [
                event.date.isoformat(),
                event.village.name,
                event.place,
                event.households,
                event.people,
                event.points,
                event.notes,
            ]
        )
    return table


@report(
    "points_donations",
    gettext_lazy("Donation ledger"),
    gettext_lazy("Goods given to the points supermarket by sponsor units, with their value."),
    permission="points.view_donation",
)
def points_donations(rs: ReportScope, period: DateRange) -> Table:
    """One row per donated goods; a cancelled donation stays listed, saying so, and is left out
    of the total."""
    table = Table(
        header=[
            _("Date"),
            _("Village (community)"),
            _("Sponsor unit"),
            _("Goods"),
            _("Quantity"),
            _("Unit value (yuan)"),
            _("Value (yuan)"),
            _("Note"),
        ]
    )
    lines = (
        selectors.donation_lines_in(rs.chosen, period.start, period.end)
        .select_related("goods", "donation__village")
        .order_by("donation__date", "donation_id", "goods__name")
    )
    whole_town = _("whole town")
    for line in lines:
        donation = line.donation
        note = donation.note
        if donation.cancelled_at:
            note = _("cancelled: %(reason)s") % {"reason": donation.cancel_reason}
        table.rows.append(
            [
                donation.date.isoformat(),
                donation.village.name if donation.village else whole_town,
                donation.sponsor,
                line.goods.name,
                line.quantity,
                money(line.unit_value),
                money(line.quantity * line.unit_value),
                note,
            ]
        )
    live = selectors.donation_lines_in(rs.chosen, period.start, period.end).filter(donation__cancelled_at__isnull=True)
    totals = live.aggregate(total_quantity=Sum("quantity"), total_value=selectors.line_value())
    table.rows.append([_("Total"), "", "", "", totals["total_quantity"] or 0, "", money(totals["total_value"]), ""])
    return table


binder_section(
    "points_donations", gettext_lazy("Donation ledger"), category="family", order=40, reports=("points_donations",)
)


@chart("points_villages", order=20, permission="points.view_redemption")
def _redeemed_chart(rs: ReportScope, period: DateRange) -> BarChart:
    """Points redeemed at each village's sessions (cancelled redemptions left out)."""
    redeemed = per_village(selectors.live_redemptions(rs.chosen, period.start, period.end), points=Sum("total_points"))
    dates = period_params(period)
    rows = [
        (name, redeemed.get(pk, {}).get("points") or 0, changelist(RedemptionEvent, village__id__exact=pk, **dates))
        for pk, name in rs.village_rows()
    ]
    return BarChart(_("Points redeemed by village"), rows, unit=str(pgettext_lazy("unit", "points")))


@chart("points_months", order=50, permission=("points.view_pointentry", "points.view_redemption"))
def _points_months_chart(rs: ReportScope, period: DateRange) -> LineChart:
    """Points earned (awards) and redeemed, month by month through the period."""
    months = [(year, month) for year in range(period.start.year, period.end.year + 1) for month in range(1, 13)]
    months = [m for m in months if (period.start.year, period.start.month) <= m <= (period.end.year, period.end.month)]
    earned = {
        (row["year"], row["month"]): row["n"]
        for row in selectors.ledger(rs.chosen)
        .filter(kind=K.AWARD, date__range=(period.start, period.end))
        .values(year=ExtractYear("date"), month=ExtractMonth("date"))
        .annotate(n=Sum("points"))
        .order_by()
    }
    redeemed = {
        (row["year"], row["month"]): row["n"]
        for row in selectors.live_redemptions(rs.chosen, period.start, period.end)
        .values(year=ExtractYear("event__date"), month=ExtractMonth("event__date"))
        .annotate(n=Sum("total_points"))
        .order_by()
    }
    one_year = period.start.year == period.end.year
    labels = [
        pgettext("month", "M%(month)d") % {"month": month} if one_year else f"{year}-{month:02d}"
        for year, month in months
    ]
    return LineChart(
        _("Points earned and redeemed by month"),
        labels,
        [
            (str(_("earned")), [earned.get(m) or 0 for m in months]),
            (str(_("redeemed")), [redeemed.get(m) or 0 for m in months]),
        ],
        unit=str(pgettext_lazy("unit", "points")),
    )


binder_section(
    "points_register",
    gettext_lazy("Points registration ledger"),
    category="family",
    order=10,
    reports=("points_register",),
)
binder_section(
    "points_redemptions",
    gettext_lazy("Redemption ledger"),
    category="family",
    order=20,
    reports=("points_redemptions",),
)
binder_section(
    "points_sessions",
    gettext_lazy("Redemption session record"),
    category="family",
    order=30,
    reports=("points_sessions",),
)


SIGNALS = {
    "over_cap": gettext_lazy("Over the rule's cap"),
    "many_in_a_day": gettext_lazy("Many claims by one recorder in a day"),
    "own_household": gettext_lazy("Claim for the recorder's own household"),
    "before_submission": gettext_lazy("Recorded just before the month was submitted"),
}


@report(
    "points_claim_signals",
    gettext_lazy("Points claims to look at"),
    gettext_lazy(
        "Claims that look wrong: over a rule's cap, many by one recorder in a day, for the recorder's own "
        "household, recorded just before the month was submitted. Each row opens its claims."
    ),
    permission=("points.view_pointclaim", "federation.view_household"),
    personal=True,
)
def points_claim_signals(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            _("Signal"),
            _("Village (community)"),
            _("Date"),
            _("Household number"),
            _("Item"),
            _("Recorded by"),
            _("Claims"),
            _("Points"),
        ]
    )
    groups = selectors.claim_signals(rs.chosen, period.start, period.end)
    ids = {pk for _kind, pks in groups for pk in pks}
    claims = {
        claim.pk: claim
        for claim in PointClaim.objects.filter(pk__in=ids).select_related("village", "household", "rule", "recorded_by")
    }
    for kind, pks in groups:
        first = claims[pks[0]]
        households = {claims[pk].household.number for pk in pks}
        table.rows.append(
            [
                str(SIGNALS[kind]),
                first.village.name,
                first.date.isoformat(),
                "、".join(sorted(households)),
                first.rule.description,
                str(first.recorded_by or ""),
                len(pks),
                sum(claims[pk].points for pk in pks),
            ]
        )
        table.links[(len(table.rows) - 1, 6)] = changelist(PointClaim, ids=",".join(map(str, pks)))
    return table


@report(
    "points_appeals",
    gettext_lazy("Points appeal ledger"),
    gettext_lazy("Every appeal received, what the household said, the outcome and its reasons, and the correction."),
    permission=("points.view_pointappeal", "federation.view_household", "federation.view_person"),
    personal=True,
)
def points_appeals(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            _("Received on"),
            _("Village (community)"),
            _("Household number"),
            _("Head of household"),
            _("Line appealed"),
            _("What the villager says"),
            _("Outcome"),
            _("Reasons"),
            _("Points corrected"),
            _("Decided on"),
        ]
    )
    corrections = PointEntry.objects.filter(kind=K.CORRECTION)
    appeals = (
        selectors.appeals_in(rs.chosen, period.start, period.end)
        .select_related("village", "household__head", "entry__rule")
        .annotate(corrected=per_row(corrections, "appeal", Sum("points")))
        .order_by("received_on", "pk")
    )
    missing = _("an award the household says is missing")
    statuses = dict(PointAppeal.Status.choices)
    for appeal in appeals:
        head = appeal.household.head
        table.rows.append(
            [
                appeal.received_on.isoformat(),
                appeal.village.name,
                appeal.household.number,
                head.name if head else "",
                appeal.entry.picker_label() if appeal.entry else missing,
                appeal.statement,
                str(statuses[appeal.status]),
                appeal.outcome,
                appeal.corrected if appeal.status == PointAppeal.Status.CORRECTED else "",
                appeal.decided_on.isoformat() if appeal.decided_on else "",
            ]
        )
    return table


binder_section(
    "points_appeals", gettext_lazy("Points appeal ledger"), category="family", order=50, reports=("points_appeals",)
)
