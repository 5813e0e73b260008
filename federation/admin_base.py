"""The one scoped admin base that every admin of every app inherits.

Scoping `get_queryset` alone leaks (see shared/NOTES.md): this base also limits FK and
M2M choices (so a POSTed id of another village is a form error), raw-id labels,
change/delete/history pages (404), history rows and exports. It also masks ID numbers and
phones for users without the full-identity permission, in lists, forms, history and exports.
"""

from functools import cache

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple, ForeignKeyRawIdWidget
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.db import DataError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from federation.exporting import ScopedResource, can_see_identity, identity_masker
from federation.importing.views import RosterImportMixin
from federation.models import RecordAccess, ReportLog, Village
from federation.scoping import in_scope, is_scoped_model, scope_for, scoped_choices

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


def keeping_hidden_links(form):
    if any(is_scoped_model(field.related_model) for field in form._meta.model._meta.many_to_many):
        return type(form.__name__, (HiddenLinksFormMixin, form), {})
    return form


class MaskingHistoryHelper(HistoricalRecordContextHelper):
    def __init__(self, model, record, *, full_identity: bool):
        super().__init__(model, record)
        self.maskers = {} if full_identity else identity_fields(model)

    def prepare_delta_change_value(self, change, value):
        masker = self.maskers.get(change.field)
        if masker is not None:
            return masker(value or "")
        return super().prepare_delta_change_value(change, value)


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A sidebar filter that offers only the user's villages (or other scoped rows)."""

    def field_choices(self, field, request, model_admin):
        return [(obj.pk, str(obj)) for obj in scoped_choices(field.related_model, request)]


@cache
def village_filter(path: str):
    """A sidebar filter by village for records that reach it through `path`
    (e.g. "person__village"), offering the user's villages only."""

    class VillageFilter(admin.SimpleListFilter):
        title = _("village")
        parameter_name = "village"

        def lookups(self, request, model_admin):
            return [(village.pk, village.name) for village in scoped_choices(Village, request)]

        def queryset(self, request, queryset):
            return queryset.filter(**{path: self.value()}) if self.value() else queryset

    return VillageFilter


class ScopedChangeList(ChangeList):
    """A list whose sidebar filters cannot fail on a typed value: `?village=abc` is a wrong
    filter (Django shows the list with ?e=1), not a server error."""

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


class ScopedAdminMixin(TypedInputMixin):
    """Scoping and masking shared by model admins and inlines."""

    def get_queryset(self, request):
        return in_scope(super().get_queryset(request), scope_for(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if is_scoped_model(related) and "queryset" not in kwargs:
            kwargs["queryset"] = scoped_choices(related, request)
            if db_field.name in self.raw_id_fields:
                kwargs["widget"] = ScopedRawIdWidget(
                    db_field.remote_field, self.admin_site, kwargs["queryset"], using=kwargs.get("using")
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if is_scoped_model(related) and "queryset" not in kwargs:
            kwargs["queryset"] = scoped_choices(related, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        # Inlines keep what their editor cannot see, as model forms do (get_form).
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = keeping_hidden_links(formset.form)
        return formset

    def mask_columns(self, request, names):
        if can_see_identity(request.user):
            return names
        masked = identity_fields(self.model)
        return [masked_column(self.model, name) if name in masked else name for name in names]

    def get_readonly_fields(self, request, obj=None):
        return self.mask_columns(request, super().get_readonly_fields(request, obj))

    def get_form_masks(self, request) -> dict:
        return {} if can_see_identity(request.user) else identity_fields(self.model)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if can_see_identity(request.user):
            return fields
        # Partial searches would let a user recover a hidden number digit by digit, through
        # a relation (head__id_number) as well as on the model itself; lists and autocomplete
        # both search through here.
        return [f"={name.lstrip('^=@')}" if reaches_identity(self.model, name) else name for name in fields]


class ExportForm(SelectableFieldsExportForm):
    """The export form, with the columns named as the user knows them."""

    def _get_field_label(self, resource, field_name):
        try:
            return str(resource._meta.model._meta.get_field(field_name).verbose_name)
        except FieldDoesNotExist:
            return str(resource.fields[field_name].column_name)


class ScopedModelAdmin(ScopedAdminMixin, RosterImportMixin, ExportMixin, SimpleHistoryAdmin):
    """Base of every ModelAdmin: village scope, masking, history, import and export."""

    import_export_change_list_template = "admin/federation/change_list.html"
    change_form_template = "admin/federation/change_form.html"
    export_form_class = ExportForm
    formats = [CSV, XLSX]
    to_encoding = "utf-8-sig"  # so Excel on a Chinese Windows PC reads the CSV as UTF-8
    resource_classes = []
    list_per_page = 50
    show_full_result_count = False

    # Lookups a link of the app (a report figure, a work list) uses beyond the list's filters.
    extra_lookups: tuple[str, ...] = ()

    def declared_lookups(self, request) -> set[str]:
        """The URL lookups this list accepts: what its filters and date hierarchy write, and
        `extra_lookups`. Django accepts any lookup on the model's own fields, so that
        `?phone__startswith=173` would read a hidden number digit by digit and
        `?name__regex=(` would be a server error."""
        names, paths = set(self.extra_lookups), [self.date_hierarchy] if self.date_hierarchy else []
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                names.add(item.parameter_name)
            else:
                paths.append(item[0] if isinstance(item, list | tuple) else item)
        return names | {path + suffix for path in paths for suffix in FILTER_SUFFIXES}

    def lookup_allowed(self, lookup, value, request=None):
        if reaches_identity(self.model, lookup) and not can_see_identity(request.user):
            return False
        return lookup in self.declared_lookups(request) and super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        # Control characters never get here: RefuseControlCharactersMiddleware answers 400.
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if not queryset.ordered:
            # An annotation's GROUP BY drops the model's ordering; autocomplete pages need one.
            queryset = queryset.order_by(*(self.model._meta.ordering or ["-pk"]))
        return queryset, duplicates

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # A clerk of one village (or anyone in one town) should not have to pick it.
        for field in self.model._meta.concrete_fields:
            if field.many_to_one and field.editable and field.name not in initial and not field.null:
                if is_scoped_model(field.related_model):
                    only = list(scoped_choices(field.related_model, request).values_list("pk", flat=True)[:2])
                    if len(only) == 1:
                        initial[field.name] = only[0]
        return initial

    def get_list_display(self, request):
        return self.mask_columns(request, super().get_list_display(request))

    def get_list_filter(self, request):
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and "__" not in item:
                field = self.model._meta.get_field(item)
                if field.is_relation and is_scoped_model(field.related_model):
                    item = (item, ScopedRelatedFilter)
            filters.append(item)
        return filters

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = keeping_hidden_links(super().get_form(request, obj, change=change, **kwargs))
        masks = self.get_form_masks(request)
        if not masks:
            return form
        return type(form.__name__, (IdentityMaskingFormMixin, form), {"masked_fields": masks})

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another village's record (or a deleted one) answers like one that never existed.
        raise Http404(gettext("The record does not exist or is not in your villages."))

    def get_object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("The record does not exist or is not in your villages."))
        return obj

    # Out-of-scope records answer 404 before any permission check, so that a 403 never
    # confirms that a guessed id exists.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.get_object_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.get_object_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def keeps_history(self) -> bool:
        """Whether the model keeps its own history (a proxy's would be its concrete model's;
        ledgers and logs keep none, being append-only)."""
        return getattr(self.model._meta, "simple_history_manager_attribute", None) is not None

    def history_view(self, request, object_id, extra_context=None):
        if not self.keeps_history():
            raise Http404(gettext("This record keeps no history."))
        self.get_object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self.keeps_history():
            raise Http404(gettext("This record keeps no history."))
        self.get_object_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # No 历史记录 button where there is no history to show.
        context.setdefault("keeps_history", self.keeps_history())
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskingHistoryHelper(self.model, historical_record, full_identity=can_see_identity(request.user))

    def shared_beyond(self, request, pks) -> set:
        """The records among `pks` linked to villages (people, …) outside the user's scope:
        deleting one would delete it for them too."""
        if scope_for(request.user).everything:
            return set()
        shared = set()
        for field in self.model._meta.many_to_many:
            if not is_scoped_model(field.related_model):
                continue
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            visible = scoped_choices(field.related_model, request).values("pk")
            links = field.remote_field.through.objects.filter(**{f"{source}__in": pks})
            shared.update(links.exclude(**{f"{target}__in": visible}).values_list(source, flat=True))
        return shared

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.pk in self.shared_beyond(request, [obj.pk]):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        shared = self.shared_beyond(request, [obj.pk for obj in objs])
        refused = gettext("%(record)s, shared with villages you do not see")
        perms_needed = {*perms_needed, *(refused % {"record": obj} for obj in objs if obj.pk in shared)}
        return deleted, counts, perms_needed, protected

    def get_resource_classes(self, request):
        if self.resource_classes:
            return self.resource_classes
        return [_default_resource(self.model)]

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**kwargs, "user": request.user}

    def get_export_filename(self, request, queryset, file_format):
        stamp = timezone.localdate().strftime("%Y%m%d")
        return f"{self.model._meta.verbose_name_plural}_{stamp}.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        # A Chinese file name needs RFC 5987 encoding; every export is logged like a report.
        name = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = content_disposition_header(True, name)
        ReportLog.objects.create(
            user=request.user,
            report=f"export:{self.model._meta.label_lower}",
            filters=dict(request.GET.lists()),
            format=file_format.get_extension(),
            rows=queryset.count(),
        )
        return response


@cache
def _default_resource(model):
    meta = type("Meta", (), {"model": model, "exclude": ["id"]})
    return type(f"{model.__name__}Resource", (ScopedResource,), {"Meta": meta, "__module__": __name__})


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    extra = 0

    def get_fields(self, request, obj=None):
        return self.mask_columns(request, super().get_fields(request, obj))


class ScopedStackedInline(ScopedAdminMixin, admin.StackedInline):
    extra = 0


class AccessLoggedAdminMixin:
    """For sensitive records: opening one, or its history, is logged (RecordAccess)."""

    def log_access(self, request, obj, action: str) -> None:
        RecordAccess.objects.create(
            user=request.user, record=self.model._meta.label_lower, object_id=str(obj.pk)[:20], action=action
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object_or_404(request, object_id)
        if request.method == "GET" and self.has_view_or_change_permission(request, obj):
            self.log_access(request, obj, "view")
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object_or_404(request, object_id)
        if self.has_view_or_change_permission(request, obj):
            self.log_access(request, obj, "history")
        return super().history_view(request, object_id, extra_context)


class ServiceInlinesMixin:
    """Inline rows are saved through the app's service (`record_service(record=, by=)`),
    so that they meet the same rules as a form, an import or the demo."""

    record_service = None

    def save_formset(self, request, form, formset, change):
        records = formset.save(commit=False)  # sets each new row's link to its parent
        for obj in formset.deleted_objects:
            obj.delete()
        for record in records:
            self.record_service(record=record, by=request.user)
