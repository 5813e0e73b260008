from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "tests.plugin.venues"
    label = "venues"
    verbose_name = "妇女之家"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # As every app does: importing reports.py and resources.py registers the report, the
        # summary row and its figure, and the column added to the people roster.
        from federation.core.registry import registry
        from tests.plugin.venues import admin, demo, reports, resources  # noqa: F401

        registry.add_demo("venues", demo.seed)
        registry.add_work_list("venues", admin.venue_reminders)
        registry.extend_roster("people", resources.VenueColumn())
        registry.extend_admin("federation.village", inlines=[admin.VenueInline])
