"""Care and aid records are named as a clerk says them (issue 26 item 12): whom, when, what —
"吴欢 2024-03-11 走访" — never an ID number or a phone; a domestic-violence case and its
sessions by the case's number alone; the care visit is 关爱记录 wherever it is named."""

from datetime import date
from decimal import Decimal

from aid.models import CareTarget, CareVisit, CharityAid, CharityDrive, DisputeCase, MediationSession, Pairing
from aid.services import aid_record_save, charity_aid_save, mediation_session_save, pairing_save
from federation.core.reporting import discover
from tests.aid.conftest import on_register, register_case
from tests.factories import PersonFactory


def test_every_record_is_named_by_whom_when_and_what(taiba, town, child, mother, own_household):
    woman = PersonFactory(village=taiba, name="吴欢", born=date(1990, 4, 2), phone="13912345678")
    entry = on_register(woman, CareTarget.Category.LEFT_BEHIND_WOMAN)
    pairing = pairing_save(pairing=Pairing(mother=mother, child=child, start=date(2024, 3, 1)))
    visit = aid_record_save(
        record=CareVisit(target=entry, visitor="王专干", date=date(2024, 3, 11), kind="visit", content="x")
    )
    call = aid_record_save(record=CareVisit(pairing=pairing, date=date(2024, 3, 12), kind="call", content="x"))
    case = register_case(taiba)
    violence = register_case(taiba, DisputeCase.Kind.DOMESTIC_VIOLENCE)
    sessions = [
        mediation_session_save(
            session=MediationSession(case=which, date=date(2024, 5, 3), mediators="孙某", content="x", result="agreed")
        )
        for which in (case, violence)
    ]
    drive = CharityDrive.objects.create(town=town, name="99公益日", kind="giving_day", start=date(2024, 9, 9))
    aid = charity_aid_save(
        aid=CharityAid(
            household=own_household, date=date(2024, 9, 9), drive="春节慰问", amount=Decimal(300), reason="x"
        )
    )
    records = (entry, pairing, visit, call, case, sessions[0], violence, sessions[1], drive, aid)
    names = [str(record) for record in records]
    assert names == [
        "吴欢（留守妇女）",
        "爱心妈妈 — 王小宝",
        "吴欢 2024-03-11 走访",
        "王小宝 2024-03-12 电话",
        case.number,
        f"{case.number} 2024-05-03 调解记录",
        violence.number,
        f"{violence.number} 调解记录",
        "99公益日（2024-09-09）",
        "太坝户主 2024-09-09 春节慰问",
    ]
    assert not any(woman.id_number in name or "13912345678" in name for name in names)


def test_the_care_visit_has_one_name():
    meta = CareVisit._meta
    assert (str(meta.verbose_name), str(meta.verbose_name_plural)) == ("关爱记录", "关爱记录")
    assert discover()["care_visits_ledger"].title() == "关爱记录"
