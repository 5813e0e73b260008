"""The demo town: its size, its 2024 figures, its users, and a second run that changes nothing."""

from datetime import date

from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import RequestFactory

from federation.identity import parse_id_number
from federation.models import Activity, Honor, Household, Person, Village
from federation.roles import CARE_RECORDER, COUNTY_READER, HEALTH_RECORDER, TOWN_ADMIN, VILLAGE_CLERK
from federation.scoping import scope_for

YEAR_2024 = {"date__year": 2024}


def row_counts():
    """Rows of every model of the project, history included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"federation", "points", "health", "aid", "auth"}
    }


def test_seed_demo_builds_the_town_and_a_second_run_changes_nothing(db):
    call_command("seed_demo", verbosity=0)
    first = row_counts()
    call_command("seed_demo", verbosity=0)
    assert row_counts() == first

    villages = Village.objects.filter(town__name="站儿巷镇")
    assert villages.filter(kind=Village.Kind.VILLAGE).count() == 12
    assert villages.filter(kind=Village.Kind.COMMUNITY).count() == 1
    assert 1200 <= Household.objects.count() <= 1400
    assert 4800 <= Person.objects.count() <= 5600
    assert not Household.objects.filter(head__isnull=True).exists()
    for number in Person.objects.order_by("?").values_list("id_number", flat=True)[:200]:
        assert parse_id_number(number).number == number

    # The 思想引领 figures of the seed article, from the records.
    kinds = dict(Activity.objects.filter(**YEAR_2024).values_list("kind").annotate(n=Count("pk")))
    K = Activity.Kind
    assert (kinds[K.PUBLICITY], kinds[K.THEORY_STUDY], kinds[K.SEMINAR], kinds[K.TRAINING]) == (4, 8, 2, 3)
    assert kinds[K.VOLUNTEER] == 6
    legal_villages = Village.objects.filter(activities__kind=K.LEGAL_CONSULTATION, activities__date__year=2024)
    assert legal_villages.distinct().count() == 13
    totals = Activity.objects.filter(**YEAR_2024).aggregate(
        materials=Sum("materials_distributed"), consultations=Sum("consultations")
    )
    assert totals["materials"] > 800 and totals["consultations"] > 50
    volunteer = Activity.objects.filter(kind=K.VOLUNTEER, **YEAR_2024).aggregate(n=Sum("beneficiaries"))
    assert volunteer["n"] > 200
    honoured = set(Honor.objects.filter(year=2024, person__isnull=False).values_list("person_id", flat=True))
    honoured |= set(
        Honor.objects.filter(year=2024, household__isnull=False).values_list("household__head_id", flat=True)
    )
    assert len(honoured) == 18
    assert Activity.objects.exclude(**YEAR_2024).exists()  # other years, for period filters

    # The points supermarket: 142 sessions, 18,510 points, 588 people, and a clean ledger.
    from points.management.commands.points_check import mismatches
    from points.models import Redemption

    redeemed = Redemption.objects.filter(event__date__year=2024, cancelled_at__isnull=True)
    assert redeemed.values("event").distinct().count() == 142
    assert sum(redeemed.values_list("total_points", flat=True)) == 18510
    assert redeemed.values("person").distinct().count() == 588
    assert mismatches() == []

    # HPV coverage needs girls aged 9–14 at the end of 2024.
    girls = Person.objects.filter(
        sex="F", status=Person.Status.RESIDENT, birth_date__gt=date(2009, 12, 31), birth_date__lte=date(2015, 12, 31)
    )
    assert girls.count() >= 100

    # The demo users log in with the documented password, each in their role and scope.
    roles = {"town": [TOWN_ADMIN], "taiba": [VILLAGE_CLERK, HEALTH_RECORDER, CARE_RECORDER], "county": [COUNTY_READER]}
    for username in ["admin", "town", "taiba", "county"]:
        user = authenticate(RequestFactory().post("/admin/login/"), username=username, password="zhanerxiang-demo")
        assert user is not None and user.is_staff, username
        if username in roles:
            assert sorted(user.groups.values_list("name", flat=True)) == sorted(roles[username])
    taiba = authenticate(RequestFactory().post("/admin/login/"), username="taiba", password="zhanerxiang-demo")
    assert set(Village.objects.filter(pk__in=scope_for(taiba).village_ids).values_list("name", flat=True)) == {"太坝村"}
