from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from federation import demo
from federation.models import Activity, Honor, Household, Person, Village

# Each domain app adds its part of the demo town in its own demo.py.
APPS_WITH_DEMO = ["points", "health", "aid"]


class Command(BaseCommand):
    help = _("Load the demo town 站儿巷镇 (synthetic data, fixed seed). Running it again changes nothing.")

    def handle(self, *args, **options):
        town = demo.seed()
        for app in APPS_WITH_DEMO:
            if find_spec(f"{app}.demo"):
                import_module(f"{app}.demo").seed(town)
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            _(
                "Demo town %(town)s: %(villages)d villages, %(households)d households, "
                "%(people)d people, %(activities)d activities, %(honors)d honours."
            )
            % {
                "town": town.name,
                "villages": Village.objects.filter(town=town).count(),
                "households": Household.objects.filter(village__town=town).count(),
                "people": Person.objects.filter(village__town=town).count(),
                "activities": Activity.objects.filter(town=town).count(),
                "honors": Honor.objects.count(),
            }
        )
