"""Health figures: the 两癌与HPV rows of the annual summary and per-village tables.
These are aggregates (no names): each needs the view permission of the health records it
counts (the health role's), or the county reader's figures permission. The ledgers of the
inspection binder, at the end, list the women and girls: never for the county reader."""

from operator import attrgetter

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from federation.core.charts import BarChart
from federation.core.pseudonyms import age_band, person_pseudonym
from federation.core.reporting import (
    DateRange,
    Figures,
    Given,
    PseudonymousRows,
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
    period_params,
    report,
    summary_figure,
    summary_rows,
    village_table,
)
from federation.models import Person
from health import selectors
from health.models import CancerAidApplication, HPVDeferral, HPVDose, HPVGirl, InsurancePolicy, Screening

Status = CancerAidApplication.Status
NOT_NORMAL = selectors.NOT_NORMAL
# The HPV roster: the girls, their doses and the reasons recorded for the others.
HPV = ("health.view_hpvgirl", "health.view_hpvdose", "health.view_hpvdeferral")
HEALTH = pgettext_lazy("annual summary", "Two cancers and HPV")

summary_rows(
    (
        "screened",
        HEALTH,
        pgettext_lazy("annual summary", "Free two-cancer screening"),
        pgettext_lazy("unit", "people"),
        120,
    ),
    ("insured", HEALTH, pgettext_lazy("annual summary", "Two-cancer insurance"), pgettext_lazy("unit", "people"), 130),
    (
        "aid_applications",
        HEALTH,
        pgettext_lazy("annual summary", "Two-cancer aid applications"),
        pgettext_lazy("unit", "people"),
        140,
    ),
    (
        "hpv_coverage",
        HEALTH,
        pgettext_lazy("annual summary", "HPV vaccination rate of girls of eligible age"),
        "%",
        150,
    ),
)


@summary_figure("screened", permission="health.view_screening")
def _screened(rs: ReportScope, period: DateRange) -> dict:
    screened = (
        selectors.screenings_in(rs.chosen, period.start, period.end)
        .filter(free_programme=True)
        .aggregate(n=Count("person", distinct=True))["n"]
    )
    return {"screened": (screened, changelist(Screening, free_programme__exact=1, **period_params(period)))}


@summary_figure("insured", permission="health.view_insurancepolicy")
def _insured(rs: ReportScope, period: DateRange) -> dict:
    return {
        "insured": (
            selectors.policies_in(rs.chosen, period.start, period.end).aggregate(n=Count("person", distinct=True))["n"],
            None,
        )
    }


@summary_figure("aid_applications", permission="health.view_canceraidapplication")
def _aid_applications(rs: ReportScope, period: DateRange) -> dict:
    url = changelist(CancerAidApplication, **period_params(period, "submitted_on"))
    return {"aid_applications": (selectors.applications_in(rs.chosen, period.start, period.end).count(), url)}


@summary_figure("hpv_coverage", permission=HPV)
def _hpv_coverage(rs: ReportScope, period: DateRange) -> dict:
    eligible, vaccinated = selectors.hpv_totals(rs.chosen, period.end)
    return {"hpv_coverage": (selectors.percent(vaccinated, eligible) or 0, None)}


@report(
    "hpv_villages",
    gettext_lazy("HPV vaccination by village"),
    gettext_lazy(
        "Girls aged 9–14 on the period's last day: vaccinated, coverage, full course, and why the others are not."
    ),
    permission=HPV,
)
def hpv_villages(rs: ReportScope, period: DateRange) -> Table:
    coverage = selectors.hpv_coverage(rs.chosen, period.end)
    reasons = [*HPVDeferral.Reason.choices, ("", _("no reason recorded"))]
    shown = lambda percent: percent if percent is not None else ""  # noqa: E731
    columns = [
        (_("Eligible girls"), attrgetter("eligible")),
        (_("Vaccinated"), attrgetter("vaccinated")),
        (_("Coverage %"), attrgetter("percent"), shown),
        (_("Full course"), attrgetter("full_course")),
        (_("Full course %"), attrgetter("full_course_percent"), shown),
        *((str(label), lambda item, value=value: item.reasons.get(value, 0)) for value, label in reasons),
    ]
    return village_table(rs, Given(coverage, columns, total=selectors.total(coverage)))


@report(
    "screening_villages",
    gettext_lazy("Two-cancer screening by village"),
    gettext_lazy("Women screened in the period (free programme and all), abnormal results, rechecks, confirmed."),
    permission="health.view_screening",
)
def screening_villages(rs: ReportScope, period: DateRange) -> Table:
    women = lambda condition=None: Count("person", distinct=True, filter=condition)  # noqa: E731
    screened = Figures(
        selectors.screenings_in(rs.chosen, period.start, period.end),
        [
            (_("Women screened"), women()),
            (_("In the free programme"), women(Q(free_programme=True))),
            (_("Abnormal results"), women(Q(result__in=NOT_NORMAL))),
            (_("Rechecked"), women(~Q(recheck_outcome=""))),
            (_("Recheck pending"), women(selectors.recheck_pending_q())),
            (_("Confirmed"), women(selectors.confirmed_q())),
        ],
    )
    return village_table(rs, screened)


def _yuan(field: str, condition: Q | None = None):
    return Coalesce(Sum(field, filter=condition), 0, output_field=DecimalField(max_digits=12, decimal_places=2))


@report(
    "insurance_villages",
    gettext_lazy("Two-cancer insurance by village"),
    gettext_lazy("Women insured in the period, policies and premiums by who paid."),
    permission="health.view_insurancepolicy",
)
def insurance_villages(rs: ReportScope, period: DateRange) -> Table:
    policies = Figures(
        selectors.policies_in(rs.chosen, period.start, period.end),
        [
            (_("Women insured"), Count("person", distinct=True)),
            (_("Policies"), Count("pk")),
            (_("Premiums (yuan)"), _yuan("premium"), money),
            *(
                (_("Paid by %(payer)s (yuan)") % {"payer": payer.label}, _yuan("premium", Q(paid_by=payer)), money)
                for payer in InsurancePolicy.PaidBy
            ),
        ],
    )
    return village_table(rs, policies)


@report(
    "cancer_aid_villages",
    gettext_lazy("Two-cancer aid by village"),
    gettext_lazy("Applications submitted in the period, where each stands now, and the amounts."),
    permission="health.view_canceraidapplication",
)
def cancer_aid_villages(rs: ReportScope, period: DateRange) -> Table:
    applications = Figures(
        selectors.applications_in(rs.chosen, period.start, period.end),
        [
            (_("Applications"), Count("pk")),
            (_("Waiting for review"), Count("pk", filter=Q(status=Status.SUBMITTED))),
            (_("Approved, not yet paid"), Count("pk", filter=Q(status=Status.APPROVED))),
            (_("Paid"), Count("pk", filter=Q(status=Status.PAID))),
            (_("Not approved"), Count("pk", filter=Q(status=Status.REJECTED))),
            (_("Requested (yuan)"), _yuan("amount_requested"), money),
            (_("Granted (yuan)"), _yuan("amount_granted", Q(status__in=[Status.APPROVED, Status.PAID])), money),
            (_("Paid out (yuan)"), _yuan("amount_granted", Q(status=Status.PAID)), money),
        ],
    )
    return village_table(rs, applications)


@chart("hpv_villages", order=10, permission=HPV)
def _hpv_chart(rs: ReportScope, period: DateRange) -> BarChart:
    """HPV coverage of each village's girls aged 9–14 on the period's last day."""
    coverage = selectors.hpv_coverage(rs.chosen, period.end, details=False)
    rows = [
        (name, coverage[pk].percent or 0, changelist(HPVGirl, village__id__exact=pk)) for pk, name in rs.village_rows()
    ]
    return BarChart(_("HPV coverage of girls aged 9–14 by village"), rows, unit="%", maximum=100)


# --- The ledgers the county inspects (they list women and girls: not for the county reader) ---


def _age(born, day) -> int:
    return Person(birth_date=born).age_on(day)


@report(
    "screenings_ledger",
    gettext_lazy("Two-cancer screening ledger"),
    gettext_lazy("Every screening in the period, by date: the woman, the programme, the result and the recheck."),
    permission=("health.view_screening", "federation.view_person"),
    personal=True,
)
def screenings_ledger(rs: ReportScope, period: DateRange) -> Table:
    """Long as its thirteen columns are: each is named in the header, in the fields read and in
    the row made of them, three lists kept side by side so that a column is added to all three."""
    table = Table(
        header=[
            field_label(Screening, "date"),
            _("Village (community)"),
            field_label(Person, "name"),
            _("ID number"),
            capfirst(_("age")),
            field_label(Screening, "free_programme"),
            field_label(Screening, "kind"),
            field_label(Screening, "institution"),
            field_label(Screening, "result"),
            field_label(Screening, "recheck_date"),
            field_label(Screening, "recheck_outcome"),
            _("Confirmed"),
            field_label(Screening, "notes"),
        ]
    )
    kinds, results = labels_of(Screening.Kind.choices), labels_of(Screening.Result.choices)
    yes, no = pgettext("answer", "yes"), pgettext("answer", "no")
    screenings = (
        selectors.screenings_in(rs.chosen, period.start, period.end)
        .annotate(confirmed=selectors.confirmed_q())
        .order_by("date", "pk")
    )
    fields = [
        "date",
        "village__name",
        "person__name",
        "person__id_number",
        "person__birth_date",
        "free_programme",
        "kind",
        "institution",
        "result",
        "recheck_date",
        "recheck_outcome",
        "confirmed",
        "notes",
    ]

    def row(values) -> list:
        day, village, name, number, born, free, kind, institution, result, recheck, outcome, confirmed, notes = values
        return [
            day.isoformat(),
            village,
            name,
            rs.id_number(number),
            _age(born, day),
            yes if free else no,
            kinds.get(kind, ""),
            institution,
            results.get(result, ""),
            day_text(recheck),
            results.get(outcome, ""),
            yes if confirmed else "",
            notes,
        ]

    # Read when asked: a county's year of screenings is tens of thousands of women.
    table.rows = QueryRows(screenings, fields, row)
    return table


@report(
    "cancer_aid_ledger",
    gettext_lazy("Two-cancer aid application ledger"),
    gettext_lazy("Every aid application submitted in the period, by date, and where it stands now."),
    permission=("health.view_canceraidapplication", "federation.view_person"),
    personal=True,
)
def cancer_aid_ledger(rs: ReportScope, period: DateRange) -> Table:
    A = CancerAidApplication
    table = Table(
        header=[
            field_label(A, "submitted_on"),
            _("Village (community)"),
            field_label(Person, "name"),
            _("ID number"),
            field_label(A, "diagnosis"),
            field_label(A, "hospital"),
            field_label(A, "amount_requested"),
            field_label(A, "amount_granted"),
            field_label(A, "status"),
            field_label(A, "paid_on"),
        ]
    )
    statuses = labels_of(Status.choices)
    applications = selectors.applications_in(rs.chosen, period.start, period.end).order_by("submitted_on", "pk")
    fields = [
        "submitted_on",
        "village__name",
        "person__name",
        "person__id_number",
        "diagnosis",
        "hospital",
        "amount_requested",
        "amount_granted",
        "status",
        "paid_on",
    ]

    def row(values) -> list:
        day, village, name, number, diagnosis, hospital, requested, granted, status, paid_on = values
        return [
            day.isoformat(),
            village,
            name,
            rs.id_number(number),
            diagnosis,
            hospital,
            money(requested),
            money(granted) if granted is not None else "",
            statuses.get(status, ""),
            day_text(paid_on),
        ]

    table.rows = QueryRows(applications, fields, row)
    return table


@report(
    "hpv_doses_ledger",
    gettext_lazy("HPV vaccination ledger"),
    gettext_lazy("Every HPV dose given in the period, by date: the girl, her age, the dose and the vaccine."),
    permission=("health.view_hpvdose", "federation.view_person"),
    personal=True,
)
def hpv_doses_ledger(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            field_label(HPVDose, "date"),
            _("Village (community)"),
            field_label(Person, "name"),
            _("ID number"),
            _("Age at the dose"),
            field_label(HPVDose, "dose_number"),
            field_label(HPVDose, "vaccine"),
            field_label(HPVDose, "site"),
            field_label(HPVDose, "consent_by"),
        ]
    )
    numbers = labels_of(HPVDose._meta.get_field("dose_number").choices)
    vaccines = labels_of(HPVDose.Vaccine.choices)
    doses = selectors.doses_in(rs.chosen, period.start, period.end).order_by("date", "pk")
    fields = [
        "date",
        "village__name",
        "person__name",
        "person__id_number",
        "person__birth_date",
        "dose_number",
        "vaccine",
        "site",
        "consent_by",
    ]

    def row(values) -> list:
        day, village, name, number, born, dose_number, vaccine, site, guardian = values
        return [
            day.isoformat(),
            village,
            name,
            rs.id_number(number),
            _age(born, day),
            numbers.get(dose_number, dose_number),
            vaccines.get(vaccine, ""),
            site,
            guardian,
        ]

    table.rows = QueryRows(doses, fields, row)
    return table


@report(
    "hpv_deferrals_ledger",
    gettext_lazy("Reasons not vaccinated against HPV"),
    gettext_lazy("Every reason recorded in the period why a girl was not vaccinated, by date, and when to ask again."),
    permission=("health.view_hpvdeferral", "federation.view_person"),
    personal=True,
)
def hpv_deferrals_ledger(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            field_label(HPVDeferral, "recorded_on"),
            _("Village (community)"),
            field_label(Person, "name"),
            _("ID number"),
            capfirst(_("age")),
            field_label(HPVDeferral, "reason"),
            field_label(HPVDeferral, "ask_again_on"),
            field_label(HPVDeferral, "notes"),
        ]
    )
    reasons = labels_of(HPVDeferral.Reason.choices)
    deferrals = selectors.deferrals_in(rs.chosen, period.start, period.end).order_by("recorded_on", "pk")
    fields = [
        "recorded_on",
        "village__name",
        "person__name",
        "person__id_number",
        "person__birth_date",
        "reason",
        "ask_again_on",
        "notes",
    ]

    def row(values) -> list:
        day, village, name, number, born, reason, ask_again_on, notes = values
        return [
            day.isoformat(),
            village,
            name,
            rs.id_number(number),
            _age(born, day),
            reasons.get(reason, ""),
            day_text(ask_again_on),
            notes,
        ]

    table.rows = QueryRows(deferrals, fields, row)
    return table


# --- De-identified rosters (for the county or a survey): a woman or girl by her pseudonym ---

# A village's rows in the villages' order (the first field, the village's id, groups them);
# the village a record counts in, whose town's key makes the pseudonym, as in that town's people roster.
BY_VILLAGE = ("village__sort_order", "village__name", "village_id", "date", "pk")
WHO = ["village_id", "village__town_id", "village__name", "person__id_number", "person_id", "person__birth_date"]


def _month(day) -> str:
    return f"{day.year}-{day.month:02d}"


@report(
    "screenings_deidentified",
    gettext_lazy("De-identified two-cancer screening roster"),
    gettext_lazy(
        "Every screening in the period, by the woman's pseudonym: village, age band, month, what she was "
        "screened for and the result. No name, ID number, day, institution or notes."
    ),
    permission=("health.view_screening", "federation.view_person"),
    deidentified=True,
)
def screenings_deidentified(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            _("Pseudonym"),
            _("Village (community)"),
            _("Age band"),
            _("Screening month"),
            field_label(Screening, "kind"),
            field_label(Screening, "result"),
        ]
    )
    keys = rs.pseudonym_keys()
    kinds, results = labels_of(Screening.Kind.choices), labels_of(Screening.Result.choices)
    screenings = selectors.screenings_in(rs.chosen, period.start, period.end).order_by(*BY_VILLAGE)

    def row(values) -> list:
        _village, town, village, number, person, born, day, kind, result = values
        return [
            person_pseudonym(keys[town], number, person),
            village,
            age_band(born, day),
            _month(day),
            kinds.get(kind, ""),
            results.get(result, ""),
        ]

    table.rows = PseudonymousRows(screenings, [*WHO, "date", "kind", "result"], row)
    return table


@report(
    "hpv_doses_deidentified",
    gettext_lazy("De-identified HPV vaccination roster"),
    gettext_lazy(
        "Every HPV dose given in the period, by the girl's pseudonym: village, age band, month and dose. "
        "No name, ID number, day, site or guardian."
    ),
    permission=("health.view_hpvdose", "federation.view_person"),
    deidentified=True,
)
def hpv_doses_deidentified(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            _("Pseudonym"),
            _("Village (community)"),
            _("Age band"),
            _("Dose month"),
            field_label(HPVDose, "dose_number"),
        ]
    )
    keys = rs.pseudonym_keys()
    numbers = labels_of(HPVDose._meta.get_field("dose_number").choices)
    doses = selectors.doses_in(rs.chosen, period.start, period.end).order_by(*BY_VILLAGE)

    def row(values) -> list:
        _village, town, village, number, person, born, day, dose_number = values
        return [
            person_pseudonym(keys[town], number, person),
            village,
            age_band(born, day),
            _month(day),
            numbers.get(dose_number, dose_number),
        ]

    table.rows = PseudonymousRows(doses, [*WHO, "date", "dose_number"], row)
    return table


binder_section(
    "screening",
    gettext_lazy("Two-cancer screening and aid"),
    category="rights",
    order=10,
    reports=("screenings_ledger", "cancer_aid_ledger"),
)
# The reasons recorded for the girls not vaccinated explain the coverage the inspection reads.
binder_section(
    "hpv",
    gettext_lazy("HPV vaccination"),
    category="children",
    order=20,
    reports=("hpv_doses_ledger", "hpv_deferrals_ledger"),
)
