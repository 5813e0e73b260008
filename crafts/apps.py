from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CraftsConfig(AppConfig):
    name = "crafts"
    verbose_name = _("Women's achievements")

    def ready(self):
        # Importing reports.py and resources.py registers the app's reports, binder section
        # and rosters; the admin was imported by the admin's autodiscovery.
        from crafts import demo, reports, resources, selectors  # noqa: F401
        from crafts.models import CraftSale
        from federation.core.periods import PeriodRecords
        from federation.core.registry import registry

        # A submitted period holds, and an approved one locks, the sales.
        registry.add_period_records(PeriodRecords(CraftSale, date="date", village="village"))
        registry.add_demo("crafts", demo.seed)
        registry.add_help_pages("activities", "crafts")  # the manual's 活动和表彰 tells of it
        # Sales before their craftswomen: a sale keeps its craftswoman (PROTECT).
        registry.add_purge("crafts.craftsale", selectors.purgeable_sales)
        registry.add_purge("crafts.craftswoman", selectors.purgeable_craftswomen)
