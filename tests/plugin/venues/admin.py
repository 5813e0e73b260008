from django.contrib import admin
from django.urls import reverse

from federation.core.admin.base import ScopedModelAdmin, ScopedTabularInline
from federation.core.scoping import in_scope, scope_for
from tests.plugin.venues.models import Venue


class WithoutVolunteersFilter(admin.SimpleListFilter):
    title = "工作清单"
    parameter_name = "list"

    def lookups(self, request, model_admin):
        return [("no_volunteers", "还没有志愿者")]

    def queryset(self, request, queryset):
        if self.value() == "no_volunteers":
            return queryset.filter(volunteers__isnull=True)
        return queryset


@admin.register(Venue)
class VenueAdmin(ScopedModelAdmin):
    list_display = ["name", "village", "opened"]
    list_filter = [WithoutVolunteersFilter, "village"]
    list_select_related = ["village"]
    search_fields = ["name"]
    date_hierarchy = "opened"
    autocomplete_fields = ["volunteers"]
    fields = ["village", "name", "opened", "volunteers"]


class VenueInline(ScopedTabularInline):
    """The village's page lists its venues (added to the core's admin through the registry)."""

    model = Venue
    fields = ["name", "opened"]


def venue_reminders(request) -> list[tuple]:
    """The home page's work list: venues in the user's villages that nobody volunteers at."""
    if not request.user.has_perm("venues.view_venue"):
        return []
    venues = in_scope(Venue.objects.all(), scope_for(request.user))
    url = reverse("admin:venues_venue_changelist")
    return [("还没有志愿者的妇女之家", venues.filter(volunteers__isnull=True).count(), f"{url}?list=no_volunteers")]
