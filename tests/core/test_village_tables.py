"""A per-village report is declared, not written (federation.core.reporting.village_table):
its columns are (label, aggregate) on a counted set, and the table makes the rows of the
villages, in their order, and the total row. No reports.py writes that loop out again."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Count, Q, Sum

from crafts.models import CraftSale
from federation.core.reporting import Column, Figures, Given, ReportScope, money, village_table
from federation.models import Activity, Household, Person
from tests.factories import ActivityFactory, CraftSaleFactory, PersonFactory, VillageFactory

ROOT = Path(__file__).resolve().parents[2]
REPORTS = [ROOT / app / "reports.py" for app in ("aid", "health", "points", "crafts", "federation")]


@pytest.fixture
def shimen(town):
    """A village first in the town's order, with no records at all."""
    return VillageFactory(town=town, name="石门村", sort_order=1)


@pytest.fixture
def rs(town_admin, shimen, taiba, fenghe):
    return ReportScope.of_user(town_admin)


def test_a_declared_table_has_a_row_per_village_in_order_with_zeros_and_the_total(rs, taiba, fenghe):
    PersonFactory(village=taiba)
    PersonFactory(village=taiba, female=False)
    PersonFactory(village=fenghe)
    people = Figures(
        Person.objects.all(),
        [("People", Count("pk")), ("Women", Count("pk", filter=Q(sex=Person.Sex.FEMALE)))],
    )
    households = Figures(Household.objects.all(), [("Households", Count("pk"))])

    table = village_table(rs, households, people)

    assert table.header == ["村(社区)", "Households", "People", "Women"]
    assert table.rows == [
        ["石门村", 0, 0, 0],
        ["太坝村", 2, 2, 1],
        ["冯河村", 1, 1, 1],
        ["合计", 3, 3, 2],
    ]


def test_columns_of_two_sets_may_take_turns_and_each_set_is_read_once(rs, taiba, django_assert_num_queries):
    PersonFactory(village=taiba)
    people, households = Figures(Person.objects.all()), Figures(Household.objects.all())
    columns = [
        people.column("People", Count("pk")),
        households.column("Households", Count("pk")),
        people.column("Women", Count("pk", filter=Q(sex=Person.Sex.FEMALE))),
    ]
    with django_assert_num_queries(3):  # the people, the households, the villages
        table = village_table(rs, *columns)
    assert table.header[1:] == ["People", "Households", "Women"]
    assert table.rows[1] == ["太坝村", 1, 1, 1]


def test_a_column_shows_its_cells_links_them_and_may_total_otherwise(rs, town, shimen, taiba, fenghe):
    """Amounts in yuan; an activity of two villages counts in each, and once in the total."""
    ActivityFactory(town=town, villages=[taiba, fenghe])
    ActivityFactory(town=town, villages=[taiba])
    CraftSaleFactory(craftswoman__person__village=taiba, amount=Decimal("12.5"))
    held = Figures(
        Activity.villages.through.objects.all(),
        [
            Column(
                "Activities",
                Count("activity_id"),
                total=lambda: Activity.objects.count(),
                link=lambda pk: f"/activities/?village={pk}",
            )
        ],
        path="village",  # a link table: its village is named, not the model's counted path
    )
    sales = Figures(CraftSale.objects.all(), [("Amount", Sum("amount"), money)])

    table = village_table(rs, held, sales)

    zero = Decimal("0.00")
    assert table.rows == [
        ["石门村", 0, zero],
        ["太坝村", 2, Decimal("12.50")],
        ["冯河村", 1, zero],
        ["合计", 2, Decimal("12.50")],
    ]
    assert table.links == {
        (row, 1): f"/activities/?village={village.pk}" for row, village in enumerate([shimen, taiba, fenghe])
    }


def test_figures_a_selector_worked_out_are_declared_too(rs, shimen, taiba, fenghe):
    counted = {shimen.pk: {"n": 0, "of": 0}, taiba.pk: {"n": 1, "of": 2}, fenghe.pk: {"n": 2, "of": 2}}
    percent = lambda figures: figures["n"] * 100 // figures["of"] if figures["of"] else None  # noqa: E731
    columns = [("Done", lambda figures: figures["n"]), ("%", percent, lambda value: "" if value is None else value)]

    table = village_table(rs, Given(counted, columns, total={"n": 3, "of": 4}))

    assert table.rows == [["石门村", 0, ""], ["太坝村", 1, 50], ["冯河村", 2, 100], ["合计", 3, 75]]


def hand_written_village_tables(source: str) -> list[str]:
    """The functions with a loop statement over `rs.village_rows()`: the rows of a per-village
    table written out instead of declared, whatever then makes its total row (a chart's list
    of bars, a comprehension, is not a table)."""
    return [
        function.name
        for function in ast.walk(ast.parse(source))
        if isinstance(function, ast.FunctionDef)
        and any(
            isinstance(node, ast.For)
            and isinstance(node.iter, ast.Call)
            and isinstance(node.iter.func, ast.Attribute)
            and node.iter.func.attr == "village_rows"
            for node in ast.walk(function)
        )
    ]


def test_the_check_finds_the_shape_written_out():
    written = """
def care_targets_villages(rs, period):
    table = Table(header=[_("Village (community)"), "n"])
    for pk, name in rs.village_rows():
        table.rows.append([name, figures.get(pk, {}).get("n", 0)])
    table.add_total(_("Total"))
    return table
"""
    assert hand_written_village_tables(written) == ["care_targets_villages"]


@pytest.mark.parametrize("path", REPORTS, ids=lambda path: path.parent.name)
def test_no_report_writes_a_per_village_table_out(path):
    assert hand_written_village_tables(path.read_text(encoding="utf-8")) == []
