from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from federation.core.views import serve_protected

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path(f"{settings.PROTECTED_FILES_URL.strip('/')}/<path:path>", serve_protected, name="protected_file"),
    path("admin/", admin.site.urls),
]
