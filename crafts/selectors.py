"""The counted sets of 巾帼建功, in one place: the admin, the reports and the demo's checks use
them. Each takes a scope (a user's, or the villages a report was asked for) and picks
records through `counted_in`."""

from datetime import date

from django.db.models import QuerySet

from crafts.models import CraftSale, Craftswoman
from federation.core.scoping import Scope, counted_in
from federation.models import Activity, Person
from federation.selectors import activities_in, activity_villages_in


def craftswomen(scope: Scope) -> QuerySet:
    """The register in the scope's villages (where each woman lives now)."""
    return counted_in(Craftswoman.objects.all(), scope)


def craftswomen_on(scope: Scope, day: date) -> QuerySet:
    """Those on the register on `day`: joined by then."""
    return craftswomen(scope).filter(joined_on__lte=day)


def sales_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Sales dated in the period, in the villages they were recorded in."""
    return counted_in(CraftSale.objects.all(), scope).filter(date__range=(start, end))


def trainings_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Craft-skills trainings held in the period in the scope's villages (and its towns'
    town-wide ones)."""
    return activities_in(scope, start, end).filter(kind=Activity.Kind.CRAFT_TRAINING)


def training_villages_in(scope: Scope, start: date, end: date) -> QuerySet:
    """(training, village) links of the period's craft-skills trainings in the scope's
    villages: a training of several villages is held in each."""
    return activity_villages_in(scope, start, end).filter(activity__kind=Activity.Kind.CRAFT_TRAINING)


def attendance_in(scope: Scope, start: date, end: date) -> QuerySet:
    """(craftswoman, training) links of the scope's craftswomen to trainings held in the
    period, wherever the training was held."""
    return Craftswoman.trainings.through.objects.filter(
        activity__kind=Activity.Kind.CRAFT_TRAINING,
        activity__date__range=(start, end),
        craftswoman__in=craftswomen(scope).values("pk"),
    )


# What `manage.py purge` removes of the register (federation.retention): the entries and
# sales of the people being removed, which are theirs alone.
def purgeable_sales(cutoff: date, people: QuerySet[Person]) -> QuerySet:
    return CraftSale.objects.filter(craftswoman__person__in=people)


def purgeable_craftswomen(cutoff: date, people: QuerySet[Person]) -> QuerySet:
    return Craftswoman.objects.filter(person__in=people)
