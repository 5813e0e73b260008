"""Scoping beyond get_queryset: raw-id labels, sidebar filters, the lookups a list accepts,
and many-to-many links the editor cannot see.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.core.models import Village
from federation.core.scoping import Scope, in_scope, is_scoped_model, scope_for, scoped_choices

# What the stock field filters and the date hierarchy put in a list's URL.
FILTER_SUFFIXES = (
    "",
    "__exact",
    "__in",
    "__isnull",
    "__isempty",
    "__gte",
    "__gt",
    "__lte",
    "__lt",
    "__year",
    "__month",
    "__day",
    "__id__exact",
    "__id__in",
)


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id widget whose label is looked up in the user's scope only."""

    def __init__(self, rel, admin_site, queryset, attrs=None, using=None):
        super().__init__(rel, admin_site, attrs=attrs, using=using)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            visible = self.queryset.filter(**{key: value}).exists()
        except (ValueError, TypeError, OverflowError):
            visible = False
        if not visible:
            return "", ""
        return super().label_and_url_for_value(value)


class HiddenLinksFormMixin:
    """Many-to-many choices offer only what the editor may see (her villages, her people);
    on a change, the links she cannot see are added back to what is saved, so that whoever
    saves the form (save_m2m or a service given cleaned_data) keeps them."""

    def clean(self):
        cleaned_data = super().clean()
        if not self.instance.pk:
            return cleaned_data
        for field in self.instance._meta.many_to_many:
            form_field = self.fields.get(field.name)
            chosen = cleaned_data.get(field.name)
            if not isinstance(form_field, forms.ModelMultipleChoiceField) or chosen is None:
                continue
            if not is_scoped_model(field.related_model):
                continue
            hidden = getattr(self.instance, field.name).exclude(pk__in=form_field.queryset.values("pk"))
            cleaned_data[field.name] = field.related_model._default_manager.filter(
                Q(pk__in=[obj.pk for obj in chosen]) | Q(pk__in=hidden.values("pk"))
            )
        return cleaned_data


def may_open_record(request, obj, admin_site) -> bool:
    """Whether the user may open `obj`'s page: its admin lets her view it and it is in her scope.
    Asked once a request for each record (an inline's rows name the same rule again and again)."""
    model = type(obj)
    answers = request.__dict__.setdefault("_may_open_record", {})
    key = (model._meta.label, obj.pk)
    if key not in answers:
        model_admin = admin_site._registry.get(model)
        answers[key] = (
            model_admin is not None
            and model_admin.has_view_or_change_permission(request, obj)
            and (
                not is_scoped_model(model)
                or in_scope(model._default_manager.filter(pk=obj.pk), scope_for(request.user)).exists()
            )
        )
    return answers[key]


def linking_where_allowed(form, request):
    """The form class, knowing its request: its read-only related records link to their page
    only for a user who may open it (Django links every one; a user page answers a clerk 403,
    another village's household 404)."""
    return type(form.__name__, (form,), {"admin_request": request})


_django_admin_url = helpers.AdminReadonlyField.get_admin_url


def _admin_url_where_allowed(self, remote_field, remote_obj):
    request = getattr(self.form, "admin_request", None)
    if request is not None and not may_open_record(request, remote_obj, self.model_admin.admin_site):
        return str(remote_obj)
    return _django_admin_url(self, remote_field, remote_obj)


# Django has no hook for it: the read-only field is built inside its Fieldline.
helpers.AdminReadonlyField.get_admin_url = _admin_url_where_allowed


def keeping_hidden_links(form):
    if any(is_scoped_model(field.related_model) for field in form._meta.model._meta.many_to_many):
        return type(form.__name__, (HiddenLinksFormMixin, form), {})
    return form


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A sidebar filter that offers only the user's villages (or other scoped rows)."""

    def field_choices(self, field, request, model_admin):
        return [(obj.pk, str(obj)) for obj in scoped_choices(field.related_model, request)]


class VillageFilter(admin.SimpleListFilter):
    """A sidebar filter by village, offering the user's villages only. A record is in the
    village its model says it reaches (`scope_q`): an honour through its person or household."""

    title = _("village")
    parameter_name = "village"

    def lookups(self, request, model_admin):
        return [(village.pk, village.name) for village in scoped_choices(Village, request)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(queryset.model.scope_q(Scope(village_ids=frozenset([self.value()]))))
