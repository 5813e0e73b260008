"""The 巾帼建功 rosters: the register and the sales ledger from real .xlsx files."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils.translation import gettext as _

from crafts.models import CraftSale, Craftswoman
from crafts.resources import CraftSalesResource, CraftswomenResource
from federation.resources import PeopleResource
from tests.data.make_files import LI, WANG, ZHAO

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


@pytest.fixture
def people(taiba, town_admin):
    report = PeopleResource(user=town_admin).import_file(
        (DATA / "people_utf8.csv").read_bytes(), "p.csv", dry_run=False
    )
    assert report.errors == []


def load(resource, user, name, **kwargs):
    return resource(user=user).import_file((DATA / name).read_bytes(), name, **kwargs)


def test_the_register_roster_writes_through_the_services(people, clerk):
    preview = load(CraftswomenResource, clerk, "crafts_register.xlsx", dry_run=True)
    assert (preview.errors, preview.header_row, preview.new) == ([], 2, 2)
    assert not Craftswoman.objects.exists()  # a preview writes nothing
    report = load(CraftswomenResource, clerk, "crafts_register.xlsx", dry_run=False)
    assert report.errors == [] and report.new == 2
    entries = {c.person.id_number: c for c in Craftswoman.objects.select_related("person")}
    li, zhao = entries[LI], entries[ZHAO]
    assert (li.craft, li.workshop, li.joined_on, li.recorded_by) == (
        "weaving",
        "太坝巧手编织合作社",
        date(2024, 3, 1),
        clerk,
    )
    assert (zhao.craft, zhao.joined_on, zhao.note) == ("embroidery", date(2024, 4, 1), "老手艺人")
    again = load(CraftswomenResource, clerk, "crafts_register.xlsx", dry_run=False, again=True)
    assert (again.errors, again.new, again.unchanged) == ([], 0, 2)


def test_the_register_roster_checks_the_village_and_the_date(fenghe, people, town_admin):
    content = "\n".join(
        [
            "姓名,身份证号,村(社区),手艺,加入日期",
            f"李秀英,{LI},冯河村,竹编,2024-03-01",
            f"赵桂兰,{ZHAO},太坝,草编,",
            f"王建国,{WANG},太坝,竹编,2024-03-01",
        ]
    ).encode()
    report = CraftswomenResource(user=town_admin).import_file(content, "bad.csv", dry_run=False)
    errors = [(e.row, e.column, e.message) for e in report.errors]
    assert errors == [
        (2, "村(社区)", _("The people roster has %(name)s in %(village)s.") % {"name": "李秀英", "village": "太坝村"}),
        (3, "加入日期", "加入日期为必填项。"),
        (4, "身份证号", "王建国 不是女性。"),
    ]
    assert not Craftswoman.objects.exists()


@pytest.fixture
def register(people, clerk):
    assert load(CraftswomenResource, clerk, "crafts_register.xlsx", dry_run=False).errors == []


def test_the_sales_roster(register, clerk, taiba):
    report = load(CraftSalesResource, clerk, "crafts_sales.xlsx", dry_run=False)
    assert report.errors == [] and report.new == 3
    sales = list(
        CraftSale.objects.order_by("date").values_list(
            "craftswoman__person__id_number", "date", "channel", "amount", "quantity", "note", "village"
        )
    )
    assert sales == [
        (LI, date(2024, 6, 18), "livestream", Decimal("360.00"), 12, "抖音直播", taiba.pk),
        (LI, date(2024, 7, 2), "ecommerce", Decimal("1280.50"), 30, "", taiba.pk),
        (ZHAO, date(2024, 8, 8), "offline", Decimal("90.00"), 0, "集市", taiba.pk),
    ]
    # The same sales in another file: the ledger holds them already.
    again = load(CraftSalesResource, clerk, "crafts_sales.xlsx", dry_run=False, again=True)
    assert (again.errors, again.new, again.unchanged) == ([], 0, 3)


def test_a_bad_sales_file_writes_nothing_and_says_where(register, clerk):
    report = load(CraftSalesResource, clerk, "crafts_sales_bad.xlsx", dry_run=False)
    errors = sorted((e.row, e.column, e.message) for e in report.errors)
    assert len(errors) == 5
    assert errors[0] == (4, "日期", "“2024-13-01”不是真实存在的日期。")
    assert errors[1][:2] == (5, "渠道") and errors[1][2].startswith("“微信”不是可选值之一")
    assert errors[2] == (6, "金额（元）", "金额不能为负数。")  # the model's answer, through the service
    assert errors[3] == (7, "身份证号", _("%(name)s is not on the register of craftswomen.") % {"name": "王建国"})
    amount = _("“%(value)s” is not an amount in yuan; write it like 120 or 120.50.") % {"value": "一百元"}
    assert errors[4] == (8, "金额（元）", amount)
    assert not CraftSale.objects.exists()
