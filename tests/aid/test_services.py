"""The rules of care and disputes, through the services and through the ORM directly."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from aid.models import CareTarget, CareVisit, CharityAid, DisputeCase, Pairing
from aid.services import (
    aid_record_delete,
    aid_record_save,
    care_target_save,
    care_visit_delete,
    care_visit_save,
    charity_aid_save,
    dispute_resolve,
    dispute_save,
    dispute_start_mediation,
    dispute_terminate,
    dispute_transfer,
    pairing_end,
    pairing_save,
)
from tests.aid.conftest import DAY, on_register, register_case
from tests.factories import PersonFactory, TownFactory, VillageFactory


def pair(mother, child, start=DAY):
    return pairing_save(pairing=Pairing(mother=mother, child=child, start=start))


def messages(error) -> list[str]:
    return error.value.messages


def test_a_child_has_one_active_caring_mother(mother, child, taiba):
    pair(mother, child)
    other = PersonFactory(village=taiba, born=date(1980, 1, 1))
    with pytest.raises(ValidationError) as error:
        pair(other, child)
    assert messages(error) == ["这个孩子已有爱心妈妈。"]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        Pairing.objects.create(mother=other, child=child, start=DAY)


def test_a_caring_mother_is_a_woman_of_18_or_over(child, taiba):
    man = PersonFactory(village=taiba, born=date(1980, 1, 1), female=False)
    girl = PersonFactory(village=taiba, born=date(2007, 5, 2))  # 17 on the day
    for person in (man, girl):
        with pytest.raises(ValidationError) as error:
            pair(person, child)
        assert error.value.message_dict["mother"] == ["爱心妈妈须为年满 18 岁的女性。"]


def test_a_mother_cares_for_at_most_the_setting(mother, taiba, settings):
    settings.CARING_MOTHER_MAX_PAIRINGS = 2
    children = [PersonFactory(village=taiba, born=date(2015, 1, 1)) for _ in range(3)]
    for person in children:
        on_register(person)
    pair(mother, children[0])
    pair(mother, children[1])
    with pytest.raises(ValidationError) as error:
        pair(mother, children[2])
    assert error.value.message_dict["mother"] == ["爱心妈妈 已结对 2 名孩子，已达上限。"]
    pairing_end(pairing=Pairing.objects.filter(child=children[0]).get(), day=date(2024, 6, 1))
    pair(mother, children[2])  # a place is free again


def test_a_paired_child_is_a_child_on_the_register(mother, taiba):
    stranger = PersonFactory(village=taiba, name="未登记", born=date(2015, 1, 1))
    with pytest.raises(ValidationError) as error:
        pair(mother, stranger)
    assert error.value.message_dict["child"] == ["未登记 不在关爱对象名册中（留守儿童或困境儿童）。"]
    elderly = PersonFactory(village=taiba, name="老人", born=date(1940, 1, 1))
    on_register(elderly, CareTarget.Category.LEFT_BEHIND_ELDERLY)
    with pytest.raises(ValidationError) as error:
        pair(mother, elderly)
    assert error.value.message_dict["child"] == ["老人 在结对日期已年满 18 岁。"]
    adult = PersonFactory(village=taiba, name="成年", born=date(2006, 4, 30))
    on_register(adult)
    with pytest.raises(ValidationError) as error:
        pair(mother, adult)
    assert error.value.message_dict["child"] == ["成年 在结对日期已年满 18 岁。"]


def test_a_visit_falls_within_its_pairing(mother, child):
    pairing = pair(mother, child)
    with pytest.raises(ValidationError) as error:
        aid_record_save(record=CareVisit(pairing=pairing, date=date(2024, 4, 30), kind="visit", content="走访"))
    assert messages(error) == ["走访日期不在结对期间内。"]


def test_register_entries_are_unique_while_open(child):
    with pytest.raises(ValidationError) as error:
        on_register(child)
    assert "该人员已在这一类别的关爱对象名册中。" in messages(error)


def test_case_numbers_run_per_town_and_year(taiba, fenghe):
    first = register_case(taiba)
    second = register_case(fenghe)
    next_year = register_case(taiba, found_on=date(2025, 1, 3))
    elsewhere = register_case(VillageFactory(town=TownFactory(name="杨店乡", county="两当县"), name="杨店村"))
    assert [c.number for c in (first, second, next_year, elsewhere)] == [
        "站儿巷-2024-001",
        "站儿巷-2024-002",
        "站儿巷-2025-001",
        "杨店-2024-001",
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        DisputeCase.objects.filter(pk=second.pk).update(number=first.number)


def test_dispute_steps_and_closed_cases(taiba):
    case = register_case(taiba)
    with pytest.raises(ValidationError) as error:
        dispute_resolve(case=case, day=DAY, outcome=" ")
    assert messages(error) == ["请填写纠纷如何化解。"]
    with pytest.raises(ValidationError) as error:
        dispute_start_mediation(case=case, day=date(2024, 4, 1))
    assert messages(error) == ["日期早于发现纠纷的日期。"]
    case = dispute_start_mediation(case=case, day=date(2024, 5, 3))
    with pytest.raises(ValidationError) as error:
        dispute_start_mediation(case=case, day=date(2024, 5, 4))
    assert messages(error) == ["该纠纷目前为“调解中”，不能“调解中”。"]
    case = dispute_resolve(case=case, day=date(2024, 6, 1), outcome="双方和解")
    assert (case.status, case.closed_on, case.outcome) == ("resolved", date(2024, 6, 1), "双方和解")
    for step in (
        lambda: dispute_terminate(case=case, day=date(2024, 7, 1), outcome="x"),
        lambda: dispute_transfer(case=case, day=date(2024, 7, 1), to="法院", outcome="x"),
    ):
        with pytest.raises(ValidationError) as error:
            step()
        assert messages(error)[0].startswith("该纠纷目前为“已化解”")
    case.summary = "改写"
    with pytest.raises(ValidationError) as error:
        dispute_save(case=case)
    assert messages(error) == ["已结案的纠纷是档案，不能再修改。"]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database keeps status and dates together
        DisputeCase.objects.filter(pk=case.pk).update(closed_on=None)


def test_transfer_needs_where_to(taiba):
    case = register_case(taiba)
    with pytest.raises(ValidationError) as error:
        dispute_transfer(case=case, day=DAY, to="", outcome="x")
    assert messages(error) == ["请填写转交去向。"]
    case = dispute_transfer(case=case, day=DAY, to="县法院", outcome="涉及离婚诉讼")
    assert (case.status, case.transferred_to) == ("transferred", "县法院")


def test_closing_a_case_needs_its_reason(taiba):
    case = register_case(taiba)
    with pytest.raises(ValidationError) as error:
        dispute_terminate(case=case, day=DAY, outcome="")
    assert messages(error) == ["请填写终止原因。"]
    with pytest.raises(ValidationError) as error:
        dispute_transfer(case=case, day=DAY, to="县法院", outcome=" ")
    assert messages(error) == ["请填写转交原因。"]
    case = dispute_terminate(case=case, day=DAY, outcome="当事人撤回")
    assert (case.status, case.outcome) == ("terminated", "当事人撤回")


def test_a_case_has_parties(taiba):
    with pytest.raises(ValidationError) as error:
        dispute_save(
            case=DisputeCase(village=taiba, kind="marriage", source="visit", found_on=DAY, summary="x"), parties=[]
        )
    assert error.value.message_dict == {"parties": ["请至少选择一名当事人。"]}
    assert not DisputeCase.objects.exists()


def test_ending_a_pairing(mother, child):
    pairing = pair(mother, child)
    with pytest.raises(ValidationError) as error:
        pairing_end(pairing=pairing, day=date(2024, 4, 1))
    assert messages(error) == ["结对结束日期早于开始日期。"]
    pairing_end(pairing=pairing, day=date(2024, 6, 1))
    with pytest.raises(ValidationError) as error:
        pairing_end(pairing=pairing, day=date(2024, 7, 1))
    assert messages(error) == ["该结对已结束。"]


def test_a_mother_is_not_paired_with_herself_even_by_the_orm(mother):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(mother=mother, child=mother, start=DAY)


def test_register_dates_and_child_categories(taiba):
    person = PersonFactory(village=taiba, name="张三", born=date(2000, 1, 1))
    with pytest.raises(ValidationError) as error:
        aid_record_save(
            record=CareTarget(person=person, category="lb_woman", since=date(2024, 5, 1), until=date(2024, 4, 1))
        )
    assert error.value.message_dict["until"] == ["退出日期早于纳入日期。"]
    with pytest.raises(ValidationError) as error:
        on_register(person)  # 24 years old: not a left-behind child
    assert error.value.message_dict["category"] == ["张三 已年满 18 岁，不是儿童。"]


def history_users(record) -> list:
    """Who each history row of `record` names, oldest first."""
    return [row.history_user for row in record.history.order_by("history_id")]


def test_the_record_services_name_who_saved(taiba, mother, clerk, town_admin):
    person = PersonFactory(village=taiba, born=date(2015, 1, 1))
    target = care_target_save(target=CareTarget(person=person, category="lb_child", since=date(2024, 1, 1)), by=clerk)
    pairing = pairing_save(pairing=Pairing(mother=mother, child=person, start=DAY), by=clerk)
    visit = care_visit_save(visit=CareVisit(pairing=pairing, date=DAY, kind="visit", content="走访"), by=clerk)
    aid = charity_aid_save(
        aid=CharityAid(household=person.household, date=DAY, drive="99公益日", amount=Decimal("500"), reason="因病"),
        by=clerk,
    )
    # The register keeps no recorder field: its history names who wrote it.
    assert history_users(target) == [clerk]
    for record in (pairing, visit, aid):
        record.refresh_from_db()
        assert (record.recorded_by, history_users(record)) == (clerk, [clerk])
    # Someone else's change keeps the recorder and names the editor on the history row.
    for record, field in ((target, "situation"), (visit, "gifts"), (aid, "goods")):
        record.refresh_from_db()
        setattr(record, field, "书包")
        aid_record_save(record=record, by=town_admin)
        record.refresh_from_db()
        assert history_users(record) == [clerk, town_admin]
    assert (visit.recorded_by, aid.recorded_by) == (clerk, clerk)
    pairing_end(pairing=pairing, day=date(2024, 6, 1), by=town_admin)
    assert history_users(pairing) == [clerk, town_admin]


@pytest.mark.parametrize(
    ("close", "status"),
    [
        (lambda case, by: dispute_resolve(case=case, day=DAY, outcome="和解", by=by), "resolved"),
        (lambda case, by: dispute_transfer(case=case, day=DAY, to="县法院", outcome="诉讼", by=by), "transferred"),
        (lambda case, by: dispute_terminate(case=case, day=DAY, outcome="撤回", by=by), "terminated"),
    ],
)
def test_a_dispute_names_who_registered_it_and_who_took_each_step(taiba, clerk, town_admin, close, status):
    case = dispute_save(
        case=DisputeCase(village=taiba, kind="family", source="visit", found_on=DAY, summary="争吵"),
        parties=[PersonFactory(village=taiba)],
        by=clerk,
    )
    assert case.recorded_by == clerk
    case.summary = "争吵，已劝和"
    dispute_save(case=case, by=town_admin)
    case = dispute_start_mediation(case=case, day=DAY, by=town_admin)
    case = close(case, clerk)
    rows = case.history.order_by("history_id")
    assert [(row.status, row.history_user) for row in rows] == [
        ("registered", clerk),  # registered
        ("registered", clerk),  # its parties
        ("registered", town_admin),
        ("mediating", town_admin),
        (status, clerk),
    ]
    case.refresh_from_db()
    assert case.recorded_by == clerk


def test_the_delete_services_name_who_deleted(taiba, mother, clerk, town_admin):
    person = PersonFactory(village=taiba, born=date(2015, 1, 1))
    target = care_target_save(target=CareTarget(person=person, category="lb_child", since=date(2024, 1, 1)), by=clerk)
    pairing = pairing_save(pairing=Pairing(mother=mother, child=person, start=DAY), by=clerk)
    visit = care_visit_save(visit=CareVisit(pairing=pairing, date=DAY, kind="visit", content="走访"), by=clerk)
    care_visit_delete(visit=CareVisit.objects.get(pk=visit.pk), by=town_admin)
    for record in (pairing, target):
        aid_record_delete(record=type(record).objects.get(pk=record.pk), by=town_admin)
    for record in (visit, pairing, target):
        assert not type(record).objects.filter(pk=record.pk).exists()
        assert history_users(record) == [clerk, town_admin]
        assert record.history.latest().history_type == "-"
