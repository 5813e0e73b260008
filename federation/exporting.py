"""Exports that respect the user's villages and masking, and that Excel cannot execute."""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from import_export import resources
from import_export.declarative import ModelDeclarativeMetaclass
from import_export.fields import Field

from federation.fields import CONTROL_CHARACTERS, IdNumberField, PhoneField
from federation.identity import mask_id_number, mask_phone
from federation.scoping import NOTHING, in_scope, scope_for

FULL_IDENTITY_PERMISSION = "federation.view_full_identity"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(value):
    """Make a text cell inert in Excel: prefix ' to anything that could start a formula, and
    drop the control characters that an .xlsx cannot hold (older data may still have them)."""
    if isinstance(value, str):
        value = CONTROL_CHARACTERS.sub("", value)
        if value.startswith(_FORMULA_STARTS):
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


def is_internal(model_field) -> bool:
    """A machine's identifier that nobody reads: the automatic primary key and any UUID
    (a form's double-submit token, say).

    `editable=False` is no such mark: it also guards what people read and only services
    write (a status, a balance, a case number, a birth date taken from the ID number)."""
    if isinstance(model_field, models.UUIDField):
        return True
    return bool(model_field.primary_key and model_field.auto_created)


class ScopedResourceMetaclass(ModelDeclarativeMetaclass):
    """Leaves internal fields out of the columns a resource takes from its model, so that
    no export (and no export form's column list) offers them. A resource still gets one by
    declaring it, or by naming it in `Meta.fields`."""

    def __new__(cls, name, bases, attrs):
        # Declared here, or kept by a base resource already.
        declared = {key for key, value in attrs.items() if isinstance(value, Field)}
        declared.update(key for base in bases for key in getattr(base, "fields", {}))
        new_class = super().__new__(cls, name, bases, attrs)
        model = new_class._meta.model
        if model is None:
            return new_class
        named = set(new_class._meta.fields or ())
        for key, field in list(new_class.fields.items()):
            if key in declared or key in named or not field.attribute or "__" in field.attribute:
                continue
            try:
                model_field = model._meta.get_field(field.attribute)
            except FieldDoesNotExist:
                continue
            if is_internal(model_field):
                del new_class.fields[key]
        return new_class


class ScopedResource(resources.ModelResource, metaclass=ScopedResourceMetaclass):
    """Base of every resource: scoped to the user's villages, masked, formula-safe, and
    without internal columns (see `is_internal`).

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
