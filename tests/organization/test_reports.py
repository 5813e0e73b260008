"""The 组织建设 reports from small factories: the register, the elections (a village without a
committee shown as not set up), the meetings ledger and the village table."""

from datetime import date

from django.utils.translation import gettext as _

from federation.core.registry import registry
from federation.core.reporting import DateRange, ReportScope
from tests.factories import PersonFactory
from tests.organization.conftest import Position, hold_meeting, make_committee, make_delegate, seat

YEAR = DateRange.year(2024)


def read(name, user, period=YEAR):
    report = registry.reports[name]
    assert report.allowed(user)
    return report.function(ReportScope.of_user(user), period)


def test_the_register_masks_id_numbers_and_phones(committee, chair, women, clerk, superuser):
    seat(committee, name="驻村干部刘芳")
    table = read("organization_committees", clerk)
    rows = {row[2]: row for row in table.rows}
    assert set(rows) == {"王秀英", "驻村干部刘芳"}
    wang = rows["王秀英"]
    assert wang[0] == "太坝村" and wang[1] == Position.CHAIR.label
    assert chair.person.id_number not in wang and "13912345678" not in wang
    assert rows["驻村干部刘芳"][3] == ""
    full = {row[2]: row for row in read("organization_committees", superuser).rows}
    assert full["王秀英"][3] == chair.person.id_number and full["王秀英"][5] == "13912345678"


def test_the_elections_name_the_villages_without_a_committee(committee, chair, fenghe, town_admin, town):
    make_committee(town)
    table = read("organization_elections", town_admin)
    rows = {row[0]: row for row in table.rows}
    assert rows["冯河村"][4] == _("not set up")
    taiba = rows["太坝村"]
    assert taiba[1:4] == ["2021-06-01", 5, "2026-06-01"] and taiba[5] == 1
    assert _("%(position)s short of %(count)d") % {"position": Position.VICE_CHAIR.label, "count": 2} in taiba[6]
    assert any(_("(town)").strip("()") in name or "站儿巷镇" in name for name in rows)


def test_the_meetings_ledger_names_who_came(committee, chair, women, clerk):
    vice = seat(committee, women[1], position=Position.VICE_CHAIR)
    hold_meeting(committee, attendees=[chair], absentees=[vice], place="妇女之家", decisions="入户动员")
    hold_meeting(committee, date=date(2023, 5, 1))  # not in 2024
    (row,) = read("organization_meetings", clerk).rows
    assert row[0] == "2024-05-10" and row[1] == "太坝村" and row[3] == "妇女之家"
    assert (row[4], row[5], row[7]) == ("王秀英", "李桂兰", "入户动员")


def test_the_village_table(committee, chair, women, fenghe, town_admin):
    seat(committee, women[1], position=Position.VICE_CHAIR)
    left = seat(committee, women[2], joined_on=date(2021, 6, 1))
    left.left_on = date(2023, 1, 1)
    left.save()
    hold_meeting(committee, attendees=[chair])
    make_delegate(women[3])
    make_delegate(PersonFactory(village=fenghe), term_start=date(2016, 1, 1), term_end=date(2020, 12, 31))
    table = read("organization_villages", town_admin)
    rows = {row[0]: row[1:] for row in table.rows}
    # In office, vacant seats (1 chair + 2 vice + 6 members, 2 held), meetings, delegates.
    assert rows["太坝村"] == [2, 7, 1, 1]
    assert rows["冯河村"] == [0, 0, 0, 0]
    assert rows[_("Total")] == [2, 7, 1, 1]


def test_the_delegates_register(taiba, clerk, county_reader):
    woman = PersonFactory(village=taiba, name="人大代表甲")
    make_delegate(woman, sector="农业")
    (row,) = read("organization_delegates", clerk).rows
    assert row[1] == "人大代表甲" and row[2] != woman.id_number and row[-1] == "农业"
    assert not registry.reports["organization_delegates"].allowed(county_reader)
