"""Care and aid figures: the 关爱帮扶 rows of the annual summary and per-village tables.
These are aggregates: no names, no parties, so a domestic-violence case is one count among
others. The ledgers of the inspection binder list people (never for the county reader), and
a domestic-violence case in them only as its number, village, kind and status.
Care files (targets, pairings, visits, disputes) need the care role's view permissions;
charity aid, kept by the village clerk, hers."""

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from aid import selectors
from aid.models import CareTarget, CareVisit, CharityAid, DisputeCase, Pairing, ProtectionMeasure, Referral
from federation.core.charts import BarChart
from federation.core.reporting import (
    Column,
    DateRange,
    Figures,
    QueryRows,
    ReportScope,
    Table,
    binder_section,
    changelist,
    chart,
    day_text,
    field_label,
    labels_of,
    money,
    per_village,
    period_params,
    report,
    summary_figure,
    summary_rows,
    village_table,
)
from federation.models import Household, Person
from federation.reports import CARE

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
def _pairings(rs: ReportScope, period: DateRange) -> dict:
    return {"pairings": (selectors.pairings_in(rs.chosen, period.start, period.end).count(), changelist(Pairing))}


@summary_figure("aided_households", permission="aid.view_charityaid")
def _aided_households(rs: ReportScope, period: DateRange) -> dict:
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
def _disputes(rs: ReportScope, period: DateRange) -> dict:
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
def care_targets_villages(rs: ReportScope, period: DateRange) -> Table:
    targets = Figures(
        selectors.care_targets_on(rs.chosen, period.end),
        [(str(c.label), Count("person", distinct=True, filter=Q(category=c))) for c in CareTarget.Category],
    )
    return village_table(rs, targets)


@report(
    "pairings_villages",
    gettext_lazy("Caring mothers and visits by village"),
    gettext_lazy("Pairings active in the period, caring mothers, children, and visits by kind."),
    permission=("aid.view_pairing", "aid.view_carevisit"),
)
def pairings_villages(rs: ReportScope, period: DateRange) -> Table:
    pairings = selectors.pairings_in(rs.chosen, period.start, period.end)
    mothers = Count("mother", distinct=True)
    paired = Figures(
        pairings,
        [
            (_("Pairings"), Count("pk")),
            # A caring mother may have children in two villages: the total counts her once.
            Column(_("Caring mothers"), mothers, total=lambda: pairings.aggregate(n=mothers)["n"]),
            (_("Children"), Count("child", distinct=True)),
        ],
    )
    # The caring mothers' visits: staff's own are in the visit record (care_visits_ledger).
    visits = Figures(
        selectors.mother_visits_in(rs.chosen, period.start, period.end),
        [(_("Visits"), Count("pk")), *((str(k.label), Count("pk", filter=Q(kind=k))) for k in CareVisit.Kind)],
    )
    return village_table(rs, paired, visits)


@report(
    "disputes_villages",
    gettext_lazy("Marriage and family disputes by village"),
    gettext_lazy("Cases found in the period by kind, and where the cases found stand now."),
    permission="aid.view_disputecase",
)
def disputes_villages(rs: ReportScope, period: DateRange) -> Table:
    cases = Figures(
        selectors.disputes_found_in(rs.chosen, period.start, period.end),
        [
            (_("Cases found"), Count("pk")),
            *((str(k.label), Count("pk", filter=Q(kind=k))) for k in DisputeCase.Kind),
            *((str(s.label), Count("pk", filter=Q(status=s))) for s in DisputeCase.Status),
        ],
    )
    return village_table(rs, cases)


@report(
    "charity_villages",
    gettext_lazy("Charity aid by village"),
    gettext_lazy("Households aided in the period, times, and amounts."),
    permission="aid.view_charityaid",
)
def charity_villages(rs: ReportScope, period: DateRange) -> Table:
    aid = Figures(
        selectors.charity_in(rs.chosen, period.start, period.end),
        [
            (_("Households aided"), Count("household", distinct=True)),
            (_("Times"), Count("pk")),
            (
                _("Amount (yuan)"),
                Coalesce(Sum("amount"), 0, output_field=DecimalField(max_digits=12, decimal_places=2)),
                money,
            ),
        ],
    )
    return village_table(rs, aid)


@chart("care_visits_villages", order=40, permission="aid.view_carevisit")
def _visits_chart(rs: ReportScope, period: DateRange) -> BarChart:
    """Caring mothers' visits in each village in the period."""
    visits = per_village(selectors.mother_visits_in(rs.chosen, period.start, period.end), n=Count("pk"))
    dates = period_params(period)
    rows = [
        (name, visits.get(pk, {}).get("n", 0), changelist(CareVisit, village=pk, by="mother", **dates))
        for pk, name in rs.village_rows()
    ]
    return BarChart(_("Care visits by village"), rows, unit=str(pgettext_lazy("unit", "times")))


# --- The ledgers the county inspects (they list people: not for the county reader) ---


@report(
    "care_targets_ledger",
    gettext_lazy("Care target register"),
    gettext_lazy("Everyone on the care register at some time in the period, by village and date entered."),
    permission=("aid.view_caretarget", "aid.view_pairing", "federation.view_person"),
    personal=True,
)
def care_targets_ledger(rs: ReportScope, period: DateRange) -> Table:
    """Long as its twelve columns are: each is named in the header, in the fields read and in
    the row made of them, three lists kept side by side so that a column is added to all three."""
    table = Table(
        header=[
            _("Village (community)"),
            field_label(Person, "name"),
            _("ID number"),
            field_label(Person, "sex"),
            capfirst(_("age")),
            field_label(CareTarget, "category"),
            field_label(CareTarget, "guardian_name"),
            field_label(CareTarget, "guardian_phone"),
            field_label(CareTarget, "parents_work_place"),
            field_label(Pairing, "mother"),
            field_label(CareTarget, "since"),
            field_label(CareTarget, "until"),
        ]
    )
    sexes, categories = labels_of(Person.Sex.choices), labels_of(CareTarget.Category.choices)
    # The caring mother of the period (the latest pairing), read in the same query.
    mother = (
        Pairing.objects.filter(selectors.pairing_active_in(period.start, period.end), child=OuterRef("person"))
        .order_by("-start", "-pk")
        .values("mother__name")[:1]
    )
    targets = (
        selectors.care_targets_in(rs.chosen, period.start, period.end)
        .annotate(mother_name=Subquery(mother))
        .order_by("person__village__sort_order", "person__village__name", "since", "pk")
    )
    fields = [
        "person__village__name",
        "person__name",
        "person__id_number",
        "person__sex",
        "person__birth_date",
        "category",
        "guardian_name",
        "guardian_phone",
        "parents_work_place",
        "mother_name",
        "since",
        "until",
    ]

    def row(values) -> list:
        village, name, number, sex, born, category, guardian, phone, work, mother, since, until = values
        return [
            village,
            name,
            rs.id_number(number),
            sexes.get(sex, ""),
            Person(birth_date=born).age_on(period.end),
            categories.get(category, ""),
            guardian,
            rs.phone(phone),
            work,
            mother or "",
            since.isoformat(),
            day_text(until),
        ]

    # Read when asked: a county's register is thousands of people.
    table.rows = QueryRows(targets, fields, row)
    return table


@report(
    "care_visits_ledger",
    gettext_lazy("Care visit record"),
    gettext_lazy(
        "Every care visit in the period, by date: a caring mother's to her child, or one by staff or another "
        "visitor to anyone on the care register."
    ),
    permission=("aid.view_carevisit", "aid.view_pairing", "federation.view_person"),
    personal=True,
)
def care_visits_ledger(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            field_label(CareVisit, "date"),
            _("Village (community)"),
            field_label(CareVisit, "target"),
            field_label(CareVisit, "visitor"),
            field_label(CareVisit, "kind"),
            field_label(CareVisit, "content"),
            field_label(CareVisit, "gifts"),
        ]
    )
    kinds = labels_of(CareVisit.Kind.choices)
    # Who visited: the caring mother of the pairing, or the visitor named.
    visits = (
        selectors.visits_in(rs.chosen, period.start, period.end)
        .annotate(who=Coalesce("pairing__mother__name", "visitor"))
        .order_by("date", "pk")
    )
    fields = ["date", "village__name", "target__person__name", "who", "kind", "content", "gifts"]

    def row(values) -> list:
        day, village, person, who, kind, content, gifts = values
        return [day.isoformat(), village, person, who, kinds.get(kind, ""), content, gifts]

    table.rows = QueryRows(visits, fields, row)
    return table


@report(
    "disputes_ledger",
    gettext_lazy("Marriage and family dispute ledger"),
    gettext_lazy(
        "Every case found in the period, by case number: how it was found, the parties, where it stands. "
        "A domestic-violence case shows only its number, village, kind and status."
    ),
    permission=("aid.view_disputecase", "federation.view_person"),
    personal=True,
)
def disputes_ledger(rs: ReportScope, period: DateRange) -> Table:
    columns = ["number", "found_on", "village", "kind", "source", "parties", "summary", "status", "closed_on"]
    columns.append("outcome")
    table = Table(
        header=[_("Village (community)") if name == "village" else field_label(DisputeCase, name) for name in columns]
    )
    kinds, sources = labels_of(DisputeCase.Kind.choices), labels_of(DisputeCase.Source.choices)
    statuses = labels_of(DisputeCase.Status.choices)
    # By number, which is the order the cases were registered in their year: a list by date
    # would tell the place of a domestic-violence case among the others (as the admin's list).
    cases = (
        selectors.disputes_found_in(rs.chosen, period.start, period.end)
        .select_related("village")
        .prefetch_related("parties")
        .order_by("number", "pk")
    )
    for case in cases:
        values = {
            "number": case.number,
            "found_on": case.found_on.isoformat(),
            "village": case.village.name,
            "kind": kinds.get(case.kind, ""),
            "source": sources.get(case.source, ""),
            "parties": "、".join(person.name for person in case.parties.all()),
            "summary": case.summary,
            "status": statuses.get(case.status, ""),
            "closed_on": day_text(case.closed_on),
            "outcome": case.outcome,
        }
        # The admin's rule (DisputeCase.CONFIDENTIAL_VISIBLE), for every reader: a printed
        # ledger leaves the system, and whoever holds the paper has no permissions to check.
        table.rows.append(confidential_row(case, values, columns, hidden=case.confidential))
    return table


def confidential_row(record, values: dict, columns: list[str], *, hidden: bool) -> list:
    """A ledger's row of `columns` from `values`: of a hidden record (aid.models.Confidential),
    its CONFIDENTIAL_VISIBLE cells only, the others left empty."""
    shown = record.CONFIDENTIAL_VISIBLE if hidden else columns
    return [values[name] if name in shown else "" for name in columns]


def ledger_header(model, columns: list[str]) -> list:
    return [_("Village (community)") if name == "village" else field_label(model, name) for name in columns]


@report(
    "referrals_ledger",
    gettext_lazy("Referral ledger"),
    gettext_lazy(
        "Every referral made in the period: the case, to whom, what was asked, the answer and the result. "
        "To a reader who may not see domestic-violence cases, one of theirs shows only its case number, "
        "village, agency and status."
    ),
    permission=("aid.view_referral", "aid.view_disputecase"),
    personal=True,
)
def referrals_ledger(rs: ReportScope, period: DateRange) -> Table:
    columns = [
        "case",
        "village",
        "agency",
        "agency_name",
        "referred_on",
        "contact",
        "request",
        "status",
        "answered_on",
        "closed_on",
        "result",
        "follow_up_on",
    ]
    table = Table(header=ledger_header(Referral, columns))
    agencies, statuses = labels_of(Referral.Agency.choices), labels_of(Referral.Status.choices)
    # By case number, as the dispute ledger: a list by date would place a hidden referral.
    referrals = (
        selectors.referrals_in(rs.chosen, period.start, period.end)
        .select_related("case", "village")
        .order_by("case__number", "pk")
    )
    for referral in referrals:
        values = {
            "case": referral.case.number,
            "village": referral.village.name,
            "agency": agencies.get(referral.agency, ""),
            "agency_name": referral.agency_name,
            "referred_on": referral.referred_on.isoformat(),
            "contact": referral.contact,
            "request": referral.request,
            "status": statuses.get(referral.status, ""),
            "answered_on": day_text(referral.answered_on),
            "closed_on": day_text(referral.closed_on),
            "result": referral.result,
            "follow_up_on": day_text(referral.follow_up_on),
        }
        table.rows.append(confidential_row(referral, values, columns, hidden=referral.hidden_from(rs.user)))
    return table


@report(
    "protection_measures_ledger",
    gettext_lazy("Warning letter and protection order ledger"),
    gettext_lazy(
        "Every police warning letter issued and protection order applied for in the period. To a reader who may "
        "not see domestic-violence cases, each shows only its case number, village, kind and decision."
    ),
    permission=("aid.view_protectionmeasure", "aid.view_disputecase"),
    personal=True,
)
def protection_measures_ledger(rs: ReportScope, period: DateRange) -> Table:
    columns = [
        "case",
        "village",
        "kind",
        "issued_on",
        "issued_by",
        "applied_on",
        "court",
        "decision",
        "decided_on",
        "valid_until",
        "note",
    ]
    table = Table(header=ledger_header(ProtectionMeasure, columns))
    kinds, decisions = labels_of(ProtectionMeasure.Kind.choices), labels_of(ProtectionMeasure.Decision.choices)
    measures = (
        selectors.measures_in(rs.chosen, period.start, period.end)
        .select_related("case", "village")
        .order_by("case__number", "pk")
    )
    for measure in measures:
        values = {
            "case": measure.case.number,
            "village": measure.village.name,
            "kind": kinds.get(measure.kind, ""),
            "issued_on": day_text(measure.issued_on),
            "issued_by": measure.issued_by,
            "applied_on": day_text(measure.applied_on),
            "court": measure.court,
            "decision": decisions.get(measure.decision, ""),
            "decided_on": day_text(measure.decided_on),
            "valid_until": day_text(measure.valid_until),
            "note": measure.note,
        }
        table.rows.append(confidential_row(measure, values, columns, hidden=measure.hidden_from(rs.user)))
    return table


@report(
    "referrals_villages",
    gettext_lazy("Referrals and protection orders by village"),
    gettext_lazy(
        "Referrals made in the period by agency, and how they stand now; warning letters issued and protection "
        "orders applied for in the period, and those granted."
    ),
    permission=("aid.view_referral", "aid.view_protectionmeasure"),
)
def referrals_villages(rs: ReportScope, period: DateRange) -> Table:
    Status, Kind = Referral.Status, ProtectionMeasure.Kind
    referrals = Figures(
        selectors.referrals_in(rs.chosen, period.start, period.end),
        [
            (_("Referrals"), Count("pk")),
            *((str(agency.label), Count("pk", filter=Q(agency=agency))) for agency in Referral.Agency),
            # Taken up: accepted, whether closed since or not.
            (str(Status.ACCEPTED.label), Count("pk", filter=Q(status__in=[Status.ACCEPTED, Status.CLOSED]))),
            (str(Status.CLOSED.label), Count("pk", filter=Q(status=Status.CLOSED))),
            (str(Status.DECLINED.label), Count("pk", filter=Q(status=Status.DECLINED))),
        ],
    )
    measures = Figures(
        selectors.measures_in(rs.chosen, period.start, period.end),
        [
            (str(Kind.WARNING.label), Count("pk", filter=Q(kind=Kind.WARNING))),
            (_("Protection orders applied for"), Count("pk", filter=Q(kind=Kind.ORDER))),
            (
                _("Protection orders granted"),
                Count("pk", filter=Q(kind=Kind.ORDER, decision=ProtectionMeasure.Decision.GRANTED)),
            ),
        ],
    )
    return village_table(rs, referrals, measures)


@report(
    "charity_aid_ledger",
    gettext_lazy("Aid records"),
    gettext_lazy("Every charity aid given to a household in the period, by date."),
    permission=("aid.view_charityaid", "federation.view_household", "federation.view_person"),
    personal=True,
)
def charity_aid_ledger(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            field_label(CharityAid, "date"),
            _("Village (community)"),
            field_label(Household, "number"),
            field_label(Household, "head"),
            field_label(CharityAid, "drive"),
            field_label(CharityAid, "amount"),
            field_label(CharityAid, "goods"),
            field_label(CharityAid, "reason"),
        ]
    )
    aid = selectors.charity_in(rs.chosen, period.start, period.end).order_by("date", "pk")
    fields = [
        "date",
        "village__name",
        "household__number",
        "household__head__name",
        "drive",
        "amount",
        "goods",
        "reason",
    ]

    def row(values) -> list:
        day, village, number, head, drive, amount, goods, reason = values
        return [day.isoformat(), village, number, head or "", drive, money(amount), goods, reason]

    table.rows = QueryRows(aid, fields, row)
    return table


binder_section(
    "care",
    gettext_lazy("Care register and visits"),
    category="children",
    order=10,
    reports=("care_targets_ledger", "care_visits_ledger"),
)
binder_section(
    "disputes",
    gettext_lazy("Marriage and family dispute ledger"),
    category="rights",
    order=20,
    reports=("disputes_ledger",),
)
binder_section(
    "referrals",
    gettext_lazy("Referrals, warning letters and protection orders"),
    category="rights",
    order=25,
    reports=("referrals_ledger", "protection_measures_ledger"),
)
binder_section("charity_aid", gettext_lazy("Aid records"), category="rights", order=30, reports=("charity_aid_ledger",))


@report(
    "charity_drives",
    gettext_lazy("Charity drives and the aid they paid for"),
    gettext_lazy("Each drive started in the period: money raised, donors, the aid paid from it and what is left."),
    permission=("aid.view_charitydrive", "aid.view_charityaid"),
)
def charity_drives(rs: ReportScope, period: DateRange) -> Table:
    """The aid columns count the chosen villages' aid paid from the drive, whenever paid; the
    balance is the drive's own (raised less every village's aid paid from it)."""
    drives = selectors.with_spent(selectors.drives_in(rs.chosen, period.start, period.end)).select_related("village")
    drives = list(drives.order_by("start", "pk"))
    paid = {
        row["charity_drive"]: row
        for row in selectors.charity_paid_from_drives(rs.chosen)
        .filter(charity_drive__in=[drive.pk for drive in drives])
        .values("charity_drive")
        .annotate(households=Count("household", distinct=True), amount=Sum("amount"))
        .order_by()
    }
    table = Table(
        header=[
            _("Drive"),
            _("Kind"),
            _("Village (community)"),
            _("Start date"),
            _("End date"),
            _("Amount raised (yuan)"),
            _("Donors"),
            _("Households aided"),
            _("Aid paid (yuan)"),
            _("Balance (yuan)"),
        ]
    )
    whole_town = _("whole town")
    for drive in drives:
        row = paid.get(drive.pk, {})
        table.rows.append(
            [
                drive.name,
                drive.get_kind_display(),
                drive.village.name if drive.village else whole_town,
                drive.start.isoformat(),
                drive.end.isoformat() if drive.end else "",
                money(drive.raised),
                drive.donors,
                row.get("households", 0),
                money(row.get("amount")),
                money(drive.raised) - money(drive.spent),
            ]
        )
    # A household aided from two drives is one household of the total.
    households = (
        selectors.charity_paid_from_drives(rs.chosen)
        .filter(charity_drive__in=[drive.pk for drive in drives])
        .aggregate(n=Count("household", distinct=True))["n"]
    )
    yuan = lambda column: sum((row[column] for row in table.rows), start=money(0))  # noqa: E731
    donors = sum(row[6] for row in table.rows)
    table.rows.append([_("Total"), "", "", "", "", yuan(5), donors, households, yuan(8), yuan(9)])
    return table


binder_section(
    "charity_drives",
    gettext_lazy("Charity drives and the aid they paid for"),
    category="rights",
    order=40,
    reports=("charity_drives",),
)
