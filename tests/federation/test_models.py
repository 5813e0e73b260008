"""Rules the database holds, tested both through validation and through the raw ORM."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from federation.models import Honor, Household, Person
from federation.services import household_save, person_save
from tests.factories import HouseholdFactory, PersonFactory, make_id_number


def _person(village, **fields):
    defaults = {"name": "李秀英", "village": village, "id_number": make_id_number(date(1980, 1, 1), "F")}
    return Person(**{**defaults, **fields})


def test_saving_a_person_derives_sex_and_birth_date(taiba):
    person = person_save(person=_person(taiba, id_number="11010519491231002x"))
    person.refresh_from_db()
    assert (person.id_number, person.sex, person.birth_date) == ("11010519491231002X", "F", date(1949, 12, 31))
    assert person.id_upgraded is False


def test_a_fifteen_digit_number_is_stored_upgraded_and_marked(taiba):
    person = person_save(person=_person(taiba, id_number="110105491231002"))
    person.refresh_from_db()
    assert len(person.id_number) == 18
    assert person.id_upgraded is True


def test_validation_names_the_bad_id_number(taiba):
    with pytest.raises(ValidationError) as raised:
        person_save(person=_person(taiba, id_number="110105194912310021"))
    assert "校验码" in raised.value.message_dict["id_number"][0]
    assert not Person.objects.exists()


def test_one_id_number_is_one_person(taiba):
    number = make_id_number()
    person_save(person=_person(taiba, id_number=number))
    with pytest.raises(ValidationError) as raised:
        person_save(person=_person(taiba, id_number=number.lower()))
    assert "已登记" in str(raised.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="重复", village=taiba, id_number=number, sex="F", birth_date=date(1985, 6, 15))


def test_the_database_refuses_a_sex_that_contradicts_the_number(taiba):
    number = make_id_number(date(1985, 6, 15), "F")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="男", village=taiba, id_number=number, sex="M", birth_date=date(1985, 6, 15))


def test_the_database_refuses_a_birth_date_that_contradicts_the_number(taiba):
    number = make_id_number(date(1985, 6, 15), "F")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="错", village=taiba, id_number=number, sex="F", birth_date=date(1985, 6, 16))


def test_a_person_cannot_join_a_household_of_another_village(taiba, fenghe):
    household = HouseholdFactory(village=fenghe)
    with pytest.raises(ValidationError) as raised:
        person_save(person=_person(taiba, household=household))
    assert raised.value.message_dict["household"] == ["该家庭属于其他村(社区)。"]


def test_phone_is_normalised_or_rejected(taiba):
    person = person_save(person=_person(taiba, phone="138 1234 5678"))
    assert person.phone == "13812345678"
    with pytest.raises(ValidationError) as raised:
        person_save(person=_person(taiba, id_number=make_id_number(), phone="12345"))
    assert "手机号" in raised.value.message_dict["phone"][0]


def test_household_balance_never_negative_in_the_database(taiba):
    household = HouseholdFactory(village=taiba)
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=household.pk).update(points_balance=-1)


def test_household_number_unique_per_village(taiba, fenghe):
    HouseholdFactory(village=taiba, number="001")
    HouseholdFactory(village=fenghe, number="001")
    with pytest.raises(ValidationError) as raised:
        household_save(household=Household(village=taiba, number="001"))
    assert "户号" in str(raised.value)


def test_the_head_must_be_a_member_and_becomes_self(taiba):
    household = HouseholdFactory(village=taiba)
    stranger = PersonFactory(village=taiba)
    household.head = stranger
    with pytest.raises(ValidationError) as raised:
        household_save(household=household)
    assert raised.value.message_dict["head"] == ["户主必须是本户成员。"]
    member = PersonFactory(village=taiba, household=household, relation_to_head=Person.Relation.SPOUSE)
    household.head = member
    household_save(household=household)
    member.refresh_from_db()
    assert member.relation_to_head == Person.Relation.SELF


def test_an_honour_goes_to_a_person_or_a_household_not_both(taiba):
    person = PersonFactory(village=taiba)
    with pytest.raises(IntegrityError), transaction.atomic():
        Honor.objects.create(award=Honor.Award.OTHER, title="x", year=2024, person=person, household=person.household)
    with pytest.raises(IntegrityError), transaction.atomic():
        Honor.objects.create(award=Honor.Award.OTHER, title="x", year=2024)


def test_household_awards_go_to_households(taiba):
    honor = Honor(award=Honor.Award.BEAUTIFUL_COURTYARD, year=2024, person=PersonFactory(village=taiba))
    with pytest.raises(ValidationError) as raised:
        honor.full_clean()
    assert raised.value.message_dict["household"] == ["该表彰项目授予家庭。"]


def test_str_never_shows_id_numbers_or_phones(taiba):
    person = PersonFactory(village=taiba, phone="13812345678")
    household = person.household
    household.head = person
    household.save()
    honor = Honor.objects.create(award=Honor.Award.BEST_VOLUNTEER, year=2024, person=person)
    household = Household.objects.select_related("head").get(pk=household.pk)
    for obj in (person, household, honor, taiba, taiba.town):
        text = str(obj)
        assert person.id_number not in text and person.id_number[-6:] not in text
        assert "13812345678" not in text
