from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = _("Organisation building")

    def ready(self):
        # Importing reports.py and resources.py registers the app's reports, binder section
        # and rosters; the admin was imported by the admin's autodiscovery.
        from federation.core.periods import PeriodRecords
        from federation.core.registry import registry
        from organization.models import Meeting, VolunteerHours

        # A submitted period holds, and an approved one locks, the meetings and the hours
        # served (a town's own, with no village, no village's period holds).
        registry.add_period_records(PeriodRecords(Meeting, date="date", village="village"))
        registry.add_period_records(PeriodRecords(VolunteerHours, date="date", village="village"))

        # --- Committees, their members, meetings and delegates ---
        from federation.core.registry import HelpSection
        from organization import admin as organization_admin
        from organization import demo, reports, resources  # noqa: F401

        registry.add_work_list("organization", organization_admin.committee_reminders)
        registry.add_demo("organization", demo.seed)
        registry.add_help_section(
            HelpSection("organization", _("Organisation building"), ("organization.view_committee",), order=50),
            pages=("organization",),
        )
