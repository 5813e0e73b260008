"""Real files with cells as households and other programs write them: phones in every
form, invisible characters inside ID numbers, ID numbers Excel turned into numbers,
relations in the words families use, control characters and names a GBK file lost."""

from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

from federation.core.importing import read_table
from federation.core.importing.cells import CellError, NameWidget
from federation.models import Person
from federation.resources import PeopleResource
from tests.data.make_files import CHEN, VALUES_PEOPLE

DATA = Path(__file__).resolve().parents[1] / "data"
STORED_AS_NUMBER = (
    "The ID number was stored by Excel as a number and has lost its last digits. "
    "Format the column as text and type the numbers again."
)


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


def run(name, dry_run=False):
    # In English: the messages hold no translation yet (tests of the Chinese are in test_import).
    with translation.override("en"):
        return PeopleResource().import_file((DATA / name).read_bytes(), name, dry_run=dry_run)


def messages(report):
    return [(error.row, error.column, error.message) for error in report.errors]


def test_phones_invisible_characters_serials_and_relations_as_households_write_them(taiba):
    report = run("values_people.csv")
    assert report.errors == []
    assert report.new == len(VALUES_PEOPLE)
    stored = {p.name: p for p in Person.objects.all()}
    # Every ID number lost its zero-width space, no-break space, BOM… and matches the file's.
    assert {name: stored[name].id_number for name, *_ in VALUES_PEOPLE} == {
        name: number for name, number, *_ in VALUES_PEOPLE
    }
    assert stored["陈德福"].birth_date == date(1950, 3, 15)  # "18337", a serial kept as text
    assert {name: stored[name].phone for name in ("陈德福", "刘桂香", "陈建军", "张丽", "陈小宇")} == {
        "陈德福": "13800001001",  # +86 138 0000 1001
        "刘桂香": "13800001002",  # 0086-138-0000-1002
        "陈建军": "024-20385104",  # split at the real area code, not 0242-0385104
        "张丽": "0939-4123456",  # (0939)4123456
        "陈小宇": "13800001005",  # full-width digits
    }
    R = Person.Relation
    assert {name: stored[name].relation_to_head for name, *_ in VALUES_PEOPLE} == {
        "陈德福": R.SELF,
        "刘桂香": R.SPOUSE,
        "陈建军": R.SON,
        "张丽": R.DAUGHTER_IN_LAW,
        "陈小宇": R.GRANDSON,
        "陈小梅": R.GRANDDAUGHTER,
        "陈小红": R.DAUGHTER,
        "王大伟": R.SON_IN_LAW,
        "王乐乐": R.DAUGHTERS_SON,
        "王欢欢": R.DAUGHTERS_DAUGHTER,
        "陈德贵": R.BROTHER,
        "陈德兰": R.SISTER,
        "马秀珍": R.MOTHER,
        "李秀莲": R.NON_RELATIVE,
    }
    assert {p.household.head.id_number for p in stored.values()} == {CHEN}


def test_number_cells_of_an_xlsx(taiba):
    report = run("values_people.xlsx")
    assert report.errors == []
    head, wife = Person.objects.get(id_number=CHEN), Person.objects.exclude(id_number=CHEN).get()
    assert (head.phone, head.birth_date) == ("13800001001", date(1950, 3, 15))  # 19500315 in a number cell
    assert wife.phone == "0939-4123456"  # 9394123456: Excel dropped the leading 0
    assert wife.relation_to_head == Person.Relation.SPOUSE  # 妻


def test_id_numbers_a_csv_holds_in_scientific_notation_or_with_dot_zero(taiba):
    report = run("values_id_numeric.csv")
    assert messages(report) == [(row, "公民身份号码", STORED_AS_NUMBER) for row in (2, 3, 4)]
    # The same words as for a number cell of an .xlsx.
    xlsx = run("people_id_as_number.xlsx", dry_run=True)
    assert [error for error in messages(xlsx) if error[1] == "公民身份号码"] == [(3, "公民身份号码", STORED_AS_NUMBER)]
    assert not Person.objects.exists()


def test_a_control_character_unallocated_mobiles_and_an_unknown_relation_are_refused(taiba):
    report = run("values_bad_cells.csv")
    rows = {(row, column) for row, column, _message in messages(report)}
    assert rows == {(2, "姓名"), (3, "联系电话"), (4, "联系电话"), (5, "与户主关系")}
    found = {row: message for row, _column, message in messages(report)}
    assert "U+0000" in found[2]
    assert "14012345678" in found[3] and "15412345678" in found[4]
    assert "邻居" in found[5]
    assert not Person.objects.exists()


def test_names_a_gbk_file_could_not_hold_come_back_as_question_marks_and_are_refused():
    table = read_table((DATA / "values_gbk_lost.csv").read_bytes(), "values_gbk_lost.csv")
    assert [row[0] for row in table.rows[1:]] == ["刘?", "?祥"]
    for name in ("刘?", "?祥"):
        with pytest.raises(CellError) as raised:
            NameWidget().clean(name)
        assert name in str(raised.value)
