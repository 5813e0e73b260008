"""One rule, one place (issue 27): each rule of a person's record is a function of
federation.models that Person.clean() and the rosters' bulk planner both call, so a form and a
roster row refuse the same bad value. The rosters word an error for the column it is on."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from federation.core.identity import parse_id_number
from federation.models import Person, person_household_check, person_identity
from federation.resources import HouseholdsResource, PeopleResource
from federation.services import household_save
from tests.factories import PersonFactory, make_id_number

BORN = date(1985, 6, 15)


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


def roster(resource, *lines: str, dry_run=True):
    report = resource().import_file("\n".join(lines).encode(), "roster.csv", dry_run=dry_run)
    return [(error.row, error.column, error.message) for error in report.errors]


def refusal(call) -> dict:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.message_dict


def head_of_own_household(village, **fields) -> Person:
    head = PersonFactory(village=village, **fields)
    head.household.head = head
    head.household.save()
    return head


# --- A person's sex and birth date are her ID number's ---------------------------------


def test_a_sex_against_the_id_number_is_refused_in_the_constraints_words(taiba):
    number = make_id_number(BORN, "F")
    person = Person(name="李秀英", id_number=number, sex="M", birth_date=BORN, village=taiba)
    # What full_clean() checks last (and the database holds) when clean() is skipped, as the
    # bulk writer skips it: the roster's words for its 性别 cell are the same.
    model = refusal(person.validate_constraints)["__all__"]
    rule = refusal(lambda: person_identity(parse_id_number(number), sex="M"))["sex"]
    row = roster(PeopleResource, "姓名,公民身份号码,性别,村(社区)", f"李秀英,{number},男,太坝")
    assert model == rule == ["性别与身份证号不符。"]
    assert row == [(2, "性别", "性别与身份证号不符。")]


def test_a_birth_date_against_the_id_number_is_refused_saying_the_numbers(taiba):
    number = make_id_number(BORN, "F")
    person = Person(name="李秀英", id_number=number, sex="F", birth_date=date(1985, 6, 16), village=taiba)
    model = refusal(person.validate_constraints)["__all__"]
    rule = refusal(lambda: person_identity(parse_id_number(number), birth_date=date(1985, 6, 16)))["birth_date"]
    row = roster(PeopleResource, "姓名,公民身份号码,出生日期,村(社区)", f"李秀英,{number},1985-06-16,太坝")
    assert model == ["出生日期与身份证号不符。"]
    assert rule == ["出生日期与身份证号不符（身份证号显示为 1985-06-15）。"]
    assert row == [(2, "出生日期", rule[0])]


def test_full_clean_and_the_roster_take_sex_and_birth_date_from_the_number_alike(taiba):
    """A form never offers them (editable=False): full_clean() sets them from the number, even
    over stale ones; the roster writes a new person's from the same function."""
    number = make_id_number(BORN, "F")
    person = Person(name="李秀英", id_number=number.lower(), sex="M", birth_date=date(2000, 1, 1), village=taiba)
    person.full_clean()
    derived = person_identity(parse_id_number(number))
    assert (
        {name: getattr(person, name) for name in derived}
        == derived
        == {
            "id_number": number,
            "sex": "F",
            "birth_date": BORN,
        }
    )
    assert roster(PeopleResource, "姓名,公民身份号码,村(社区)", f"王芳,{number},太坝", dry_run=False) == []
    stored = Person.objects.get(id_number=number)
    assert {name: getattr(stored, name) for name in derived} == derived


# --- A person's household is of her village --------------------------------------------


def test_a_household_of_another_village_is_refused_by_full_clean_and_both_rosters(taiba, fenghe):
    head = head_of_own_household(fenghe)
    member = PersonFactory.build(village=taiba, household=head.household)
    model = refusal(member.full_clean)["household"]
    rule = refusal(lambda: person_household_check(person_village_id=taiba.pk, household_village_id=fenghe.pk))
    assert model == rule["household"] == ["该家庭属于其他村(社区)。"]
    # The people roster names the household by its head's ID number, the household roster
    # names its village: each says it of its own column.
    number = make_id_number(BORN, "F")
    assert roster(
        PeopleResource, "姓名,公民身份号码,村(社区),户主身份证号", f"李秀英,{number},太坝,{head.id_number}"
    ) == [(2, "户主身份证号", "户主登记在另一个村(社区)。")]
    assert roster(HouseholdsResource, "户主身份证号,村(社区)", f"{head.id_number},太坝") == [
        (2, "村(社区)", "户主登记在冯河村。")
    ]
    # The same household, the other way round: its head's full_clean() says it too.
    head.household.village = taiba
    head.household.save()
    head.refresh_from_db()
    assert refusal(head.full_clean)["household"] == model


def test_a_household_of_her_village_passes_both(taiba):
    head = head_of_own_household(taiba)
    member = PersonFactory.build(village=taiba, household=head.household, id_number=make_id_number(BORN, "F"))
    member.full_clean()
    number = make_id_number(BORN, "F")
    line = f"李秀英,{number},太坝,{head.id_number}"
    assert roster(PeopleResource, "姓名,公民身份号码,村(社区),户主身份证号", line, dry_run=False) == []
    assert Person.objects.get(id_number=number).household == head.household


# --- The head of a household is 本人 to it -----------------------------------------------


def test_the_head_is_self_whatever_was_written_through_the_service_and_the_roster(taiba):
    head = PersonFactory(village=taiba, relation_to_head=Person.Relation.DAUGHTER)
    head.household.head = head
    household_save(household=head.household)
    head.refresh_from_db()
    assert head.relation_to_head == Person.Relation.SELF
    number = make_id_number(BORN, "F")
    line = f"李秀英,{number},太坝,{number},女儿"
    assert roster(PeopleResource, "姓名,公民身份号码,村(社区),户主身份证号,与户主关系", line, dry_run=False) == []
    led = Person.objects.select_related("household__head").get(id_number=number)
    assert (led.relation_to_head, led.household.head) == (Person.Relation.SELF, led)


def test_self_beside_another_heads_number_is_the_rosters_own_refusal(taiba):
    """The file contradicts itself: a record has no 户主身份证号 to hold 本人 against."""
    head = head_of_own_household(taiba)
    line = f"李秀英,{make_id_number(BORN, 'F')},太坝,{head.id_number},本人"
    assert roster(PeopleResource, "姓名,公民身份号码,村(社区),户主身份证号,与户主关系", line) == [
        (2, "与户主关系", "与户主关系为“本人”，但户主身份证号不是本人的号码。")
    ]
