"""Search in the admin: Django's search, with each path through a foreign key asked of the
related table first (`household__head__name` becomes `household IN (the households whose
head is one of the people so named)`, and a household's `members__name` becomes `id IN (the
households of the people so named)`).

Django joins every searched relation into the list's query and ORs across the joins, so that
a search of a county's ledger joined five million lines to their households and people before
it could filter any. Asked first, the related table answers from its own (trigram) index, and
the list filters on a short list of keys, which its foreign-key index serves. A term that
matches too many to list (a common surname) stays a subquery: its rows are so many that the
list's first page fills at once.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.admin.utils import lookup_spawns_duplicates
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.text import smart_split, unescape_string_literal

from federation.core.admin.masking import reaches_identity

PREFIXES = {"^": "istartswith", "=": "iexact", "@": "search"}
LISTED_KEYS = 10_000


def search_lookup(model, name: str) -> str:
    """The ORM lookup of a search field, as Django's admin builds it; except that an exact
    search of an ID number or a phone is `exact` (they are kept in one spelling, upper case:
    it uses their index, where UPPER(…) = UPPER(…) reads every row)."""
    if name[:1] in PREFIXES:
        path, lookup = name[1:], PREFIXES[name[0]]
        if lookup == "iexact" and reaches_identity(model, path):
            lookup = "exact"
        return f"{path}__{lookup}"
    opts, previous = model._meta, None
    for part in name.split("__"):
        try:
            previous = opts.get_field(part)
        except FieldDoesNotExist:
            if previous is not None and previous.get_lookup(part):
                return name  # it names its lookup
            break
        if previous.is_relation and previous.related_model is not None:
            opts = previous.related_model._meta
    return f"{name}__icontains"


def as_subqueries(model, lookup: str, value) -> Q:
    """`lookup=value`, with a path through a foreign key asked of the related table first: a
    forward one (a line's household: the households that match), or a backward one (a
    household's members: the households of the members that match)."""
    field = _asked_first(model, lookup)
    if field is None:
        return Q(**{lookup: value})
    name, _, rest = lookup.partition("__")
    related = field.related_model
    matches = related._base_manager.filter(as_subqueries(related, rest, value)).order_by()
    if field.one_to_many:  # the keys the matching members point at (not at none), each once
        key, column = "pk", field.field.attname
        matches = matches.filter(**{f"{column}__isnull": False}).values(column).distinct()
    else:
        key, column = name, "pk"
        matches = matches.values(column)
    asked, memo = (related, column, rest, value), _asked.get()
    if memo is not None and asked in memo:
        keys = memo[asked]
    else:
        keys = list(matches.values_list(column, flat=True)[: LISTED_KEYS + 1])
        if memo is not None:
            memo[asked] = keys
    return Q(**{f"{key}__in": keys if len(keys) <= LISTED_KEYS else matches})


# The keys already asked of a table for a path and a term, while `remembering` (the one search
# of federation.core.search asks the people of a name for a dozen kinds of records).
_asked: ContextVar[dict | None] = ContextVar("search_keys_asked", default=None)


@contextmanager
def remembering():
    """Within it, each table is asked once for a path and a term, whichever list asks it."""
    token = _asked.set({})
    try:
        yield
    finally:
        _asked.reset(token)


def _asked_first(model, lookup: str):
    """The foreign key (forward, or backward from the model it points at) that `lookup`
    starts with and that as_subqueries asks of its table first; None if it starts otherwise."""
    name, _, rest = lookup.partition("__")
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    forward = field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)
    backward = field.one_to_many and field.auto_created and not field.concrete
    if not (forward or backward) or not _names_a_field(field.related_model, rest):
        return None
    return field


def _names_a_field(model, path: str) -> bool:
    try:
        model._meta.get_field(path.split("__")[0])
    except FieldDoesNotExist:
        return False
    return True


def search(model_admin, request, queryset, search_term):
    """What ModelAdmin.get_search_results does, with related paths as subqueries."""
    fields = model_admin.get_search_fields(request)
    if not (fields and search_term):
        return queryset, False
    lookups = [search_lookup(model_admin.model, str(field)) for field in fields]
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        model = model_admin.model
        exact_identity = [lookup.endswith("__exact") and reaches_identity(model, lookup) for lookup in lookups]
        terms.append(
            Q.create(
                [
                    as_subqueries(model, lookup, bit.upper() if upper else bit)
                    for lookup, upper in zip(lookups, exact_identity, strict=True)
                ],
                connector=Q.OR,
            )
        )
    # A backward path asked first is a list of keys of the model itself: it adds no row.
    duplicates = any(
        lookup_spawns_duplicates(model_admin.opts, lookup)
        for lookup in lookups
        if _asked_first(model_admin.model, lookup) is None
    )
    return queryset.filter(Q.create(terms)), duplicates
