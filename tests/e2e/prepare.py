"""The browser tests' database, made in a process of its own (tests/e2e/conftest.py runs
``python -m tests.e2e.prepare`` with the server's settings and DATABASE_URL): the migrations,
the demo town (``seed_demo``, as ``make run`` loads it) and a clerk of 冯河村, a village the
demo accounts leave out, for the test that another village sees none of 太坝's records.
"""

import os

OTHER_CLERK = "fenghe"
OTHER_VILLAGE = "冯河村"


def other_village_clerk() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from federation.core.models import StaffScope, Town
    from federation.core.roles import CARE_RECORDER, HEALTH_RECORDER, VILLAGE_CLERK
    from federation.demo import DEMO_PASSWORD, TOWN

    town = Town.objects.get(name=TOWN)
    user, created = get_user_model().objects.get_or_create(
        username=OTHER_CLERK, defaults={"first_name": f"{OTHER_VILLAGE}妇联", "is_staff": True}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    # The same roles as the 太坝 clerk: she could open health and care records of her own village.
    user.groups.add(*Group.objects.filter(name__in=[VILLAGE_CLERK, HEALTH_RECORDER, CARE_RECORDER]))
    scope, _ = StaffScope.objects.get_or_create(user=user, defaults={"town": town, "town_wide": False})
    scope.villages.set([town.villages.get(name=OTHER_VILLAGE)])


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", verbosity=0)
    other_village_clerk()


if __name__ == "__main__":
    main()
