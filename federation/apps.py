from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    default = True
    name = "federation"
    verbose_name = _("Federation registry")

    def ready(self):
        # Imported here, as Django requires, once every app's models are loaded. Importing
        # them registers the core's own report, help and work list, and the federation's
        # reports and rosters.
        from django.contrib.auth import get_user_model
        from django.db.models import signals

        from federation import reports, resources, services  # noqa: F401 - they register their reports and rosters
        from federation.core import help, summary  # noqa: F401 - the annual summary registers itself
        from federation.core.admin import audit  # noqa: F401 - registers the audit lists' admins
        from federation.core.admin import glass as admin_glass
        from federation.core.admin import periods as admin_periods
        from federation.core.fields import guard_text_fields
        from federation.core.registry import project_apps, registry
        from federation.models import Activity

        registry.add_work_list("submissions", admin_periods.returned_submissions)
        registry.add_work_list("glass", admin_glass.glass_reminders)
        help.register_core_sections()
        registry.add_period_records(services.ActivityRecords())
        signals.m2m_changed.connect(
            services.activity_villages_changed,
            sender=Activity.villages.through,
            dispatch_uid="period-activity-villages",
        )

        # The project's apps and the user accounts; not sessions or libraries' logs.
        models = [model for config in project_apps() for model in config.get_models()]
        User = get_user_model()
        guard_text_fields([*models, User])
        # Staff appear by the name the town administrator gave them (报送人 吴秀英, not taiba) on
        # every page that prints a user — lists, logs, history — and by login name without one.
        # auth.User is Django's: its __str__ is the one place every page reaches.
        User.__str__ = user_label


class FederationAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "federation.core.sites.FederationAdminSite"


def user_label(user) -> str:
    return user.get_full_name() or user.get_username()
