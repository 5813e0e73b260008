"""Which villages a user may see: the one place that decides it.

Every admin, autocomplete, export, import and report filters through `scope_for(user)`
and `in_scope(queryset, scope)`. A model says once how it reaches a village: by setting
`scope_village_path` (e.g. "household__village") or by overriding `scope_q`. A record that
keeps the village it was written in (a ledger line, a screening) names that column in
`count_village_path` as well: figures count it there (`counted_in`), and who may see it still
follows where the household or the woman is now.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet

from federation.core.models import StaffScope, Village
from federation.core.registry import registry


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    town_ids: frozenset[int] = frozenset()  # towns the user sees whole (town-wide records)
    village_ids: frozenset[int] = frozenset()  # every village the user sees
    # Count only records of approved periods where their town says so (a county reader's figures).
    approved_only: bool = False

    @classmethod
    def of_villages(cls, village_ids) -> "Scope":
        """The scope of these villages alone (their towns' town-wide records left out)."""
        return cls(village_ids=frozenset(village_ids))

    @cached_property  # asked by every town-or-village record's scope on a page: read once
    def visible_town_ids(self) -> frozenset[int]:
        if not self.village_ids:
            return self.town_ids
        towns = Village.objects.filter(pk__in=self.village_ids).values_list("town_id", flat=True)
        return self.town_ids | frozenset(towns)

    def covers_town(self, town_id: int | None) -> bool:
        return self.everything or town_id in self.town_ids

    def keeps_village(self, village_id: int | None) -> bool:
        """Whether the user keeps the village's records (a check in memory, no query)."""
        return self.everything or village_id in self.village_ids


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def scope_for(user) -> Scope:
    """Return the user's scope, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_federation_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = EVERYTHING
    else:
        staff_scope = StaffScope.objects.filter(user=user).first()
        if staff_scope is None:
            scope = NOTHING
        elif staff_scope.town_wide:
            village_ids = Village.objects.filter(town_id=staff_scope.town_id).values_list("pk", flat=True)
            scope = Scope(town_ids=frozenset([staff_scope.town_id]), village_ids=frozenset(village_ids))
        else:
            village_ids = staff_scope.villages.filter(town_id=staff_scope.town_id).values_list("pk", flat=True)
            scope = Scope(village_ids=frozenset(village_ids))
    user._federation_scope = scope
    return scope


def is_scoped_model(model) -> bool:
    return hasattr(model, "scope_q")


def in_scope(queryset: QuerySet, scope: Scope) -> QuerySet:
    """Filter any scoped model's queryset to what the scope may see."""
    if scope.everything:
        return queryset
    if not scope.village_ids and not scope.town_ids:
        return queryset.none()
    return queryset.filter(queryset.model.scope_q(scope))


def counted_in(queryset: QuerySet, scope: Scope) -> QuerySet:
    """Filter any scoped model's queryset to what counts in the scope's villages (and towns):
    the one way reports, figures and work lists pick their records."""
    model = queryset.model
    if scope.approved_only:
        records = registry.period_records.get(model)
        if records is not None:
            queryset = queryset.filter(records.approved_q())
    path = getattr(model, "count_village_path", None)
    if path is None:
        return in_scope(queryset, scope)
    if scope.everything:
        return queryset
    return queryset.filter(**{f"{path}__in": scope.village_ids})


def village_path(model) -> str:
    """The path from `model` to the village its records count in: what per-village tables group on."""
    return getattr(model, "count_village_path", None) or model.scope_village_path


def scoped_choices(model, request):
    """The rows of `model` the user may pick in a form."""
    queryset = model._default_manager.all()
    if is_scoped_model(model):
        queryset = in_scope(queryset, scope_for(request.user))
    return queryset
