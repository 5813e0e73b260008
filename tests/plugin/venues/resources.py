"""The people roster's 妇女之家 column: the venue a person volunteers at, recorded once the
roster has written the people."""

from federation.core.importing import Column, RosterExtension, TextWidget, among
from federation.core.scoping import in_scope
from federation.models import Person
from tests.plugin.venues.models import Venue


def add_volunteers(pairs: list[tuple[str, int]]) -> None:
    """(ID number, venue id): put each person on the venue's volunteers (once)."""
    numbers = [number for number, _venue in pairs]
    people = dict(Person.objects.filter(among("id_number", numbers)).values_list("id_number", "pk"))
    for venue in Venue.objects.filter(pk__in={venue_id for _number, venue_id in pairs}):
        venue.volunteers.add(*(people[number] for number, venue_id in pairs if venue_id == venue.pk))


class VenueColumn(RosterExtension):
    columns = {"venue": Column("venue", "妇女之家", TextWidget(max_length=50), aliases=["志愿服务的妇女之家"])}

    @staticmethod
    def sees_venues(resource) -> bool:
        return resource.user is None or resource.user.has_perm("venues.view_venue")

    def filter_export(self, resource, queryset):
        return queryset.prefetch_related("venues") if self.sees_venues(resource) else queryset

    def dehydrate(self, resource, name, person):
        if not self.sees_venues(resource):
            return ""
        return "、".join(venue.name for venue in person.venues.all())

    def plan(self, resource, rows, plan):
        named = {row.values["venue"] for row, _idn in rows if row.values.get("venue")}
        if not named:
            return
        found = dict(in_scope(Venue.objects.filter(name__in=named), resource.scope).values_list("name", "pk"))
        may = resource.user is None or resource.user.has_perm("venues.change_venue")
        pairs = []
        for row, idn in rows:
            name = row.values.get("venue")
            if not name:
                continue
            if not may:
                resource.error(row, "venue", "您不能登记妇女之家的志愿者。")
            elif name not in found:
                resource.error(row, "venue", f"您的村(社区)里没有妇女之家“{name}”。")
            else:
                pairs.append((idn.number, found[name]))
        if pairs:
            plan.after.append(lambda user, reason: add_volunteers(pairs))
