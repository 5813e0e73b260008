"""What a browser never sends and a probe does is a 400 or a form error, never a 500: keys that
are not keys, typed filters, numbers past a column's range.
"""

from django import forms
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import DataError
from django.utils.functional import cached_property
from django.utils.translation import gettext

from federation.core.exporting import can_see_identity


def is_key(key_field, value) -> bool:
    """Whether `value` can be a value of `key_field` (not "abc", not a number past the
    column's range): what a browser sends always is, what a probe sends may not be."""
    try:
        key_field.run_validators(key_field.to_python(value))
    except (ValidationError, TypeError):
        return False
    return True


def valid_keys(field, values) -> list:
    """The values that can be keys of the relation `field`'s related model."""
    target = field.target_field if field.many_to_one else field.related_model._meta.pk
    return [value for value in values if is_key(target, value)]


class ValidKeysModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:  # SQLite: a number past the column's range
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class ValidKeysModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        key = self.queryset.model._meta.get_field(self.to_field_name or self.queryset.model._meta.pk.name)
        for item in value if isinstance(value, list | tuple) else []:
            if not is_key(key, item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)


class ValidKeysAutocompleteMixin:
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, valid_keys(self.field, value), attr)


class ValidKeysAutocompleteSelect(ValidKeysAutocompleteMixin, AutocompleteSelect):
    pass


class ValidKeysAutocompleteSelectMultiple(ValidKeysAutocompleteMixin, AutocompleteSelectMultiple):
    pass


def narrowed_by(formfield, parent: str):
    """Make an autocomplete picker list only the records whose `parent` is the one chosen in
    the same form's `parent` picker (a redemption's 兑换人 among the chosen 家庭's members), and
    empty it when that choice changes: federation/narrow.js sends `narrow_<parent>`, which the
    site's autocomplete view applies (sites.MaskedAutocompleteJsonView)."""
    widget = getattr(formfield.widget, "widget", formfield.widget)
    widget.attrs["data-narrow-by"] = parent
    widget.__class__ = type("Narrowed" + type(widget).__name__, (NarrowedMediaMixin, type(widget)), {})
    return formfield


class NarrowedMediaMixin:
    @property
    def media(self):
        # narrow.js after the picker's own scripts, stated as one list: Media merges keep the
        # order within each list, and `media + Media(js=[narrow.js])` let a page put it before
        # jQuery's init and autocomplete.js, where it did nothing.
        return forms.Media(css=super().media._css, js=[*super().media._js, "federation/narrow.js"])


def with_picker_labels(formfield, user):
    """A picker of people or households shows each as its model's `picker_label` does (what
    tells two 吴欢 apart), the chosen one as the search results do."""
    queryset = getattr(formfield, "queryset", None)
    model = getattr(queryset, "model", None)
    if model is not None and hasattr(model, "picker_label"):
        identity = can_see_identity(user)
        formfield.queryset = queryset.select_related(*model.picker_related)
        formfield.label_from_instance = lambda obj: obj.picker_label(identity)
    return formfield


def with_valid_keys(formfield):
    """Give an autocomplete widget (inside its wrapper) the class that skips invalid keys."""
    widget = getattr(formfield, "widget", None)
    inner = getattr(widget, "widget", widget)
    for plain, safe in (
        (AutocompleteSelect, ValidKeysAutocompleteSelect),
        (AutocompleteSelectMultiple, ValidKeysAutocompleteSelectMultiple),
    ):
        if type(inner) is plain:
            inner.__class__ = safe
    return formfield


COUNT_CAP = 10_000


class AtLeast(int):
    """A count that stopped at the cap: it pages like the number and reads "10000+"."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class CappedPaginator(Paginator):
    """Counts a list's rows up to COUNT_CAP: a county's lists run to millions of rows, which a
    full count reads every time a page opens; nobody pages past the two hundredth page (they
    search or filter), and the list says "10000+"."""

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: COUNT_CAP + 1].count()  # any rows: no sort
        return AtLeast(COUNT_CAP) if counted > COUNT_CAP else counted


class ScopedChangeList(ChangeList):
    """A list whose sidebar filters cannot fail on a typed value: `?village=abc` is a wrong
    filter (Django shows the list with ?e=1), not a server error."""

    @property
    def mobile_hidden(self) -> list[str]:
        """Columns a phone leaves out: all but the admin's `mobile_columns` (its first two
        columns unless it names them)."""
        # A masked column is a function named for its field: Django's column class says so too.
        names = [getattr(item, "__name__", item) for item in self.list_display]
        names = [name for name in names if isinstance(name, str) and name != "action_checkbox"]
        keep = getattr(self.model_admin, "mobile_columns", None) or names[:2]
        return [name for name in names if name not in keep]

    def get_queryset(self, request, exclude_parameters=None):
        try:
            return super().get_queryset(request, exclude_parameters)
        except (ValueError, TypeError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        try:
            super().get_results(request)
        except (OverflowError, DataError) as error:  # a number past the column's range
            raise IncorrectLookupParameters(error) from error


class TypedInputMixin:
    """What a browser never sends and a probe does — `?village=abc`, a selection of "abc",
    a number past the column's range in a choice — is a 400 or a form error, never a server
    error. For every admin, the scoped ones and the user and group admins."""

    def get_changelist(self, request, **kwargs):
        return ScopedChangeList

    def response_action(self, request, queryset):
        if not all(is_key(self.model._meta.pk, value) for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)):
            raise BadRequest(gettext("The selection is not valid."))
        return super().response_action(request, queryset)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # Values from the URL (?household=…) for relations: only ids that are ids, or the
        # form's widgets would fail on them.
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.is_relation and field.related_model is not None:
                items = value if isinstance(value, list) else str(value).split(",")
                if valid_keys(field, items) != items:
                    del initial[name]
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", ValidKeysModelChoiceField)
        return with_valid_keys(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", ValidKeysModelMultipleChoiceField)
        return with_valid_keys(super().formfield_for_manytomany(db_field, request, **kwargs))
