"""The demo town's venues: 太坝村's, opened in 2024 with two volunteers, and 冯河村's, opened
in 2023 and still without one. A second run changes nothing."""

from datetime import date

from federation.core.models import Town
from federation.models import Person
from tests.plugin.venues.models import Venue

VENUES = [("太坝村", "太坝村妇女之家", date(2024, 3, 8), 2), ("冯河村", "冯河村妇女之家", date(2023, 6, 1), 0)]


def seed(town: Town) -> None:
    for village_name, name, opened, volunteers in VENUES:
        village = town.villages.get(name=village_name)
        venue, _created = Venue.objects.get_or_create(village=village, name=name, defaults={"opened": opened})
        women = Person.objects.filter(village=village, sex=Person.Sex.FEMALE, status=Person.Status.RESIDENT)
        venue.volunteers.add(*women.filter(birth_date__year__lte=1990).order_by("id_number")[:volunteers])
