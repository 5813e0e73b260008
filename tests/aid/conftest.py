from datetime import date

import pytest
from django.contrib.auth.models import Group

from aid.models import CareTarget, DisputeCase
from aid.services import aid_record_save, dispute_save
from federation.core.roles import CARE_RECORDER
from tests.factories import PersonFactory

DAY = date(2024, 5, 1)
# The charity aid form's empty list of files (its inline's management form).
NO_FILES = {"attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0"}


def on_register(person, category=CareTarget.Category.LEFT_BEHIND_CHILD, since=date(2024, 1, 1)):
    return aid_record_save(record=CareTarget(person=person, category=category, since=since, guardian_name="奶奶"))


@pytest.fixture
def child(taiba):
    person = PersonFactory(village=taiba, name="王小宝", born=date(2014, 6, 1), female=False)
    on_register(person)
    return person


@pytest.fixture
def mother(taiba):
    return PersonFactory(village=taiba, name="爱心妈妈", born=date(1985, 1, 1))


@pytest.fixture
def care_clerk(clerk):
    """The 太坝 clerk who also keeps care files."""
    clerk.groups.add(Group.objects.get(name=CARE_RECORDER))
    return clerk


def register_case(village, kind=DisputeCase.Kind.MARRIAGE, parties=(), found_on=DAY):
    parties = list(parties) or [PersonFactory(village=village, name="当事人甲")]
    return dispute_save(
        case=DisputeCase(
            village=village, kind=kind, source=DisputeCase.Source.SCREENING, found_on=found_on, summary="争吵"
        ),
        parties=parties,
    )
