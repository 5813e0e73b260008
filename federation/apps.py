from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    default = True
    name = "federation"
    verbose_name = _("Federation registry")


class FederationAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "federation.sites.FederationAdminSite"
