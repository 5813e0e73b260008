"""The federation's reports: the annual summary, activities, honours, population."""

from datetime import date

from django.db.models import Count, IntegerField, Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from federation import selectors
from federation.core.charts import BarChart
from federation.core.models import Village
from federation.core.pseudonyms import age_band, person_pseudonym, pseudonym
from federation.core.reporting import (
    Column,
    DateRange,
    Figures,
    PseudonymousRows,
    QueryRows,
    ReportScope,
    Table,
    binder_section,
    changelist,
    chart,
    field_label,
    labels_of,
    per_row,
    period_params,
    report,
    summary_figure,
    summary_rows,
    village_table,
)
from federation.core.scoping import counted_in
from federation.models import Activity, Honor, Household, Person

K = Activity.Kind

# The boards of the annual summary that the federation's own figures fill; each domain app
# declares its rows (and boards) in its own reports.py.
GUIDANCE = pgettext_lazy("annual summary", "Ideological guidance")
CARE = pgettext_lazy("annual summary", "Care and aid")

summary_rows(
    (
        "publicity",
        GUIDANCE,
        pgettext_lazy("annual summary", "Publicity activities"),
        pgettext_lazy("unit", "sessions"),
        10,
    ),
    (
        "legal_villages",
        GUIDANCE,
        pgettext_lazy("annual summary", "Legal consultation in villages (communities)"),
        pgettext_lazy("unit", "villages"),
        20,
    ),
    ("theory_study", GUIDANCE, pgettext_lazy("annual summary", "Theory study"), pgettext_lazy("unit", "sessions"), 30),
    ("seminar", GUIDANCE, pgettext_lazy("annual summary", "Seminars"), pgettext_lazy("unit", "sessions"), 40),
    ("training", GUIDANCE, pgettext_lazy("annual summary", "Training"), pgettext_lazy("unit", "sessions"), 50),
    ("honoured", GUIDANCE, pgettext_lazy("annual summary", "People honoured"), pgettext_lazy("unit", "people"), 60),
    (
        "volunteer",
        GUIDANCE,
        pgettext_lazy("annual summary", "Volunteer service activities"),
        pgettext_lazy("unit", "sessions"),
        70,
    ),
    (
        "volunteer_beneficiaries",
        GUIDANCE,
        pgettext_lazy("annual summary", "People reached by volunteer service"),
        pgettext_lazy("unit", "people"),
        80,
    ),
    (
        "materials",
        CARE,
        pgettext_lazy("annual summary", "Publicity materials distributed"),
        pgettext_lazy("unit", "copies"),
        180,
    ),
    (
        "consultations",
        CARE,
        pgettext_lazy("annual summary", "Consultations received"),
        pgettext_lazy("unit", "times"),
        190,
    ),
)


def _activity_params(rs: ReportScope, period: DateRange, **extra) -> dict:
    params = {**period_params(period), **extra}
    if not rs.town_ids:
        params["villages__id__in"] = ",".join(map(str, rs.village_ids))
    return params


@summary_figure(
    "publicity",
    "theory_study",
    "seminar",
    "training",
    "volunteer",
    "volunteer_beneficiaries",
    "materials",
    "consultations",
    permission="federation.view_activity",
)
def _activity_figures(rs: ReportScope, period: DateRange) -> dict:
    by_kind = {
        row["kind"]: row
        for row in selectors.activities_in(rs.chosen, period.start, period.end)
        .values("kind")
        .annotate(n=Count("pk"), beneficiaries=Sum("beneficiaries"))
    }
    totals = selectors.activities_in(rs.chosen, period.start, period.end).aggregate(
        materials=Coalesce(Sum("materials_distributed"), 0), consultations=Coalesce(Sum("consultations"), 0)
    )
    figures = {}
    for kind in (K.PUBLICITY, K.THEORY_STUDY, K.SEMINAR, K.TRAINING, K.VOLUNTEER):
        url = changelist(Activity, **_activity_params(rs, period, kind=kind))
        figures[str(kind)] = (by_kind.get(kind, {}).get("n", 0), url)
    volunteer_url = changelist(Activity, **_activity_params(rs, period, kind=K.VOLUNTEER))
    figures["volunteer_beneficiaries"] = (by_kind.get(K.VOLUNTEER, {}).get("beneficiaries") or 0, volunteer_url)
    all_url = changelist(Activity, **_activity_params(rs, period))
    figures["materials"] = (totals["materials"], all_url)
    figures["consultations"] = (totals["consultations"], all_url)
    return figures


@summary_figure("legal_villages", permission="federation.view_activity")
def _legal_villages(rs: ReportScope, period: DateRange) -> dict:
    villages = selectors.villages_with_activity(rs.chosen, K.LEGAL_CONSULTATION, period.start, period.end)
    url = changelist(Activity, **_activity_params(rs, period, kind=K.LEGAL_CONSULTATION))
    return {"legal_villages": (villages.count(), url)}


@summary_figure("honoured", permission="federation.view_honor")
def _honoured(rs: ReportScope, period: DateRange) -> dict:
    people = selectors.people_honoured(selectors.honours_in(rs.chosen, period.start, period.end))
    url = changelist(Honor, year=period.start.year if period.start.year == period.end.year else None)
    return {"honoured": (people, url)}


@report(
    "activities",
    gettext_lazy("Activities"),
    gettext_lazy("Per village and kind: sessions, participants, beneficiaries, materials, consultations."),
    permission="federation.view_activity",
)
def activities(rs: ReportScope, period: DateRange) -> Table:
    """A row per village and kind of activity held there (not a per-village table: a village
    holds some kinds), then the town-wide activities by kind, then the total."""
    table = Table(
        header=[
            _("Village (community)"),
            _("Activity kind"),
            _("Sessions"),
            _("Participants"),
            _("Beneficiaries"),
            _("Materials distributed"),
            _("Consultations"),
        ]
    )
    labels = dict(K.choices)
    for row in _activities_by_village(rs, period):
        table.rows.append([row["village__name"], str(labels[row["activity__kind"]]), *_activity_figures_of(row)])
        table.links[(len(table.rows) - 1, 2)] = changelist(
            Activity,
            kind=row["activity__kind"],
            **period_params(period),
            villages__id__exact=row["village_id"],
        )
    acts = selectors.activities_in(rs.chosen, period.start, period.end)
    if rs.town_ids:
        for row in acts.filter(villages__isnull=True).values("kind").annotate(**_activity_sums()).order_by("kind"):
            table.rows.append([_("whole town"), str(labels[row["kind"]]), *_activity_figures_of(row)])
    # An activity of several villages counts once in the total.
    table.rows.append([_("Total"), "", *_activity_figures_of(acts.aggregate(**_activity_sums()))])
    table.links[(len(table.rows) - 1, 2)] = changelist(Activity, **_activity_params(rs, period))
    return table


def _activities_by_village(rs: ReportScope, period: DateRange):
    """The figures of each (village, kind) of the period's activities, in the villages' order:
    an activity of several villages counts in each."""
    through = selectors.activity_villages_in(rs.chosen, period.start, period.end)
    return (
        through.values("village__name", "village__sort_order", "village_id", "activity__kind")
        .annotate(
            n=Count("activity_id"),
            participants=Sum("activity__participants"),
            beneficiaries=Sum("activity__beneficiaries"),
            materials=Sum("activity__materials_distributed"),
            consultations=Sum("activity__consultations"),
        )
        .order_by("village__sort_order", "village__name", "activity__kind")
    )


def _activity_sums() -> dict:
    """The figures of a set of activities, as `_activities_by_village` names them."""
    return dict(
        n=Count("pk"),
        participants=Coalesce(Sum("participants"), 0),
        beneficiaries=Coalesce(Sum("beneficiaries"), 0),
        materials=Coalesce(Sum("materials_distributed"), 0),
        consultations=Coalesce(Sum("consultations"), 0),
    )


def _activity_figures_of(row: dict) -> list:
    return [row["n"], row["participants"], row["beneficiaries"], row["materials"], row["consultations"]]


@report(
    "honors",
    gettext_lazy("Honours"),
    gettext_lazy("Per award: people and households honoured."),
    permission="federation.view_honor",
)
def honors(rs: ReportScope, period: DateRange) -> Table:
    table = Table(header=[_("Award"), pgettext("honours report", "People"), pgettext("honours report", "Households")])
    labels = dict(Honor.Award.choices)
    rows = (
        selectors.honours_in(rs.chosen, period.start, period.end)
        .values("award")
        .annotate(people=Count("person", distinct=True), households=Count("household", distinct=True))
        .order_by("award")
    )
    for row in rows:
        table.rows.append([str(labels[row["award"]]), row["people"], row["households"]])
        table.links[(len(table.rows) - 1, 1)] = changelist(Honor, award=row["award"])
    return table


@report(
    "population",
    gettext_lazy("Population"),
    gettext_lazy("Per village: households, people, women, girls aged 9–14, people by status."),
    permission=("federation.view_person", "federation.view_household"),
)
def population(rs: ReportScope, period: DateRange) -> Table:
    """Counts as registered now; girls are aged 9–14 on the period's last day."""
    S = Person.Status
    girls = Q(
        sex=Person.Sex.FEMALE,
        status=S.RESIDENT,
        birth_date__gt=_years_before(period.end, 15),
        birth_date__lte=_years_before(period.end, 9),
    )
    count = lambda condition: Count("pk", filter=condition, output_field=IntegerField())  # noqa: E731
    households = Figures(
        selectors.households(rs.chosen),
        [Column(_("Households"), Count("pk"), link=lambda pk: changelist(Household, village__id__exact=pk))],
    )
    # Grouped on the people table's own village column: a join to villages doubles the time on a county.
    people = Figures(
        selectors.people(rs.chosen),
        [
            Column(_("People"), Count("pk"), link=lambda pk: changelist(Person, village__id__exact=pk)),
            (_("Women"), count(Q(sex=Person.Sex.FEMALE))),
            (_("Girls aged 9–14"), count(girls)),
            *((str(status.label), count(Q(status=status))) for status in (S.RESIDENT, S.MOVED_OUT, S.DECEASED)),
        ],
    )
    return village_table(rs, households, people)


# --- The ledgers the county inspects (they list people: not for the county reader) ---


@report(
    "activities_ledger",
    gettext_lazy("Activity record"),
    gettext_lazy("Every activity held in the period, by date: where, who took part, what was given out."),
    permission="federation.view_activity",
    personal=True,
)
def activities_ledger(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            _("Date"),
            _("Title"),
            _("Activity kind"),
            _("Village (community)"),
            _("Place"),
            _("Participants"),
            _("Beneficiaries"),
            _("Materials distributed"),
            _("Consultations"),
            _("Notes"),
        ]
    )
    labels = dict(K.choices)
    shown = counted_in(Village.objects.all(), rs.chosen).order_by("sort_order", "name")
    acts = (
        selectors.activities_in(rs.chosen, period.start, period.end)
        .prefetch_related(Prefetch("villages", queryset=shown, to_attr="shown_villages"))
        .order_by("date", "pk")
    )
    whole_town = _("whole town")

    def row(act):
        # The villages the reader counts: another village's name stays out of her ledger.
        villages = "、".join(village.name for village in act.shown_villages) or whole_town
        return [
            act.date.isoformat(),
            act.title,
            str(labels[act.kind]),
            villages,
            act.place,
            act.participants,
            act.beneficiaries,
            act.materials_distributed,
            act.consultations,
            act.notes,
        ]

    # Read when asked, as the other ledgers: the page shows the first rows of a county's year.
    table.rows = QueryRows(acts, None, row)
    return table


@report(
    "honors_ledger",
    gettext_lazy("Honours list"),
    gettext_lazy("Every honour of the period: who (or which household) received it, and at what level."),
    permission=("federation.view_honor", "federation.view_person", "federation.view_household"),
    personal=True,
)
def honors_ledger(rs: ReportScope, period: DateRange) -> Table:
    table = Table(
        header=[
            _("Year"),
            _("Date awarded"),
            _("Award"),
            _("Level"),
            _("Received by"),
            _("Household number"),
            _("Village (community)"),
            _("Notes"),
        ]
    )
    honours = (
        selectors.honours_in(rs.chosen, period.start, period.end)
        .select_related("person__village", "household__head", "household__village")
        .order_by("year", "date", "award", "pk")
    )
    for honour in honours:
        household = honour.household
        if household is not None:
            who, number, village = (household.head.name if household.head else ""), household.number, household.village
        else:
            who, number, village = honour.person.name, "", honour.person.village
        table.rows.append(
            [
                honour.year,
                honour.date.isoformat() if honour.date else "",
                honour.title or honour.get_award_display(),
                honour.get_level_display(),
                who,
                number,
                village.name if village else "",
                honour.notes,
            ]
        )
    return table


# --- De-identified rosters (for the county or a survey: no name, number, phone or address) ---

# A village's rows in the villages' order: the first field (the village's id) groups them.
BY_VILLAGE = ("village__sort_order", "village__name", "village_id")


@report(
    "people_deidentified",
    gettext_lazy("De-identified people roster"),
    gettext_lazy(
        "Everyone registered, by pseudonym: village, sex, age band at the period's end, relation to the head, "
        "status and the household's pseudonym. No name, ID number, phone, address or birth date."
    ),
    permission=("federation.view_person", "federation.view_household"),
    deidentified=True,
)
def people_deidentified(rs: ReportScope, period: DateRange) -> Table:
    """Not the group (组) nor the notes: a group is a few households, printed beside the name
    on every picker, and notes are free text that may name anyone."""
    table = Table(
        header=[
            _("Pseudonym"),
            _("Village (community)"),
            field_label(Person, "sex"),
            _("Age band"),
            field_label(Person, "relation_to_head"),
            field_label(Person, "status"),
            _("Household pseudonym"),
        ]
    )
    keys = rs.pseudonym_keys()
    sexes, relations = labels_of(Person.Sex.choices), labels_of(Person.Relation.choices)
    statuses = labels_of(Person.Status.choices)
    people = selectors.people(rs.chosen).order_by(*BY_VILLAGE, "pk")
    fields = [
        "village_id",
        "village__town_id",
        "village__name",
        "id_number",
        "pk",
        "sex",
        "birth_date",
        "relation_to_head",
        "status",
        "household_id",
    ]

    def row(values) -> list:
        _village, town, village, number, pk, sex, born, relation, status, household = values
        key = keys[town]
        return [
            person_pseudonym(key, number, pk),
            village,
            sexes.get(sex, ""),
            age_band(born, period.end),
            relations.get(relation, ""),
            statuses.get(status, ""),
            pseudonym(key, "household", household) if household else "",
        ]

    table.rows = PseudonymousRows(people, fields, row)
    return table


@report(
    "households_deidentified",
    gettext_lazy("De-identified household roster"),
    gettext_lazy(
        "Every household, by pseudonym: village, and how many of its members are in the register and women. "
        "No head's name, household number or address."
    ),
    permission=("federation.view_household", "federation.view_person"),
    deidentified=True,
)
def households_deidentified(rs: ReportScope, period: DateRange) -> Table:
    """Not the points balance either: the passbook prints it under the head's name."""
    table = Table(
        header=[
            _("Household pseudonym"),
            _("Village (community)"),
            _("Members in the register"),
            _("Women in the register"),
        ]
    )
    keys = rs.pseudonym_keys()
    resident = Person.objects.filter(status=Person.Status.RESIDENT)
    households = (
        selectors.households(rs.chosen)
        .annotate(
            resident=per_row(resident, "household"), women=per_row(resident.filter(sex=Person.Sex.FEMALE), "household")
        )
        .order_by(*BY_VILLAGE, "pk")
    )
    fields = ["village_id", "village__town_id", "village__name", "pk", "resident", "women"]

    def row(values) -> list:
        _village, town, village, pk, members, women = values
        return [pseudonym(keys[town], "household", pk), village, members, women]

    table.rows = PseudonymousRows(households, fields, row)
    return table


binder_section(
    "annual_summary",
    gettext_lazy("Annual work summary"),
    category="organization",
    order=10,
    reports=("annual_summary",),
)
binder_section(
    "activities", gettext_lazy("Activity record"), category="guidance", order=10, reports=("activities_ledger",)
)
binder_section("honors", gettext_lazy("Honours list"), category="guidance", order=20, reports=("honors_ledger",))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@chart("activities_villages", order=30, permission="federation.view_activity")
def _activities_chart(rs: ReportScope, period: DateRange) -> BarChart:
    """Activities held in each village (a town-wide one in none)."""
    held = dict(
        selectors.activity_villages_in(rs.chosen, period.start, period.end)
        .values("village_id")
        .annotate(n=Count("activity_id"))
        .order_by()
        .values_list("village_id", "n")
    )
    rows = [
        (name, held.get(pk, 0), changelist(Activity, villages__id__exact=pk, **period_params(period)))
        for pk, name in rs.village_rows()
    ]
    return BarChart(_("Activities by village"), rows, unit=str(pgettext_lazy("unit", "sessions")))
