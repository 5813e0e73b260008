from axes.models import AccessAttempt
from axes.utils import reset
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from federation.core.admin.base import (
    ScopedModelAdmin,
    ScopedStackedInline,
    ScopedTabularInline,
    ServiceErrorsAsMessagesMixin,
    ServiceInlinesMixin,
    TypedInputMixin,
    VillageFilter,
    add_service_error,
)
from federation.core.models import ExportPurpose, StaffScope, Town, Village
from federation.core.reporting import per_row
from federation.core.roles import ROLES
from federation.core.scoping import scope_for
from federation.core.second_factor import second_factor_reset
from federation.models import Activity, ActivityAttachment, Honor, Household, Person
from federation.resources import HouseholdsResource, PeopleResource
from federation.services import (
    activity_delete,
    activity_save,
    activity_villages_check,
    attachment_delete,
    attachment_save,
    honor_delete,
    honor_save,
    household_save,
    person_save,
)


class ExportPurposeInline(ScopedTabularInline):
    """The purposes the town keeps for taking people's data out (offered by every download of people)."""

    model = ExportPurpose
    fields = ["name", "sort_order"]
    extra = 0


@admin.register(Town)
class TownAdmin(ScopedModelAdmin):
    list_display = ["name", "county", "village_count"]
    search_fields = ["name"]
    inlines = [ExportPurposeInline]
    personal_export = False

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "glass_immediate_roles":  # the workbench's roles, ticked (a phone's thumb)
            kwargs["queryset"] = Group.objects.filter(name__in=ROLES).order_by("name")
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(village_count=per_row(Village.objects.all(), "town"))

    @admin.display(description=_("villages (communities)"), ordering="village_count")
    def village_count(self, obj):
        return obj.village_count


@admin.register(Village)
class VillageAdmin(ScopedModelAdmin):
    personal_export = False
    list_display = ["name", "kind", "town", "household_count", "person_count", "sort_order"]
    list_filter = ["kind"]
    list_select_related = ["town"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                household_count=per_row(Household.objects.all(), "village"),
                person_count=per_row(Person.objects.all(), "village"),
            )
            .order_by("sort_order", "name")
        )

    @admin.display(description=_("households"), ordering="household_count")
    def household_count(self, obj):
        return obj.household_count

    @admin.display(description=_("people"), ordering="person_count")
    def person_count(self, obj):
        return obj.person_count


class MemberInline(ScopedTabularInline):
    model = Person
    fk_name = "household"
    fields = ["name_link", "id_number", "sex", "birth_date", "relation_to_head", "status"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False
    verbose_name = _("member")
    verbose_name_plural = _("household members")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=pgettext_lazy("person", "name"))
    def name_link(self, obj):
        url = reverse("admin:federation_person_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.name)


@admin.register(Household)
class HouseholdAdmin(ScopedModelAdmin):
    search_rank = 1  # the header search lists households after people, before the other kinds
    import_resource = HouseholdsResource
    resource_classes = [HouseholdsResource]
    list_display = ["number", "head", "village", "group", "member_count", "points_balance"]
    list_filter = ["village"]
    list_select_related = ["village", "head"]
    search_fields = ["number", "head__name", "members__name", "head__id_number", "head__phone", "address"]
    search_help_text = _(
        "Search by household number, the name of its head or of a member, the head's ID number or phone, "
        "or the address."
    )
    autocomplete_fields = ["head"]
    readonly_fields = ["points_balance", "add_member"]
    fields = ["village", "number", "head", "group", "address", "points_balance", "add_member"]
    inlines = [MemberInline]

    @admin.display(description=_("new member"))
    def add_member(self, obj):
        if not obj.pk:
            return gettext("Save the household first, then add its members.")
        url = reverse("admin:federation_person_add")
        return format_html(
            '<a class="addlink" href="{}?household={}&amp;village={}">{}</a>',
            url,
            obj.pk,
            obj.village_id,
            gettext("Add a member to this household"),
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=per_row(Person.objects.all(), "household"))
            .order_by("village__sort_order", "number")
        )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    def save_model(self, request, obj, form, change):
        household_save(household=obj, by=request.user)


@admin.register(Person)
class PersonAdmin(ScopedModelAdmin):
    search_rank = 0  # the header search lists people first
    import_resource = PeopleResource
    resource_classes = [PeopleResource]
    list_display = [
        "name",
        "id_number",
        "sex",
        "birth_date",
        "phone",
        "village",
        "household",
        "relation_to_head",
        "status",
    ]
    list_filter = ["village", "sex", "status", "relation_to_head"]
    # On a phone: what tells two 吴欢 apart, not a masked number and a village the same in every row.
    mobile_columns = ["name", "birth_date", "household"]
    list_select_related = ["village", "household__head"]
    search_fields = ["name", "id_number", "phone", "household__number"]
    search_help_text = _("Search by name, ID number, phone or household number.")
    autocomplete_fields = ["household"]
    readonly_fields = ["sex_from_id", "birth_date_from_id", "upgraded_from_15", "household_members"]
    fieldsets = [
        (None, {"fields": ["name", "id_number", "sex_from_id", "birth_date_from_id", "upgraded_from_15", "phone"]}),
        (_("Residence"), {"fields": ["village", "household", "relation_to_head", "status", "household_members"]}),
        (_("Notes"), {"fields": ["notes"]}),
    ]

    # Sex, birth date and the upgrade follow from the ID number: said so, not shown as blanks
    # or as a red cross on a new person.
    @admin.display(description=_("sex"))
    def sex_from_id(self, obj):
        return obj.get_sex_display() if obj.sex else gettext("Filled in from the ID number")

    @admin.display(description=_("birth date"))
    def birth_date_from_id(self, obj):
        return obj.birth_date or gettext("Filled in from the ID number")

    @admin.display(description=_("upgraded from 15 digits"))
    def upgraded_from_15(self, obj):
        return pgettext("answer", "yes") if obj.id_upgraded else pgettext("answer", "no")

    @admin.display(description=_("household members"))
    def household_members(self, obj):
        if not obj.household_id:
            return "—"
        members = obj.household.members.exclude(pk=obj.pk).order_by("birth_date")
        if not members:
            return gettext("No other members.")
        today = timezone.localdate()
        rows = [
            (
                reverse("admin:federation_person_change", args=[member.pk]),
                member.name,
                member.get_relation_to_head_display() or "—",
                member.get_sex_display(),
                gettext("%(age)s years") % {"age": member.age_on(today)},
            )
            for member in members
        ]
        return format_html_join("", '<div><a href="{}">{}</a> · {} · {} · {}</div>', rows)

    def get_fieldsets(self, request, obj=None):
        # Who may manage staff links a staff account to her person: a reviewer then may not
        # review her own household's points claims (points.services).
        if request.user.has_perm("auth.change_user"):
            return [*self.fieldsets, (_("Staff account"), {"fields": ["staff_user"]})]
        return self.fieldsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "staff_user":
            users = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
            if not request.user.is_superuser:
                users = users.filter(staff_scope__town_id__in=scope_for(request.user).visible_town_ids)
            kwargs["queryset"] = users
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        person_save(person=obj, by=request.user)


class AttachmentInline(ScopedTabularInline):
    model = ActivityAttachment
    fields = ["title", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "date",
            "town",
            "villages",
            "place",
            "participants",
            "beneficiaries",
            "materials_distributed",
            "consultations",
            "notes",
        ]
        widgets = {"villages": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        villages = self.fields.get("villages")
        if villages is not None and user is not None and not scope_for(user).town_ids and not user.is_superuser:
            # Only town-wide staff may leave it empty (activity_villages_check): say what she must do.
            villages.help_text = gettext("Tick the villages where the activity took place.")

    def clean(self):
        cleaned_data = super().clean()
        if "villages" in cleaned_data:
            # The service asks it again on save; here it is an error beside the field.
            try:
                activity_villages_check(town=cleaned_data.get("town"), villages=cleaned_data["villages"], by=self.user)
            except ValidationError as error:
                add_service_error(self, error)
        return cleaned_data


@admin.register(Activity)
class ActivityAdmin(ServiceErrorsAsMessagesMixin, ServiceInlinesMixin, ScopedModelAdmin):
    form = ActivityForm
    list_display = [
        "date",
        "kind",
        "title",
        "village_names",
        "participants",
        "beneficiaries",
        "materials_distributed",
        "consultations",
    ]
    list_filter = ["kind", "villages", ("date", admin.DateFieldListFilter)]
    list_select_related = ["town"]
    date_hierarchy = "date"
    search_fields = ["title", "place", "notes"]
    inlines = [AttachmentInline]
    fieldsets = [
        (None, {"fields": ["kind", "title", "date", "town", "villages", "place"]}),
        (_("Figures"), {"fields": ["participants", "beneficiaries", "materials_distributed", "consultations"]}),
        (_("Notes"), {"fields": ["notes"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("villages", queryset=Village.objects.order_by("sort_order")))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class RequestActivityForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, **kw)

        return RequestActivityForm

    @admin.display(description=_("villages (communities)"))
    def village_names(self, obj):
        names = [village.name for village in obj.villages.all()]
        return "、".join(names) if names else gettext("whole town")

    def save_model(self, request, obj, form, change):
        # The form's villages keep those its user cannot see (HiddenLinksFormMixin).
        activity_save(activity=obj, villages=form.cleaned_data.get("villages"), by=request.user)

    def save_related(self, request, form, formsets, change):
        # The villages were saved with the activity: no save_m2m, only the attachments.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_service(self, *, record, by):
        activity_delete(activity=record, by=by)

    def record_service(self, *, record, by):
        attachment_save(attachment=record, by=by)

    def record_delete_service(self, *, record, by):
        attachment_delete(attachment=record, by=by)


@admin.register(Honor)
class HonorAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    list_display = ["year", "award", "title", "level", "recipient", "village"]
    list_filter = ["year", "award", "level", VillageFilter]
    list_select_related = ["person__village", "household__village", "household__head"]
    search_fields = ["title", "person__name", "household__number", "household__head__name"]
    autocomplete_fields = ["person", "household"]
    fields = ["award", "title", "year", "date", "level", "person", "household", "notes"]

    @admin.display(description=_("recipient"))
    def recipient(self, obj):
        return obj.person or obj.household

    @admin.display(description=_("village"))
    def village(self, obj):
        return (obj.person or obj.household).village

    def save_model(self, request, obj, form, change):
        honor_save(honor=obj, by=request.user)

    def delete_service(self, *, record, by):
        honor_delete(honor=record, by=by)


def holds_no_more(target, user) -> bool:
    """Whether `target` has no right that `user` lacks: not a superuser unless she is one, no
    permission (her own or her roles') that she lacks, no village or town beyond hers. Staff
    management never reaches past what the manager holds herself."""
    if user.is_superuser:
        return True
    if target.is_superuser or not target.get_all_permissions() <= user.get_all_permissions():
        return False
    theirs, hers = scope_for(target), scope_for(user)
    return theirs.town_ids <= hers.town_ids and theirs.village_ids <= hers.village_ids


def _permissions_held(user) -> tuple[list[int], list[int]]:
    """The pks of the permissions `user` holds and of those she lacks."""
    held = user.get_all_permissions()
    holds, lacks = [], []
    for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename"):
        (holds if f"{app_label}.{codename}" in held else lacks).append(pk)
    return holds, lacks


def grantable_groups(user):
    """The roles whose every permission `user` holds herself."""
    groups = Group.objects.order_by("name")
    return groups if user.is_superuser else groups.exclude(permissions__in=_permissions_held(user)[1])


def grantable_permissions(user, queryset):
    """The permissions of `queryset` that `user` holds herself."""
    return queryset if user.is_superuser else queryset.filter(pk__in=_permissions_held(user)[0])


class StaffScopeForm(forms.ModelForm):
    """A scope within the manager's own: her town, her villages, town-wide only if she is."""

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "manager", None)
        if user is None or user.is_superuser:
            return cleaned
        hers = scope_for(user)
        town = cleaned.get("town")
        if cleaned.get("town_wide") and not (town and hers.covers_town(town.pk)):
            self.add_error("town_wide", gettext("You keep only some villages: you cannot give the whole town."))
        beyond = [village.name for village in cleaned.get("villages") or () if village.pk not in hers.village_ids]
        if beyond:
            self.add_error("villages", gettext("You do not keep %(villages)s.") % {"villages": "、".join(beyond)})
        return cleaned


class StaffScopeInline(ScopedStackedInline):
    model = StaffScope
    form = StaffScopeForm
    can_delete = False
    extra = 1  # a new account opens with its 工作范围 to fill: without one she sees nothing
    rows_follow_parent = True  # the user's page is the gate (ManagesNoMoreThanSheHoldsMixin)
    filter_horizontal = ["villages"]
    verbose_name_plural = _("staff scope")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("ManagedStaffScopeForm", (formset.form,), {"manager": request.user})
        return formset


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


PERMISSION_ACTIONS = {
    "add": pgettext_lazy("permission", "add"),
    "change": pgettext_lazy("permission", "change"),
    "delete": pgettext_lazy("permission", "delete"),
    "view": pgettext_lazy("permission", "view"),
    "export": pgettext_lazy("permission", "export"),
    "import": pgettext_lazy("permission", "import"),
}


def permission_label(permission) -> str:
    """A permission in Chinese: Django stores its name in English when it migrates."""
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    action, _sep, rest = permission.codename.partition("_")
    if action in PERMISSION_ACTIONS and rest == model._meta.model_name:
        text = gettext("Can %(action)s %(model)s") % {
            "action": PERMISSION_ACTIONS[action],
            "model": model._meta.verbose_name,
        }
    else:
        text = gettext(permission.name)  # a model's own permissions: their names are msgids
    return f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | {text}"


NOT_OFFERED_APPS = ["axes", "django_tasks_database", "otp_totp"]


class PermissionLabelsMixin:
    """Permissions named in Chinese; those of history tables, of the login throttle, of the
    task queue and of the phones' authenticators are not offered (no role holds them: history
    is read on each record's page, locked logins are unlocked from the user list, an import's
    job from its progress page, an authenticator is reset from its user's page)."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.queryset = field.queryset.exclude(content_type__model__startswith="historical").exclude(
                content_type__app_label__in=NOT_OFFERED_APPS
            )
            if request is not None:  # nobody grants what she does not hold
                field.queryset = grantable_permissions(request.user, field.queryset)
            field.label_from_instance = permission_label
        if db_field.name == "groups" and request is not None:
            field.queryset = grantable_groups(request.user)
        return field


class ManagesNoMoreThanSheHoldsMixin:
    """A manager of users or roles who is not a superuser changes, deletes and sets passwords
    only of what holds no more than she does (`holds_no_more`), and never sees a superuser."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or self.holds_no_more(obj, request.user))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self.holds_no_more(obj, request.user))


@admin.register(Group)
class FederationGroupAdmin(ManagesNoMoreThanSheHoldsMixin, PermissionLabelsMixin, TypedInputMixin, GroupAdmin):
    @staticmethod
    def holds_no_more(group, user) -> bool:
        return user.is_superuser or grantable_groups(user).filter(pk=group.pk).exists()


class StaffCreationForm(AdminUserCreationForm):
    """A member of staff in one form: login name, her name, her roles, a first password
    (her villages are the scope below). Everyone made here signs in to the workbench."""

    # Staff sign in with a password only (no single sign-on here): the switch for
    # "password-based authentication" and its help about other backends would only confuse.
    usable_password = None

    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "first_name", "groups")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].required = True
        self.fields["password2"].required = True
        self.fields["first_name"].label = _("name")
        self.fields["first_name"].required = True
        self.fields["groups"].required = True
        self.fields["groups"].help_text = ROLE_HELP

    def save(self, commit=True):
        self.instance.is_staff = True  # without it the login page refuses her
        return super().save(commit)


ROLE_HELP = _(
    "村妇联专干: her villages' people, activities and points. Add 健康档案录入 for screenings, "
    "HPV and insurance, and 关爱帮扶录入 for care files and disputes. 镇妇联管理员: the whole town."
)


class StaffPasswordChangeForm(AdminPasswordChangeForm):
    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = True
        self.fields["password2"].required = True


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why it is reset: her phone was lost or changed, say. The reason is kept in the log."),
    )


class StaffChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget.template_name = "admin/federation/password_summary.html"


@admin.register(User)
class FederationUserAdmin(ManagesNoMoreThanSheHoldsMixin, PermissionLabelsMixin, TypedInputMixin, UserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    change_password_form = StaffPasswordChangeForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "first_name", "groups", "password1", "password2")}),
    )
    # What a manager who is not a superuser sees of an account: never raw permissions.
    managed_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Staff"), {"fields": ("first_name", "is_active", "groups")}),
    )
    inlines = [StaffScopeInline]
    change_form_template = "admin/federation/user_change_form.html"
    list_display = ["username", "first_name", "is_active", "is_staff", "group_names", "scope", "locked"]
    list_select_related = ["staff_scope__town"]
    actions = ["unlock_login"]

    def get_queryset(self, request):
        # Locked: as many failures as the limit, within the cool-off period (django-axes).
        attempts = AccessAttempt.objects.filter(
            username=OuterRef("username"),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
        )
        queryset = super().get_queryset(request).annotate(login_locked=Exists(attempts))
        if not request.user.is_superuser:
            # The staff of her town, never a superuser (what she may change of them: holds_no_more).
            towns = scope_for(request.user).visible_town_ids
            queryset = queryset.filter(is_superuser=False, staff_scope__town_id__in=towns)
        return queryset.prefetch_related("groups", "staff_scope__villages")

    holds_no_more = staticmethod(holds_no_more)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return self.managed_fieldsets

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
            field.help_text = ROLE_HELP
        return field

    def get_urls(self):
        reset = path(
            "<path:object_id>/second-factor-reset/",
            self.admin_site.admin_view(self.second_factor_reset_view),
            name="auth_user_second_factor_reset",
        )
        return [reset, *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # A lost phone: a superuser resets the authenticator from the user's page.
        if obj is not None and request.user.is_superuser and TOTPDevice.objects.filter(user=obj).exists():
            url = reverse("admin:auth_user_second_factor_reset", args=[obj.pk])
            context["step_links"] = [(url, gettext("Reset the phone authenticator"))]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def second_factor_reset_view(self, request, object_id):
        """重置手机验证器: a superuser's alone, with a reason that the log keeps."""
        if not request.user.is_superuser:
            raise PermissionDenied
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404
        change_url = reverse("admin:auth_user_change", args=[user.pk])
        form = SecondFactorResetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                second_factor_reset(user=user, reason=form.cleaned_data["reason"], by=request.user)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                message = gettext("The authenticator of %(user)s is reset: she sets up a new one at her next login.")
                self.message_user(request, message % {"user": user})
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Reset the phone authenticator"),
            "obj": user,
            "summary": gettext(
                "%(user)s lost or changed her phone: her authenticator is deleted, and at her next login she "
                "sets up the new phone."
            )
            % {"user": user},
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/federation/step.html", context)

    @admin.display(description=_("login locked"), boolean=True)
    def locked(self, obj):
        return obj.login_locked

    @admin.action(description=_("Unlock the login of the selected users"))
    def unlock_login(self, request, queryset):
        for username in queryset.values_list("username", flat=True):
            reset(username=username)
        self.message_user(request, gettext("Logins unlocked: %(count)d.") % {"count": queryset.count()})

    @admin.display(description=_("roles"))
    def group_names(self, obj):
        return "、".join(group.name for group in obj.groups.all())

    @admin.display(description=_("scope"))
    def scope(self, obj):
        staff_scope = getattr(obj, "staff_scope", None)
        if staff_scope is None:
            return "—"
        if staff_scope.town_wide:
            return gettext("%(town)s (whole town)") % {"town": staff_scope.town}
        return "、".join(village.name for village in staff_scope.villages.all())


# The task queue's own list is in English and may show a worker's traceback: an import's
# progress page is where its work is followed.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
# django-otp's list of devices shows their keys' QR codes: a lost phone is reset from its
# user's page instead, with a reason logged.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
