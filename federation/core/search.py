"""One search for the whole workbench: the box in every page's header
(admin/federation/search_box.html) and its page of results, grouped by kind of record.

It asks each registered admin that the user may view and that declares search_fields, with
the admin's own `get_queryset` (her villages) and `get_search_results` (its paths; ID numbers
and phones matched whole for a user who sees them masked): what she finds of a kind is what
that kind's list finds her, at most PER_KIND of it, with a link to the list searched for the
rest. A record its model hides from her (`hidden_from(user)`: a domestic-violence case without
its permission) is not listed: its page would not open. The core names no app: an app's
records are found because its admin is registered. Audit logs are left out: they are not
records a clerk looks for by a name.

It reads and writes nothing else: no history, no access log (opening a record from it is
logged by the record's page, as from its list).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.admin.utils import quote
from django.db.models import Exists, OuterRef
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst, smart_split
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from federation.core.admin.search import remembering
from federation.core.exporting import can_see_identity
from federation.core.models import AuditRecord

# What is searched of what was typed: a name, an ID number, a household or case number, a few
# words. Each word asks every searched path of every kind, so their number is capped too.
MAX_LENGTH = 100
MAX_WORDS = 4
PER_KIND = 10
# The kinds an admin puts first (`search_rank`: people 0, households 1), then the others in the
# order their admins were registered.
LATER = 100


@dataclass
class Kind:
    """The records of one kind that a search found: (change page, text) each, and the list
    searched when it holds more than these."""

    title: str
    rows: list[tuple[str, str]]
    more: str = ""


def search_term(typed: str) -> str:
    """What is searched of what was typed: its first MAX_LENGTH characters, MAX_WORDS words."""
    words = list(smart_split(typed[:MAX_LENGTH].strip()))
    return " ".join(words[:MAX_WORDS])


def searchable(site, request) -> list:
    """The admins of `site` whose lists the user may open and search, people and households first."""
    found = [
        model_admin
        for model, model_admin in site._registry.items()
        if not issubclass(model, AuditRecord)
        and model_admin.has_view_or_change_permission(request)
        and model_admin.get_search_fields(request)
    ]
    return sorted(found, key=lambda model_admin: getattr(model_admin, "search_rank", LATER))


def find(site, model_admin, request, term: str) -> Kind | None:
    """The records of `model_admin`'s kind that its list would find for `term`, as its list
    orders them: PER_KIND of them, and the list searched if there are more."""
    model, opts = model_admin.model, model_admin.model._meta
    root = model_admin.get_queryset(request)
    found, duplicates = model_admin.get_search_results(request, root, term)
    if duplicates:  # as Django's ChangeList does
        found = root.filter(Exists(found.filter(pk=OuterRef("pk"))))
    ordering = [*(model_admin.get_ordering(request) or opts.ordering or ()), "-pk"]
    people = _people_of(model)
    related = [*_select_related(model_admin), *getattr(model, "picker_related", ())]
    for field in people:
        related += [field.name, *(f"{field.name}__{path}" for path in field.related_model.picker_related)]
    records = list(found.order_by(*ordering).select_related(*related)[: PER_KIND + 1])
    identity = can_see_identity(request.user)
    rows = [
        (
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(record.pk)], current_app=site.name),
            _text(model_admin, record, people, identity),
        )
        for record in records[:PER_KIND]
        if not (hasattr(record, "hidden_from") and record.hidden_from(request.user))
    ]
    more = ""
    if len(records) > PER_KIND:
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=site.name)
        more = f"{changelist}?{urlencode({'q': term})}"
    if not rows and not more:
        return None
    return Kind(str(capfirst(opts.verbose_name_plural)), rows, more)


def _select_related(model_admin) -> list[str]:
    paths = model_admin.list_select_related
    return list(paths) if isinstance(paths, list | tuple) else []


def _people_of(model) -> list:
    """The foreign keys of a record to whom it is about: people or households, which tell
    apart themselves (`picker_label`)."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation
        and (field.many_to_one or field.one_to_one)
        and hasattr(field.related_model, "picker_label")
    ]


def _text(model_admin, record, people, identity: bool) -> str:
    """What tells the record apart: a person or household as its pickers show it (birth year,
    group, household and head; the ID number only to whom may see it); another record by its
    name, whom it is about and its date."""
    if hasattr(record, "picker_label"):
        return record.picker_label(identity)
    parts = [str(record)]
    whom = next((getattr(record, field.name) for field in people if getattr(record, field.attname)), None)
    if whom is not None:
        parts.append(whom.picker_label(identity))
    day = getattr(record, model_admin.date_hierarchy, None) if model_admin.date_hierarchy else None
    if isinstance(day, datetime):
        day = timezone.localtime(day).date()
    if isinstance(day, date):
        parts.append(day.isoformat())
    return " · ".join(parts)


def search_view(request, site):
    """The results page: GET only, staff only (the site's admin_view)."""
    typed = request.GET.get("q", "")
    term = search_term(typed)
    kinds = []
    if term:
        with remembering():
            found = (find(site, model_admin, request, term) for model_admin in searchable(site, request))
            kinds = [kind for kind in found if kind is not None]
    context = {
        **site.each_context(request),
        "title": _("Found for “%(term)s”") % {"term": term} if term else pgettext("site search", "Search"),
        "site_search_term": term,
        "shortened": term != typed.strip(),
        "kinds": kinds,
        "max_length": MAX_LENGTH,
        "max_words": MAX_WORDS,
    }
    return TemplateResponse(request, "admin/federation/search.html", context)
