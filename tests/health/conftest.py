from datetime import date

import pytest
from django.contrib.auth.models import Group

from federation.core.roles import HEALTH_RECORDER
from health.models import HPVDose
from health.services import health_record_save
from tests.factories import PersonFactory

# An aid application's form with no file (its inline's management form).
NO_FILES = {"attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0"}


@pytest.fixture
def girl(taiba):
    """A 太坝 girl, 12 at the end of 2024."""
    return PersonFactory(village=taiba, name="王小花", born=date(2012, 3, 10))


@pytest.fixture
def woman(taiba):
    return PersonFactory(village=taiba, name="李秀英", born=date(1975, 8, 1))


@pytest.fixture
def other_woman(fenghe):
    return PersonFactory(village=fenghe, name="冯秘密", born=date(1970, 2, 2))


@pytest.fixture
def health_clerk(clerk):
    """The 太坝 clerk who also keeps health records."""
    clerk.groups.add(Group.objects.get(name=HEALTH_RECORDER))
    return clerk


def dose(person, number, day, **extra):
    values = {
        "vaccine": HPVDose.Vaccine.DOMESTIC_BIVALENT,
        "site": "镇卫生院",
        "consent_by": "王大山",
        "consent_on": day,
        **extra,
    }
    return health_record_save(record=HPVDose(person=person, dose_number=number, date=day, **values), by=None)
