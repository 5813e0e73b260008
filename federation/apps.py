from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    default = True
    name = "federation"
    verbose_name = _("Federation registry")

    def ready(self):
        from django.apps import apps

        from federation import admin_periods, help, reports, resources  # noqa: F401 - they register the core's own
        from federation.fields import guard_text_fields
        from federation.registry import project_apps, registry

        registry.add_work_list("submissions", admin_periods.returned_submissions)
        help.register_core_sections()
        self.lock_activities(registry)

        # The project's apps and the user accounts; not sessions or libraries' logs.
        models = [model for config in project_apps() for model in config.get_models()]
        User = apps.get_model("auth.User")
        guard_text_fields([*models, User])
        # Staff appear by the name the town administrator gave them (报送人 吴秀英, not taiba) on
        # every page that prints a user — lists, logs, history — and by login name without one.
        # auth.User is Django's: its __str__ is the one place every page reaches.
        User.__str__ = user_label

    @staticmethod
    def lock_activities(registry):
        from django.db.models import signals

        from federation import periods
        from federation.models import Activity

        registry.add_period_records(Activity, records=periods.ActivityRecords())
        signals.m2m_changed.connect(
            periods._villages_changed, sender=Activity.villages.through, dispatch_uid="period-activity-villages"
        )


class FederationAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "federation.sites.FederationAdminSite"


def user_label(user) -> str:
    return user.get_full_name() or user.get_username()
