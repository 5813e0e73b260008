"""Which village a name in a roster (or on the command line) means.

Villages are written with or without their 村 / 社区 suffix, but two villages of a town
may differ only by it (站儿巷村 and 站儿巷社区): the exact name wins, a name without its
suffix counts only when it names exactly one village, and anything else is an error that
says which villages there are.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

from federation.core.models import Village
from federation.core.scoping import Scope, in_scope

SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "村")


class VillageError(ValueError):
    """The name names no village, several, or one outside the user's scope."""


def village_name_key(name: object) -> str:
    """The name as written, without spaces, full-width forms or case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name or ""))).lower()


def village_key(name: object) -> str:
    """The name without its 村 / 社区 suffix."""
    key = village_name_key(name)
    for suffix in SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


class Villages:
    """The villages to match names against (of the user's towns), and those in her scope."""

    def __init__(self, all_villages, scoped=None):
        self.all = list(all_villages)
        self.scoped = self.all if scoped is None else list(scoped)
        self.scoped_ids = {village.pk for village in self.scoped}
        self.several_towns = len({village.town_id for village in self.all}) > 1
        self.exact: dict[str, list] = {}
        self.loose: dict[str, list] = {}
        for village in self.all:
            self.exact.setdefault(village_name_key(village.name), []).append(village)
            self.loose.setdefault(village_key(village.name), []).append(village)

    @classmethod
    def for_scope(cls, scope: Scope) -> "Villages":
        villages = Village.objects.select_related("town")
        every = villages if scope.everything else villages.filter(town_id__in=scope.visible_town_ids)
        return cls(every, in_scope(villages, scope))

    def label(self, village) -> str:
        return f"{village.town.name}{village.name}" if self.several_towns else village.name

    def match(self, value: object):
        """The village `value` names, in the user's scope, or VillageError saying why not."""
        written = village_name_key(value)
        candidates = self.exact.get(written) or self.loose.get(village_key(value)) or []
        if not candidates:
            raise VillageError(
                _("The town has no village “%(value)s”. Its villages and communities are: %(villages)s.")
                % {"value": value, "villages": "、".join(village.name for village in self.all)}
            )
        if len(candidates) > 1:
            raise VillageError(
                _("“%(value)s” may mean %(candidates)s; write the full name.")
                % {"value": value, "candidates": "、".join(self.label(village) for village in candidates)}
            )
        village = candidates[0]
        if village.pk not in self.scoped_ids:
            raise VillageError(_("The village “%(value)s” is not one of your villages.") % {"value": value})
        return village
