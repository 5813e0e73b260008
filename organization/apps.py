from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = _("Organisation building")

    def ready(self):
        # Importing reports.py and resources.py registers the app's reports, binder sections
        # and rosters; the admin was imported by the admin's autodiscovery.
        from django.db.models.signals import post_save

        from federation.core.periods import PeriodRecords
        from federation.core.registry import HelpSection, registry
        from federation.models import Activity
        from organization import admin, demo, reports, resources, selectors, services  # noqa: F401
        from organization.models import Meeting, VolunteerHours

        # A submitted period holds, and an approved one locks, the meetings and the hours
        # served (a town's own, with no village, no village's period holds).
        registry.add_period_records(PeriodRecords(Meeting, date="date", village="village"))
        registry.add_period_records(PeriodRecords(VolunteerHours, date="date", village="village"))
        # The activity's page names its venue and the hours volunteers served there.
        registry.extend_admin("federation.activity", inlines=[admin.ActivityVenueInline, admin.VolunteerHoursInline])
        # The hours keep their activity's day: a changed day moves them (or is refused in a locked period).
        post_save.connect(services.hours_follow_activity, sender=Activity, dispatch_uid="organization_hours_follow")
        registry.add_work_list("organization", admin.committee_reminders)
        registry.add_demo("organization", demo.seed)
        registry.add_demo("organization_volunteers", demo.seed_volunteers)
        registry.add_help_section(
            HelpSection("organization", _("Organisation building"), ("organization.view_committee",), order=50),
            pages=("organization",),
        )
        registry.add_help_section(
            HelpSection("volunteers", _("Venues and volunteers"), ("organization.view_venue",), order=51),
            pages=(
                "organization.venue",
                "organization.volunteerteam",
                "organization.volunteer",
                "organization.volunteerhours",
            ),
        )
