"""The one scoped admin base that every admin of every app inherits.

Scoping `get_queryset` alone leaks (see shared/NOTES.md): this base also limits FK and
M2M choices (so a POSTed id of another village is a form error), raw-id labels,
change/delete/history pages (404), history rows and exports. It also masks ID numbers and
phones for users without the full-identity permission, in lists, forms, history and exports.

Its rooms: admin_scoping (choices, filters, lookups, shared links), admin_masking,
admin_input (what only a probe sends), admin_export, admin_access (the access log and break
the glass), and
federation.core.importing.views (roster imports); ScopedModelAdmin combines them.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from federation.core import periods

# The rooms of the base, combined below; their names are the base's API for every app.
from federation.core.admin.access import AccessLoggedAdminMixin, GlassAdminMixin  # noqa: F401
from federation.core.admin.export import ExportAdminMixin, ExportForm  # noqa: F401
from federation.core.admin.input import (  # noqa: F401
    CappedPaginator,
    ScopedChangeList,
    TypedInputMixin,
    ValidKeysAutocompleteSelect,
    is_key,
    narrowed_by,
    valid_keys,
    with_picker_labels,
)
from federation.core.admin.masking import (  # noqa: F401
    IdentityMaskingFormMixin,
    MaskingHistoryHelper,
    identity_fields,
    masked_column,
    reaches_identity,
)
from federation.core.admin.scoping import (  # noqa: F401
    FILTER_SUFFIXES,
    HiddenLinksFormMixin,
    ScopedRawIdWidget,
    ScopedRelatedFilter,
    VillageFilter,
    keeping_hidden_links,
    linking_where_allowed,
)
from federation.core.admin.search import search
from federation.core.exporting import can_see_identity
from federation.core.history import delete_with_history
from federation.core.importing.views import RosterImportMixin
from federation.core.models import Village
from federation.core.registry import registry
from federation.core.scoping import in_scope, is_scoped_model, scope_for, scoped_choices


class ScopedAdminMixin(TypedInputMixin):
    """Scoping and masking shared by model admins and inlines."""

    # An inline whose rows belong to their parent whatever village they name (a household's
    # ledger lines) shows them all: its parent's page is scoped already.
    rows_follow_parent = False
    # Pickers that list only what another picker of the form has chosen: {"person": "household"}
    # lists the members of the household chosen (admin_input.narrowed_by).
    narrow_pickers: dict[str, str] = {}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.rows_follow_parent and isinstance(self, admin.options.InlineModelAdmin):
            return queryset
        return in_scope(queryset, scope_for(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if is_scoped_model(related) and "queryset" not in kwargs:
            kwargs["queryset"] = scoped_choices(related, request)
            if db_field.name in self.raw_id_fields:
                kwargs["widget"] = ScopedRawIdWidget(
                    db_field.remote_field, self.admin_site, kwargs["queryset"], using=kwargs.get("using")
                )
        formfield = with_picker_labels(super().formfield_for_foreignkey(db_field, request, **kwargs), request.user)
        if formfield is None:
            return None
        if db_field.name in self.narrow_pickers:
            narrowed_by(formfield, self.narrow_pickers[db_field.name])
        # A picker inside an ordinary form deletes nothing: no red ✕ beside it.
        if hasattr(formfield.widget, "can_delete_related"):
            formfield.widget.can_delete_related = False
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if is_scoped_model(related) and "queryset" not in kwargs:
            kwargs["queryset"] = scoped_choices(related, request)
        return with_picker_labels(super().formfield_for_manytomany(db_field, request, **kwargs), request.user)

    def has_delete_permission(self, request, obj=None):
        # A record that has moved on through its steps (a settled dispute, decided aid: its
        # model's `closed`) stays: not from its page, nor from the list's bulk delete.
        if obj is not None and getattr(obj, "closed", False):
            return False
        return super().has_delete_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        # Inlines keep what their editor cannot see, as model forms do (get_form).
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = linking_where_allowed(keeping_hidden_links(formset.form), request)
        # An inline that another app adds (registry.extend_admin) names its own services: the
        # page's admin knows only its own rows' (ServiceInlinesMixin).
        for name in ("record_service", "record_delete_service"):
            service = getattr(self, name, None)
            if service is not None:
                setattr(formset, name, staticmethod(service))
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


class ScopedModelAdmin(
    GlassAdminMixin, ScopedAdminMixin, RosterImportMixin, ExportAdminMixin, ExportMixin, SimpleHistoryAdmin
):
    """Base of every ModelAdmin: village scope, masking, history, import and export, and the
    one record a glass access opens (admin_access)."""

    import_export_change_list_template = "admin/federation/change_list.html"
    change_form_template = "admin/federation/change_form.html"
    list_per_page = 50
    show_full_result_count = False
    paginator = CappedPaginator

    # Lookups a link of the app (a report figure, a work list) uses beyond the list's filters.
    extra_lookups: tuple[str, ...] = ()
    # Relations a version's label (__str__) reads, loaded for a history page's versions at once.
    history_related: tuple[str, ...] = ()

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        if self.history_related:
            records = list(historical_records)
            versions = [record.history_object for record in records]
            prefetch_related_objects(versions, *self.history_related)
            for record, version in zip(records, versions, strict=True):
                # The descriptor builds a new version on each reading; the page reads this one.
                record.__dict__["history_object"] = version
        return super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)

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

    def period_lookups(self) -> set[str]:
        """The lookups of a submission's links to what a period holds (periods.list_params):
        a date range and a village, which the scoped queryset already bounds."""
        records = registry.period_records.get(self.model)
        if records is None:
            return set()
        return {f"{records.date}__gte", f"{records.date}__lte", records.village_lookup}

    def lookup_allowed(self, lookup, value, request=None):
        if reaches_identity(self.model, lookup) and not can_see_identity(request.user):
            return False
        if lookup in self.period_lookups():
            return True  # Django's own rule wants a list filter for every relation it spans
        return lookup in self.declared_lookups(request) and super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        # Control characters never get here: RefuseControlCharactersMiddleware answers 400.
        queryset, duplicates = search(self, request, queryset, search_term)
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
        form = linking_where_allowed(
            keeping_hidden_links(super().get_form(request, obj, change=change, **kwargs)), request
        )
        if self.model in registry.period_records:
            form = type(form.__name__, (LockedPeriodFormMixin, form), {})
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
        if obj is not None:  # beside the record's next step, what other apps link to from its page
            links = (link(request, obj) for link in registry.admin_extension(self.model).links)
            context["step_links"] = [*context.get("step_links", []), *filter(None, links)]
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
        records = registry.period_records.get(self.model)
        if records is not None:  # the page lists what may not be deleted, and deletes nothing
            for obj in objs:
                try:
                    periods.check_record(records, obj, deleting=True)
                except periods.PeriodLocked as error:
                    perms_needed.add(f"{obj}：{error.messages[0]}")
        return deleted, counts, perms_needed, protected

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except periods.PeriodLocked as error:  # a record the form did not hold (an inline's row)
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_action(self, request, queryset):
        try:
            return super().response_action(request, queryset)
        except periods.PeriodLocked as error:  # an action touched a record of an approved period
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request, extra_context=None):
        if self.outside_villages(request):
            self.message_user(
                request,
                gettext("The village chosen is not one of yours: the list shows none of its records."),
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def outside_villages(self, request) -> bool:
        """Whether the URL filters on a village the user does not see (a typed or old link):
        the list would be empty without saying why."""
        scope = scope_for(request.user)
        if scope.everything:
            return False
        for key, values in request.GET.lists():
            name = key.split("__")[0]
            if name != VillageFilter.parameter_name:
                try:
                    field = self.model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                if not (field.is_relation and field.related_model is Village):
                    continue
            ids = {part for value in values for part in value.split(",") if part}
            if any(not part.isdigit() or int(part) not in scope.village_ids for part in ids):
                return True
        return False

    # The service that deletes one record, called as delete_service(record=, by=) for each
    # record deleted on its page or by the delete action, so that the history row of the
    # deletion names the user and the service's rules apply. An app sets its own (an admin
    # whose service names its record otherwise defines a method of that signature).
    def delete_service(self, *, record, by):
        delete_with_history(record, by)

    def delete_model(self, request, obj):
        self.delete_service(record=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:  # one by one: each deletion gets its history row and its rules
                self.delete_service(record=obj, by=request.user)

    # What other apps add to this admin (federation.core.registry.extend_admin), read per request:
    # the apps register after the admin was built.
    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *registry.admin_extension(self.model).inlines]

    def _get_base_actions(self):
        extra = (self.get_action(action) for action in registry.admin_extension(self.model).actions)
        return [*super()._get_base_actions(), *(action for action in extra if action)]


def add_service_error(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the fields it names that the form has, the
    rest above the form. (Django's add_error(None, error) raises for a field the form lacks,
    a refusal keyed by the record's date on a form that has no date: a 500 for a message.)"""
    if hasattr(error, "error_dict") and error.error_dict.keys() <= form.fields.keys():
        form.add_error(None, error)
    else:
        form.add_error(None, error.messages)


class LockedPeriodFormMixin:
    """A record of an approved period (federation.core.periods) is refused by the form, with the
    period named, before anything is saved: as the save itself would refuse it."""

    def _post_clean(self):
        super()._post_clean()
        try:
            registry.period_records[self._meta.model].check_form(self)
        except periods.PeriodLocked as error:
            add_service_error(self, error)


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    extra = 0

    def get_fields(self, request, obj=None):
        return self.mask_columns(request, super().get_fields(request, obj))


class ScopedStackedInline(ScopedAdminMixin, admin.StackedInline):
    extra = 0


class ServiceErrorsAsMessagesMixin:
    """save_model calls a service; a rule it refuses (ValidationError) is shown on the form,
    the transaction of the save rolled back and what the user typed kept: the page is made
    again from the same POST, with a form that carries the service's answer."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            if request.method != "POST" or hasattr(request, "service_error"):
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
            request.service_error = error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, "service_error", None)
        if error is None:
            return form

        class Refused(form):
            def clean(self):
                cleaned = super().clean()
                add_service_error(self, error)
                return cleaned

        return Refused


class ServiceInlinesMixin:
    """Inline rows are saved through the app's service (`record_service(record=, by=)`) and
    deleted through its delete service (`record_delete_service(record=, by=)`), so that they
    meet the same rules as a form, an import or the demo, and their history names the user.
    (An admin whose services name their record otherwise defines methods of these names; an
    inline that declares them itself, as one another app adds does, is saved through its own.)"""

    record_service = None
    record_delete_service = None

    def save_formset(self, request, form, formset, change):
        records = formset.save(commit=False)  # sets each new row's link to its parent
        save = getattr(formset, "record_service", None) or self.record_service
        delete = getattr(formset, "record_delete_service", None) or self.record_delete_service
        for obj in formset.deleted_objects:
            delete(record=obj, by=request.user)
        for record in records:
            save(record=record, by=request.user)
