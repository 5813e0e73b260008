from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from federation import demo
from federation.core import approved, periods
from federation.core.models import Village
from federation.core.registry import registry
from federation.models import Activity, Honor, Household, Person


class Command(BaseCommand):
    help = _("Load the demo town 站儿巷镇 (synthetic data, fixed seed). Running it again changes nothing.")

    def handle(self, *args, **options):
        # One transaction: all of the town or none of it (and one commit, not hundreds).
        with transaction.atomic():
            town = demo.seed()
            # A second run finds 2024 approved (locked): what it writes again changes nothing.
            with periods.unlocked():
                for seed in registry.demos.values():  # each app's part, registered in its ready()
                    seed(town)
            # The figures of the months approved (2024's and this year's) are kept by the
            # background worker (make run starts it), not while the demo loads.
            with approved.deferred():
                demo.seed_submissions(town)
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
