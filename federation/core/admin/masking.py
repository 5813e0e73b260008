"""Masking in the admin: which columns, form fields, history rows and search paths hide an ID
number or a phone from a user without the full-identity permission.
"""

from functools import cache

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from simple_history.template_utils import HistoricalRecordContextHelper

from federation.core.exporting import identity_masker


def identity_fields(model) -> dict[str, object]:
    """Map the names of a model's ID-number and phone fields to their masking function."""
    return {
        field.name: identity_masker(field)
        for field in model._meta.concrete_fields
        if identity_masker(field) is not None
    }


@cache
def reaches_identity(model, path: str) -> bool:
    """Whether a search or lookup path ("head__id_number", "person__phone__startswith")
    reaches an ID number or a phone."""
    for name in path.lstrip("^=@").split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if identity_masker(field) is not None:
            return True
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


@cache
def masked_column(model, name):
    """A list/readonly column that shows `name` masked."""
    field = model._meta.get_field(name)
    masker = identity_masker(field)

    def column(obj):
        return masker(getattr(obj, name))

    column.short_description = field.verbose_name
    # Not sortable: the order of hidden digits would tell what they are.
    column.__name__ = name
    return column


class IdentityMaskingFormMixin:
    """Hide stored ID numbers and phones on change forms from users who may not see them.

    The field starts empty with the masked value as its placeholder; left empty, the
    stored value is kept, and a new value typed in replaces it.
    """

    masked_fields: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            return
        for name, masker in self.masked_fields.items():
            field = self.fields.get(name)
            if field is None:
                continue
            stored = getattr(self.instance, name)
            self.initial[name] = ""
            field.required = False
            field.widget.attrs["placeholder"] = masker(stored)
            field.widget.attrs["autocomplete"] = "off"
            field.help_text = _("Hidden. Leave empty to keep the stored value, or type a new one to replace it.")

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk:
            for name in self.masked_fields:
                if name in self.fields and not cleaned_data.get(name):
                    cleaned_data[name] = getattr(self.instance, name)
        return cleaned_data


class MaskingHistoryHelper(HistoricalRecordContextHelper):
    def __init__(self, model, record, *, full_identity: bool):
        super().__init__(model, record)
        self.maskers = {} if full_identity else identity_fields(model)

    def prepare_delta_change_value(self, change, value):
        masker = self.maskers.get(change.field)
        if masker is not None:
            return masker(value or "")
        return super().prepare_delta_change_value(change, value)
