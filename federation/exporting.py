"""Exports that respect the user's villages and masking, and that Excel cannot execute."""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from import_export import resources

from federation.fields import IdNumberField, PhoneField
from federation.identity import mask_id_number, mask_phone
from federation.scoping import NOTHING, in_scope, scope_for

FULL_IDENTITY_PERMISSION = "federation.view_full_identity"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(value):
    """Make a text cell inert in Excel: prefix ' to anything that could start a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def can_see_identity(user) -> bool:
    return bool(user and user.has_perm(FULL_IDENTITY_PERMISSION))


def identity_masker(model_field):
    """Return the masking function for a model field that holds an ID number or phone."""
    if isinstance(model_field, IdNumberField):
        return mask_id_number
    if isinstance(model_field, PhoneField):
        return mask_phone
    return None


class ScopedResource(resources.ModelResource):
    """Base of every resource: scoped to the user's villages, masked, formula-safe.

    Without a user it exports nothing (the export form can build a resource with none).
    """

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.full_identity = can_see_identity(user)

    def get_queryset(self):
        queryset = super().get_queryset()
        return in_scope(queryset, scope_for(self.user) if self.user else NOTHING)

    def filter_export(self, queryset, **kwargs):
        # The admin hands over its changelist queryset; filter it again regardless.
        return in_scope(queryset, scope_for(self.user) if self.user else NOTHING)

    def _model_field(self, field):
        if not field.attribute or "__" in field.attribute:
            return None
        try:
            return self._meta.model._meta.get_field(field.attribute)
        except FieldDoesNotExist:
            return None

    def get_export_headers(self, selected_fields=None):
        headers = []
        for field in self.get_export_fields(selected_fields):
            model_field = self._model_field(field)
            if model_field is not None and field.column_name in (model_field.name, model_field.attname):
                headers.append(str(model_field.verbose_name))
            else:
                headers.append(str(field.column_name))
        return headers

    def export_field(self, field, instance, **kwargs):
        model_field = self._model_field(field)
        has_dehydrate = hasattr(self, f"dehydrate_{self.get_field_name(field)}")
        if model_field is not None and not has_dehydrate:
            if isinstance(model_field, models.ForeignKey):
                related = getattr(instance, model_field.name)
                return neutralize(str(related)) if related is not None else ""
            if model_field.choices:
                return str(getattr(instance, f"get_{model_field.name}_display")())
            masker = identity_masker(model_field)
            if masker and not self.full_identity:
                return masker(getattr(instance, model_field.attname))
        return neutralize(super().export_field(field, instance, **kwargs))
