"""Care and aid figures: the 关爱帮扶 rows of the annual summary and per-village tables.
Aggregates only: no names, no parties, so a domestic-violence case is one count among others.
Care files (targets, pairings, visits, disputes) need the care role's view permissions;
charity aid, kept by the village clerk, hers."""

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from aid import selectors
from aid.models import CareTarget, CareVisit, CharityAid, DisputeCase, Pairing
from federation.charts import BarChart
from federation.reporting import (
    Period,
    ReportScope,
    Table,
    chart,
    money,
    per_village,
    report,
    summary_figure,
    summary_rows,
)
from federation.reports import CARE, changelist, period_params

summary_rows(
    ("pairings", CARE, pgettext_lazy("annual summary", "Caring mother pairings"), pgettext_lazy("unit", "pairs"), 160),
    (
        "aided_households",
        CARE,
        pgettext_lazy("annual summary", "Extremely poor families aided"),
        pgettext_lazy("unit", "households"),
        170,
    ),
    (
        "disputes_found",
        CARE,
        pgettext_lazy("annual summary", "Marriage and family disputes found"),
        pgettext_lazy("unit", "cases"),
        200,
    ),
    (
        "disputes_resolved",
        CARE,
        pgettext_lazy("annual summary", "Marriage and family disputes resolved"),
        pgettext_lazy("unit", "cases"),
        210,
    ),
)


@summary_figure("pairings", permission="aid.view_pairing")
def _pairings(rs: ReportScope, period: Period) -> dict:
    return {"pairings": (selectors.pairings_in(rs.chosen, period.start, period.end).count(), changelist(Pairing))}


@summary_figure("aided_households", permission="aid.view_charityaid")
def _aided_households(rs: ReportScope, period: Period) -> dict:
    url = changelist(CharityAid, **period_params(period))
    return {
        "aided_households": (
            selectors.charity_in(rs.chosen, period.start, period.end).aggregate(n=Count("household", distinct=True))[
                "n"
            ],
            url,
        )
    }


@summary_figure("disputes_found", "disputes_resolved", permission="aid.view_disputecase")
def _disputes(rs: ReportScope, period: Period) -> dict:
    dates = (period.start, period.end)
    cases = selectors.disputes(rs.chosen).aggregate(
        found=Count("pk", filter=Q(found_on__range=dates)),
        resolved=Count("pk", filter=Q(status=DisputeCase.Status.RESOLVED, closed_on__range=dates)),
    )
    found_url = changelist(DisputeCase, **period_params(period, "found_on"))
    return {"disputes_found": (cases["found"], found_url), "disputes_resolved": (cases["resolved"], None)}


@report(
    "care_targets_villages",
    gettext_lazy("Care targets by village"),
    gettext_lazy("People on the care register at the period's end, by category."),
    permission="aid.view_caretarget",
)
def care_targets_villages(rs: ReportScope, period: Period) -> Table:
    categories = CareTarget.Category
    figures = per_village(
        selectors.care_targets_on(rs.chosen, period.end),
        **{c.value: Count("person", distinct=True, filter=Q(category=c)) for c in categories},
    )
    table = Table(header=[_("Village (community)"), *(str(c.label) for c in categories)])
    for pk, name in rs.village_rows():
        row = figures.get(pk, {})
        table.rows.append([name, *(row.get(c.value, 0) for c in categories)])
    table.add_total(_("Total"))
    return table


@report(
    "pairings_villages",
    gettext_lazy("Caring mothers and visits by village"),
    gettext_lazy("Pairings active in the period, caring mothers, children, and visits by kind."),
    permission=("aid.view_pairing", "aid.view_carevisit"),
)
def pairings_villages(rs: ReportScope, period: Period) -> Table:
    paired = per_village(
        selectors.pairings_in(rs.chosen, period.start, period.end),
        pairings=Count("pk"),
        mothers=Count("mother", distinct=True),
        children=Count("child", distinct=True),
    )
    kinds = CareVisit.Kind
    visits = per_village(
        selectors.visits_in(rs.chosen, period.start, period.end),
        total=Count("pk"),
        **{k.value: Count("pk", filter=Q(kind=k)) for k in kinds},
    )
    table = Table(
        header=[
            _("Village (community)"),
            _("Pairings"),
            _("Caring mothers"),
            _("Children"),
            _("Visits"),
            *(str(k.label) for k in kinds),
        ]
    )
    for pk, name in rs.village_rows():
        row, seen = paired.get(pk, {}), visits.get(pk, {})
        table.rows.append(
            [
                name,
                row.get("pairings", 0),
                row.get("mothers", 0),
                row.get("children", 0),
                seen.get("total", 0),
                *(seen.get(k.value, 0) for k in kinds),
            ]
        )
    table.add_total(_("Total"))
    # A caring mother may have children in two villages: the total counts her once.
    table.rows[-1][2] = selectors.pairings_in(rs.chosen, period.start, period.end).aggregate(
        n=Count("mother", distinct=True)
    )["n"]
    return table


@report(
    "disputes_villages",
    gettext_lazy("Marriage and family disputes by village"),
    gettext_lazy("Cases found in the period by kind, and where the cases found stand now."),
    permission="aid.view_disputecase",
)
def disputes_villages(rs: ReportScope, period: Period) -> Table:
    kinds, statuses = DisputeCase.Kind, DisputeCase.Status
    figures = per_village(
        selectors.disputes(rs.chosen).filter(found_on__range=(period.start, period.end)),
        found=Count("pk"),
        **{f"kind_{k.value}": Count("pk", filter=Q(kind=k)) for k in kinds},
        **{f"status_{s.value}": Count("pk", filter=Q(status=s)) for s in statuses},
    )
    keys = ["found", *(f"kind_{k.value}" for k in kinds), *(f"status_{s.value}" for s in statuses)]
    table = Table(
        header=[
            _("Village (community)"),
            _("Cases found"),
            *(str(k.label) for k in kinds),
            *(str(s.label) for s in statuses),
        ]
    )
    for pk, name in rs.village_rows():
        row = figures.get(pk, {})
        table.rows.append([name, *(row.get(key, 0) for key in keys)])
    table.add_total(_("Total"))
    return table


@report(
    "charity_villages",
    gettext_lazy("Charity aid by village"),
    gettext_lazy("Households aided in the period, times, and amounts."),
    permission="aid.view_charityaid",
)
def charity_villages(rs: ReportScope, period: Period) -> Table:
    figures = per_village(
        selectors.charity_in(rs.chosen, period.start, period.end),
        households=Count("household", distinct=True),
        times=Count("pk"),
        amount=Coalesce(Sum("amount"), 0, output_field=DecimalField(max_digits=12, decimal_places=2)),
    )
    table = Table(header=[_("Village (community)"), _("Households aided"), _("Times"), _("Amount (yuan)")])
    for pk, name in rs.village_rows():
        row = figures.get(pk, {})
        amount = money(row.get("amount"))
        table.rows.append([name, row.get("households", 0), row.get("times", 0), amount])
    table.add_total(_("Total"))
    return table


@chart("care_visits_villages", order=40, permission="aid.view_carevisit")
def _visits_chart(rs: ReportScope, period: Period) -> BarChart:
    """Caring mothers' visits in each village in the period."""
    visits = per_village(selectors.visits_in(rs.chosen, period.start, period.end), n=Count("pk"))
    dates = period_params(period)
    rows = [
        (name, visits.get(pk, {}).get("n", 0), changelist(CareVisit, village=pk, **dates))
        for pk, name in rs.village_rows()
    ]
    return BarChart(_("Care visits by village"), rows, unit=str(pgettext_lazy("unit", "times")))
