"""The de-identified people and household rosters (for the county or a survey): a pseudonym of
the town's key for each person and household, an age band, the village; in no format a name,
an ID number, a phone, a birth date, an address or a household number. The county reader takes
them from a town that has ticked its switch, and no other list of people."""

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
from django.utils.translation import gettext as _

from federation.core import reporting
from federation.core.models import Town
from federation.core.pseudonyms import age_band, person_pseudonym, pseudonym
from federation.core.reporting import DateRange, ReportScope, discover
from federation.models import Person
from tests.factories import HouseholdFactory, PersonFactory, TownFactory, VillageFactory, take_file

NAMES = ("people_deidentified", "households_deidentified")
YEAR = DateRange.year(2024)
DIGIT_RUN = re.compile(r"\d{6,}")


@pytest.fixture
def families(taiba, fenghe):
    """Two households of 太坝 and one of 冯河, with addresses, and a person of no household."""
    made = []
    for village, number, address, born in (
        (taiba, "TB-101", "太坝村一组12号", date(1975, 8, 1)),
        (taiba, "TB-102", "太坝村二组3号", date(1990, 2, 28)),
        (fenghe, "FH-201", "冯河村三组", date(1948, 11, 5)),
    ):
        household = HouseholdFactory(village=village, number=number, address=address)
        head = PersonFactory(
            village=village, household=household, born=born, female=False, notes="腿脚不便，常住女儿家"
        )
        household.head = head
        household.save()
        PersonFactory(village=village, household=household, born=date(born.year + 2, 1, 9), relation_to_head="spouse")
        PersonFactory(
            village=village, household=household, born=date(2013, 5, 20), relation_to_head="daughter", phone=""
        )
        made.append(household)
    PersonFactory(village=taiba, household=None, born=date(1930, 1, 1), status=Person.Status.DECEASED)
    return made


def body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def cells(response, kind) -> list[list[str]]:
    """Every cell of a download, as text (the .xlsx's title row too)."""
    content = body(response)
    if kind == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [["" if cell.value is None else str(cell.value) for cell in row] for row in sheet.iter_rows()]


def download(client, name, kind="csv", **params):
    return take_file(client, "/admin/reports/", {"report": name, "year": 2024, "format": kind, **params})


def listed(client) -> set[str]:
    return {entry.name for entry in client.get("/admin/reports/").context["reports"]}


def identifying() -> set[str]:
    """What must be in no de-identified file: every name, ID number, phone, birth date,
    address and household number the test made."""
    found = set()
    for name, number, phone, born in Person.objects.values_list("name", "id_number", "phone", "birth_date"):
        found |= {name, number, born.isoformat(), born.strftime("%Y%m%d"), born.strftime("%Y/%m/%d")}
        if phone:
            found.add(phone)
    for household in HouseholdFactory._meta.model.objects.all():
        found |= {household.number, household.address}
    return found - {""}


def assert_deidentified(rows):
    text = "\n".join("\t".join(row) for row in rows)
    assert not DIGIT_RUN.search(text), DIGIT_RUN.search(text)
    leaked = {value for value in identifying() if value in text}
    assert not leaked
    assert "腿脚不便" not in text  # no notes


def allow(town, value=True):
    Town.objects.filter(pk=town.pk).update(county_takes_deidentified=value)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("name", NAMES)
def test_no_file_holds_a_name_a_number_a_phone_a_birth_date_or_an_address(client_for, town_admin, families, name, kind):
    rows = cells(download(client_for(town_admin), name, kind), kind)
    assert len(rows) > 3
    assert_deidentified(rows)


@pytest.mark.parametrize("name", NAMES)
def test_nor_does_the_page(client_for, town_admin, families, name):
    response = client_for(town_admin).get("/admin/reports/", {"report": name, "year": 2024})
    rows = [[str(value) for value, _link in row] for row in response.context["rows"]]
    assert len(rows) == len(response.context["table"].rows) >= 3
    assert_deidentified(rows)
    assert not {value for value in identifying() if value in response.content.decode()}


def test_the_people_roster_has_the_columns_a_survey_needs(client_for, town_admin, families, town):
    rows = cells(download(client_for(town_admin), "people_deidentified"), "csv")
    assert rows[0] == [
        _("Pseudonym"),
        "村(社区)",
        "性别",
        _("Age band"),
        "与户主关系",
        "状态",
        _("Household pseudonym"),
    ]
    key = town.pseudonym_key
    head = families[0].head
    row = next(row for row in rows if row[0] == person_pseudonym(key, head.id_number, head.pk))
    assert row[1:3] == ["太坝村", "男"] and row[3] == age_band(date(1975, 8, 1), date(2024, 12, 31))
    assert row[4:] == ["本人(户主)", "在册", pseudonym(key, "household", families[0].pk)]
    assert len(rows) - 1 == Person.objects.count() == 10
    # Each village's rows by pseudonym, not in the order the roster was entered.
    for village in ("太坝村", "冯河村"):
        names = [row[0] for row in rows[1:] if row[1] == village]
        assert names == sorted(names)
    assert [row[1] for row in rows[1:]] == ["太坝村"] * 7 + ["冯河村"] * 3


def test_the_household_roster_counts_members_and_names_nobody(client_for, town_admin, families, town):
    rows = cells(download(client_for(town_admin), "households_deidentified"), "csv")
    assert rows[0] == [_("Household pseudonym"), "村(社区)", _("Members in the register"), _("Women in the register")]
    first = pseudonym(town.pseudonym_key, "household", families[0].pk)
    assert next(row for row in rows if row[0] == first) == [first, "太坝村", "3", "2"]
    assert len(rows) - 1 == 3


def test_the_same_person_has_the_same_pseudonym_in_every_download(client_for, town_admin, families):
    client = client_for(town_admin)
    first = cells(download(client, "people_deidentified"), "csv")
    second = cells(download(client, "people_deidentified", "xlsx"), "xlsx")[1:]  # below the title row
    assert first == second
    households = {row[0] for row in cells(download(client, "households_deidentified"), "csv")[1:]}
    assert {row[6] for row in first[1:]} - {""} == households


def test_a_new_key_makes_new_pseudonyms_and_another_towns_key_others(client_for, superuser, families, town):
    client = client_for(superuser)
    before = {row[0] for row in cells(download(client, "people_deidentified"), "csv")[1:]}
    Town.objects.filter(pk=town.pk).update(pseudonym_key="f" * 64)
    after = {row[0] for row in cells(download(client, "people_deidentified"), "csv")[1:]}
    assert len(before) == len(after) == 10 and not before & after
    # The same woman (her ID number) moved to a village of another town has that town's pseudonym.
    other = TownFactory(name="杨店镇")
    woman = families[0].members.exclude(pk=families[0].head_id).first()
    Person.objects.filter(pk=woman.pk).update(village=VillageFactory(town=other, name="杨店村"), household=None)
    rows = cells(download(client, "people_deidentified"), "csv")[1:]
    moved = [row for row in rows if row[1] == "杨店村"]
    assert [row[0] for row in moved] == [person_pseudonym(other.pseudonym_key, woman.id_number, woman.pk)]
    assert moved[0][0] != person_pseudonym("f" * 64, woman.id_number, woman.pk) and moved[0][0] not in after


def test_the_village_clerk_reads_her_villages_rows_only(client_for, clerk, families, town):
    client = client_for(clerk)
    assert set(NAMES) <= listed(client)
    people = cells(download(client, "people_deidentified"), "csv")[1:]
    assert {row[1] for row in people} == {"太坝村"} and len(people) == 7
    households = cells(download(client, "households_deidentified", "xlsx"), "xlsx")[2:]
    assert {row[1] for row in households} == {"太坝村"} and len(households) == 2


@pytest.mark.parametrize("kind", ["html", "csv", "xlsx"])
def test_the_county_reader_is_refused_until_the_town_ticks_its_switch(client_for, county_reader, families, town, kind):
    client = client_for(county_reader)
    assert not set(NAMES) & listed(client)
    for name in NAMES:
        assert download(client, name, kind).status_code == 403
    allow(town)
    assert set(NAMES) <= listed(client)
    for name in NAMES:
        rows = cells(download(client, name, kind), kind) if kind != "html" else None
        if rows is not None:
            assert_deidentified(rows)
        else:
            assert download(client, name, kind).status_code == 200
    people = cells(download(client, "people_deidentified"), "csv")[1:]
    assert {row[1] for row in people} == {"太坝村", "冯河村"} and len(people) == 10
    # And still no other list of people.
    personal = {name for name, entry in discover().items() if entry.personal and not entry.deidentified}
    assert personal and not personal & listed(client)
    for name in sorted(personal):
        assert download(client, name, kind).status_code == 403, name


def test_the_county_readers_rows_are_the_allowing_towns_only(county_reader, families, town, taiba):
    """Were she given another town's villages, the rows keep to the towns that allow it."""
    allow(town)
    other = TownFactory(name="杨店镇")
    PersonFactory(village=VillageFactory(town=other, name="杨店村"))
    rs = ReportScope.of_user(county_reader)
    rs.village_ids = [*rs.village_ids, *other.villages.values_list("pk", flat=True)]
    rows = list(discover()["people_deidentified"].function(rs, YEAR).rows)
    assert {row[1] for row in rows} == {"太坝村", "冯河村"}
    allow(town, False)
    county_reader._federation_deidentified_towns = None  # read again, as a new request would
    assert not discover()["people_deidentified"].allowed(county_reader)
    assert list(discover()["people_deidentified"].function(ReportScope.of_user(county_reader), YEAR).rows) == []


@pytest.mark.parametrize("name", NAMES)
def test_the_queries_do_not_grow_with_the_rows(
    town_admin, county_reader, families, town, name, django_assert_num_queries
):
    for _more in range(5):
        PersonFactory(village=families[0].village)
    rs = ReportScope.of_user(town_admin)
    town_admin.has_perm(reporting.PAGE_PERMISSION)  # her permissions, read once per request
    with django_assert_num_queries(3):  # the towns' keys, the rows, and their count for the page
        table = discover()[name].function(rs, YEAR)
        assert len(list(iter(table.rows))) == len(table.rows) > 3
    allow(town)
    rs = ReportScope.of_user(county_reader)
    assert discover()[name].allowed(county_reader)  # the towns that allow her, read once per request
    with django_assert_num_queries(4):  # and her villages in them
        table = discover()[name].function(rs, YEAR)
        assert len(list(iter(table.rows))) == len(table.rows) > 3


@pytest.mark.parametrize("name", ["people_deidentified", "households_deidentified"])
def test_the_pages_first_rows_are_the_downloads_first_rows(town_admin, families, name):
    """The page reads its first rows a village at a time; they are the file's, in its order."""
    rows = discover()[name].function(ReportScope.of_user(town_admin), YEAR).rows
    whole = list(rows)
    assert len({row[1] for row in whole}) > 1, "rows of more than one village"
    for stop in (1, 2, len(whole) - 1, len(whole), len(whole) + 5):
        assert rows[:stop] == whole[:stop], stop
