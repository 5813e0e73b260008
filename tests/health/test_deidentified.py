"""The de-identified screening and HPV rosters: each woman or girl by the pseudonym the people
roster gives her, her age band and the month; no name, ID number, phone, day, institution,
guardian or notes, in any format. The county reader takes them from a town that allows it."""

import re
from datetime import date

import pytest
from django.utils.translation import gettext as _

from federation.core import reporting
from federation.core.models import Town
from federation.core.pseudonyms import age_band, person_pseudonym
from federation.core.reporting import DateRange, ReportScope, discover
from health.models import Screening
from health.services import health_record_save
from tests.factories import PersonFactory
from tests.federation.test_deidentified import allow, assert_deidentified, cells, download, listed
from tests.health.conftest import dose

NAMES = ("screenings_deidentified", "hpv_doses_deidentified")
YEAR = DateRange.year(2024)


def screen(person, day, result=Screening.Result.NORMAL, **extra):
    values = {"institution": "县妇幼保健院", "consent_by": person.name, "consent_on": day, "notes": "家住村口第三户"}
    return health_record_save(record=Screening(person=person, date=day, result=result, **{**values, **extra}), by=None)


@pytest.fixture
def records(girl, woman, other_woman):
    screen(woman, date(2024, 3, 11))
    screen(woman, date(2024, 9, 2), Screening.Result.ABNORMAL, kind=Screening.Kind.BREAST)
    screen(other_woman, date(2024, 5, 6))
    dose(girl, 1, date(2024, 3, 10))
    dose(girl, 2, date(2024, 9, 10))
    second = PersonFactory(village=girl.village, name="张小丽", born=date(2014, 7, 1))
    dose(second, 1, date(2024, 4, 2))
    screen(woman, date(2023, 4, 1))  # another year's
    return {"girl": girl, "woman": woman, "other_woman": other_woman, "second": second}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("name", NAMES)
def test_no_file_holds_a_name_a_number_a_phone_or_a_day(client_for, town_admin, records, name, kind):
    rows = cells(download(client_for(town_admin), name, kind), kind)
    assert len(rows) >= 4
    assert_deidentified(rows)
    text = "\n".join("\t".join(row) for row in rows)
    for word in ("县妇幼保健院", "镇卫生院", "王大山", "家住村口"):  # institution, site, guardian, notes
        assert word not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no day


def test_the_screening_roster_gives_month_kind_and_result(client_for, town_admin, records, town):
    rows = cells(download(client_for(town_admin), "screenings_deidentified"), "csv")
    assert rows[0][:4] == [_("Pseudonym"), "村(社区)", _("Age band"), _("Screening month")]
    woman = records["woman"]
    hers = [row for row in rows if row[0] == person_pseudonym(town.pseudonym_key, woman.id_number, woman.pk)]
    band = age_band(woman.birth_date, date(2024, 3, 11))
    assert [row[1:4] for row in hers] == [["太坝村", band, "2024-03"], ["太坝村", band, "2024-09"]]
    assert hers[1][5] == str(Screening.Result.ABNORMAL.label) != hers[0][5]
    assert [row[1] for row in rows[1:]] == ["太坝村", "太坝村", "冯河村"]  # 2024's, by village


def test_the_same_woman_has_one_pseudonym_in_the_people_and_health_rosters(client_for, town_admin, records):
    client = client_for(town_admin)
    people = {row[0] for row in cells(download(client, "people_deidentified"), "csv")[1:]}
    for name in NAMES:
        first = cells(download(client, name), "csv")
        assert {row[0] for row in first[1:]} <= people
        assert first == cells(download(client, name, "xlsx"), "xlsx")[1:]  # the same in both files
    girl = records["girl"]
    doses = cells(download(client, "hpv_doses_deidentified"), "csv")[1:]
    hers = [
        row for row in doses if row[0] == person_pseudonym(Town.objects.get().pseudonym_key, girl.id_number, girl.pk)
    ]
    assert [row[3] for row in hers] == ["2024-03", "2024-09"] and hers[0][2] == age_band(
        girl.birth_date, date(2024, 3, 10)
    )


def test_the_village_clerk_reads_her_villages_rows_only(client_for, health_clerk, records):
    client = client_for(health_clerk)
    assert set(NAMES) <= listed(client)
    rows = cells(download(client, "screenings_deidentified"), "csv")[1:]
    assert {row[1] for row in rows} == {"太坝村"} and len(rows) == 2


def test_a_clerk_without_the_health_role_gets_neither(client_for, clerk, records):
    client = client_for(clerk)
    assert not set(NAMES) & listed(client)
    for name in NAMES:
        assert download(client, name).status_code == 403


@pytest.mark.parametrize("kind", ["html", "csv", "xlsx"])
def test_the_county_reader_takes_them_once_the_town_allows_it(client_for, county_reader, records, town, kind):
    client = client_for(county_reader)
    for name in NAMES:
        assert name not in listed(client) and download(client, name, kind).status_code == 403
    allow(town)
    for name in NAMES:
        assert name in listed(client)
        response = download(client, name, kind)
        if kind == "html":
            assert response.status_code == 200
        else:
            assert_deidentified(cells(response, kind))
    for name in ("screenings_ledger", "hpv_doses_ledger", "hpv_deferrals_ledger", "cancer_aid_ledger"):
        assert download(client, name, kind).status_code == 403


@pytest.mark.parametrize("name", NAMES)
def test_the_queries_do_not_grow_with_the_rows(
    town_admin, county_reader, records, town, name, django_assert_num_queries
):
    rs = ReportScope.of_user(town_admin)
    town_admin.has_perm(reporting.PAGE_PERMISSION)
    with django_assert_num_queries(3):  # the towns' keys, the rows, and their count for the page
        table = discover()[name].function(rs, YEAR)
        assert len(list(iter(table.rows))) == len(table.rows) >= 3
    allow(town)
    rs = ReportScope.of_user(county_reader)
    assert discover()[name].allowed(county_reader)
    with django_assert_num_queries(4):  # and her villages in the towns that allow her
        table = discover()[name].function(rs, YEAR)
        assert len(list(iter(table.rows))) == len(table.rows) >= 3
