"""The 巾帼建功 figures on the demo town: the village table, the register the binder prints
(masked for a reader without the full-identity permission), and the annual summary left as
the seed article has it."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from crafts.models import CraftSale, Craftswoman
from federation.core.identity import mask_id_number
from federation.core.registry import registry
from federation.core.reporting import DateRange, ReportScope
from federation.models import Activity


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def rows(capfd, *args):
    call_command("county_report", *args, "--purpose", "测试核对")
    return [line.split(",") for line in capfd.readouterr().out.lstrip("\ufeff").splitlines()]


def test_the_demo_town_and_its_village_table(demo, capfd):
    trainings = Activity.objects.filter(kind=Activity.Kind.CRAFT_TRAINING, date__year=2024)
    assert trainings.count() == 2
    assert Craftswoman.objects.count() == 8
    assert Craftswoman.objects.filter(person__village__name="太坝村").count() == 3
    sales = CraftSale.objects.filter(date__year=2024)
    assert sales.count() == 20
    # And this year's, up to today.
    today = timezone.localdate()
    assert not CraftSale.objects.filter(date__gt=today).exists()
    assert CraftSale.objects.filter(date__year=today.year).count() == (20 if today > date(today.year, 1, 1) else 0)
    assert set(sales.values_list("channel", flat=True)) == {"livestream", "ecommerce", "offline"}

    table = rows(capfd, "crafts_villages", "--year", "2024")
    header, total = table[0], table[-1]
    assert header[:4] == ["村(社区)", _("Craftswomen"), _("Craft-skills trainings"), _("Women trained")]
    by_village = {row[0]: row for row in table[1:-1]}
    assert by_village["太坝村"][1:4] == ["3", "1", "3"]  # the second training was held in 太坝 and 冯河
    assert by_village["冯河村"][1:4] == ["2", "1", "2"]
    assert by_village["马庄村"][1:] == ["0"] * 3 + ["0", "0.00"] * 4
    amount = sales.aggregate(total=Sum("amount"))["total"]
    assert total[0] == "合计" and total[1:4] == ["8", "2", "8"]  # the town-wide training counts once
    assert total[-2:] == ["20", str(amount.quantize(Decimal("0.01")))]
    by_channel = dict(sales.values("channel").annotate(n=Count("pk")).values_list("channel", "n"))
    assert total[4:10:2] == [str(by_channel[channel]) for channel in ("livestream", "ecommerce", "offline")]
    one = rows(capfd, "crafts_villages", "--year", "2024", "--village", "太坝")
    assert len(one) == 3 and one[1][:4] == ["太坝村", "3", "1", "3"] and one[2][2] == "1"

    summary = {row[1]: row[2] for row in rows(capfd, "annual_summary", "--year", "2024")[1:]}
    assert summary["专题培训"] == "3"  # craft-skills trainings are a kind of their own


def register_rows(username):
    user = get_user_model().objects.get(username=username)
    report = registry.reports["crafts_register"]
    assert report.allowed(user)
    return report.function(ReportScope.of_user(user), DateRange.year(2024))


def test_the_register_masks_id_numbers_without_the_full_identity_permission(demo):
    full, masked = register_rows("town"), register_rows("taiba")
    numbers = {entry.person.name: entry.person.id_number for entry in Craftswoman.objects.select_related("person")}
    column = full.header.index(_("ID number"))
    assert len(full.rows) == 8 and {row[column] for row in full.rows} == set(numbers.values())
    assert len(masked.rows) == 3  # her village's
    for row in masked.rows:
        assert row[column] == mask_id_number(numbers[row[1]]) != numbers[row[1]]
    trainings = full.header.index(_label_trainings())
    assert all("巧手妇女手工编织技能提升培训" in row[trainings] for row in full.rows)
    # The county reader reads the village table, not the register of people.
    county = get_user_model().objects.get(username="county")
    assert registry.reports["crafts_villages"].allowed(county)
    assert not registry.reports["crafts_register"].allowed(county)


def _label_trainings() -> str:
    from django.utils.text import capfirst

    return capfirst(Craftswoman._meta.get_field("trainings").verbose_name)


def test_the_binder_files_the_ledger_under_womens_achievements():
    section = registry.binder_sections["crafts"]
    assert (section.category, section.reports) == ("achievement", ("crafts_register", "crafts_villages"))
