from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = _("Two cancers and HPV")

    def ready(self):
        # Importing reports.py and resources.py registers the app's reports, summary rows and
        # figures, and rosters; the admin was imported by the admin's autodiscovery.
        from federation.core.periods import PeriodRecords
        from federation.core.registry import HelpSection, registry
        from health import admin, demo, reports, resources, selectors  # noqa: F401
        from health.models import HPVDose, Screening

        # A submitted period holds, and an approved one locks, the screenings and the doses.
        registry.add_period_records(PeriodRecords(Screening, date="date", village="village"))
        registry.add_period_records(PeriodRecords(HPVDose, date="date", village="village"))
        registry.add_demo("health", demo.seed)
        registry.add_work_list("health", admin.health_reminders)
        registry.add_help_section(
            HelpSection("screening", _("Two-cancer screening and aid"), ("health.view_screening",), order=60),
            pages=("health.screening", "health.canceraidapplication", "health.insurancepolicy"),
        )
        registry.add_help_section(
            HelpSection("hpv", _("HPV vaccination of girls"), ("health.view_hpvdose",), order=61),
            pages=("health.hpvgirl", "health.hpvdose"),
        )
        for name, select in selectors.PURGES.items():
            registry.add_purge(name, select)
