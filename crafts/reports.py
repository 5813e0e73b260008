"""巾帼建功 figures: craftswomen, their trainings and their sales by village, and the register
the binder prints (it lists people: not for readers of figures only)."""

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crafts import selectors
from crafts.models import CraftSale, Craftswoman
from federation.core.reporting import (
    Column,
    DateRange,
    Figures,
    ReportScope,
    Table,
    binder_section,
    field_label,
    money,
    plain,
    report,
    village_table,
)
from federation.models import Person

Channel = CraftSale.Channel


def _amount(condition: Q | None = None):
    total = Sum("amount", filter=condition)
    return Coalesce(total, 0, output_field=DecimalField(max_digits=14, decimal_places=2))


def _channel_figures() -> dict:
    """Per channel: the number of sales and their amount, then the totals."""
    figures = {}
    for channel in Channel:
        figures[f"n_{channel.value}"] = Count("pk", filter=Q(channel=channel))
        figures[f"amount_{channel.value}"] = _amount(Q(channel=channel))
    return {**figures, "n": Count("pk"), "amount": _amount()}


def _channel_header() -> list[str]:
    header = []
    for channel in Channel:
        header += [
            _("%(channel)s: sales") % {"channel": channel.label},
            _("%(channel)s: amount (yuan)") % {"channel": channel.label},
        ]
    return [*header, _("Sales"), _("Amount (yuan)")]


def _channel_columns() -> list[tuple]:
    """`_channel_figures` as the columns of a per-village table, headed `_channel_header`."""
    return [
        (label, figure, money if name.startswith("amount") else plain)
        for label, (name, figure) in zip(_channel_header(), _channel_figures().items(), strict=True)
    ]


def _channel_values(row: dict) -> list:
    values = []
    for channel in Channel:
        values += [row.get(f"n_{channel.value}", 0), money(row.get(f"amount_{channel.value}"))]
    return [*values, row.get("n", 0), money(row.get("amount"))]


@report(
    "crafts_villages",
    gettext_lazy("Women's achievements by village"),
    gettext_lazy(
        "Craftswomen on the register at the period's end, craft-skills trainings held and women trained in the "
        "period, and their sales by channel."
    ),
    permission=("crafts.view_craftswoman", "crafts.view_craftsale", "federation.view_activity"),
)
def crafts_villages(rs: ReportScope, period: DateRange) -> Table:
    start, end = period.start, period.end
    women = Figures(selectors.craftswomen_on(rs.chosen, end), [(_("Craftswomen"), Count("pk"))])
    # A training of several villages is held in each (its links); in the total, a training of
    # several villages, or of the whole town, is held once.
    held = Figures(
        selectors.training_villages_in(rs.chosen, start, end),
        [
            Column(
                _("Craft-skills trainings"),
                Count("activity_id"),
                total=lambda: selectors.trainings_in(rs.chosen, start, end).count(),
            )
        ],
        path="village",
    )
    attending = selectors.attendance_in(rs.chosen, start, end).values("craftswoman")
    trained = Figures(selectors.craftswomen(rs.chosen).filter(pk__in=attending), [(_("Women trained"), Count("pk"))])
    sales = Figures(selectors.sales_in(rs.chosen, start, end), _channel_columns())
    return village_table(rs, women, held, trained, sales)


@report(
    "crafts_register",
    gettext_lazy("Register of craftswomen"),
    gettext_lazy("Each craftswoman with the trainings she attended and her sales in the period, by channel."),
    permission=("crafts.view_craftswoman", "crafts.view_craftsale", "federation.view_person"),
    personal=True,
)
def crafts_register(rs: ReportScope, period: DateRange) -> Table:
    start, end = period.start, period.end
    women = (
        selectors.craftswomen_on(rs.chosen, end)
        .select_related("person__village")
        .order_by("person__village__sort_order", "person__name", "pk")
    )
    attended = {}
    links = selectors.attendance_in(rs.chosen, start, end).order_by("activity__date", "activity__title")
    for craftswoman_id, title in links.values_list("craftswoman_id", "activity__title"):
        attended.setdefault(craftswoman_id, []).append(title)
    # Sales of the period by woman, wherever they were recorded.
    sales = {
        row["craftswoman_id"]: row
        for row in CraftSale.objects.filter(craftswoman__in=women.values("pk"), date__range=(start, end))
        .values("craftswoman_id")
        .annotate(**_channel_figures())
        .order_by()
    }
    crafts = dict(Craftswoman.Craft.choices)
    table = Table(
        header=[
            _("Village (community)"),
            field_label(Person, "name"),
            _("ID number"),
            field_label(Craftswoman, "craft"),
            field_label(Craftswoman, "workshop"),
            field_label(Craftswoman, "joined_on"),
            field_label(Craftswoman, "trainings"),
            *_channel_header(),
        ]
    )
    for woman in women:
        person = woman.person
        table.rows.append(
            [
                person.village.name,
                person.name,
                rs.id_number(person.id_number),
                str(crafts[woman.craft]),
                woman.workshop,
                woman.joined_on.isoformat(),
                "、".join(attended.get(woman.pk, [])),
                *_channel_values(sales.get(woman.pk, {})),
            ]
        )
    return table


binder_section(
    "crafts",
    gettext_lazy("Craftswomen and their sales"),
    category="achievement",
    order=10,
    reports=("crafts_register", "crafts_villages"),
)
