from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from federation.core.roles import COUNTY_READER, TOWN_ADMIN, VILLAGE_CLERK
from federation.resources import PeopleResource
from points.models import PointRule
from tests.factories import HouseholdFactory, PersonFactory, TownFactory, UserFactory, VillageFactory, give_scope

DATA = Path(__file__).resolve().parent / "data"


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres need PostgreSQL's concurrency; the SQLite run deselects them
    (CI runs the suite on both databases)."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    selected = [item for item in items if "postgres" not in item.keywords]
    deselected = [item for item in items if "postgres" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Uploads of the tests (and the demo's claim photos) go to a folder of the run, never to
    the checkout's media folder."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="module")
def demo_town(django_db_setup, django_db_blocker):
    """The demo town, seeded once for a module (~20 s; seeding it for each test made the suite
    minutes longer) in a transaction rolled back at the module's end. Each test runs in a
    savepoint inside it (pytest-django's `db`), so what a test writes is gone for the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def town(db):
    return TownFactory()


@pytest.fixture
def taiba(town):
    return VillageFactory(town=town, name="太坝村", sort_order=2)


@pytest.fixture
def fenghe(town):
    """Another village of the town: the 太坝 clerk must never see it."""
    return VillageFactory(town=town, name="冯河村", sort_order=3)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def town_admin(town):
    user = UserFactory(username="town", role=TOWN_ADMIN)
    give_scope(user, town, town_wide=True)
    return user


@pytest.fixture
def clerk(town, taiba):
    user = UserFactory(username="taiba", role=VILLAGE_CLERK)
    give_scope(user, town, villages=[taiba])
    return user


@pytest.fixture
def county_reader(town):
    user = UserFactory(username="county", role=COUNTY_READER)
    give_scope(user, town, town_wide=True)
    return user


@pytest.fixture
def client_for(client):
    """Log a user in and return the client."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def no_history_middleware(settings):
    """Without simple_history's request middleware a history row names only the user a
    service put on the record: the admin tests that use it check that the admin passed it."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("HistoryRequestMiddleware")]


@pytest.fixture
def other_household(fenghe):
    household = HouseholdFactory(village=fenghe, number="FH-001", address="冯河村三组")
    head = PersonFactory(village=fenghe, household=household, name="冯秘密", phone="13912345678")
    household.head = head
    household.save()
    return household


@pytest.fixture
def own_household(taiba):
    household = HouseholdFactory(village=taiba, number="TB-001")
    head = PersonFactory(village=taiba, household=household, name="太坝户主")
    household.head = head
    household.save()
    return household


@pytest.fixture
def people(taiba, fenghe):
    """(The roster tests') the four people of tests/data/make_files.py, imported from their roster."""
    report = PeopleResource().import_file((DATA / "people_utf8.csv").read_bytes(), "people_utf8.csv", dry_run=False)
    assert report.errors == [] and report.new == 4


@pytest.fixture
def yard(town):
    return PointRule.objects.create(
        town=town, category=PointRule.Category.SANITATION, description="庭院干净整洁", points=10
    )
