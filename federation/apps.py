from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    default = True
    name = "federation"
    verbose_name = _("Federation registry")

    def ready(self):
        from django.apps import apps
        from django.conf import settings

        from federation.fields import guard_text_fields

        # The project's apps and the user accounts; not sessions or libraries' logs.
        ours = [config for config in apps.get_app_configs() if config.path.startswith(str(settings.BASE_DIR))]
        guard_text_fields([model for config in ours for model in config.get_models()] + [apps.get_model("auth.User")])


class FederationAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "federation.sites.FederationAdminSite"
