"""临时查阅: the requests to open a file by breaking the glass (federation.core.glass). The
asker finds the file by its number and says why; the town administrator approves or refuses it
on the request's page, sees the open ones on her home page and reviews each month's; the asker
follows her own requests and opens the file from them while it is open."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from federation.core import glass
from federation.core.admin.audit import ACCESS_ACTIONS, record_kind
from federation.core.admin.base import ScopedModelAdmin, ServiceErrorsAsMessagesMixin, VillageFilter, add_service_error
from federation.core.models import GlassAccess
from federation.core.registry import registry
from federation.core.scoping import scope_for

Status = GlassAccess.Status
LINE_BREAK = mark_safe("<br>")  # noqa: S308 - a constant


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def file_url(access) -> str | None:
    app_label, _dot, model_name = access.record.partition(".")
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[access.object_id])
    except NoReverseMatch:
        return None


def is_open(access) -> bool:
    return access.status in GlassAccess.OPEN and access.ends_at is not None and access.ends_at > timezone.now()


class GlassListFilter(admin.SimpleListFilter):
    title = _("work list")
    parameter_name = "list"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("awaiting approval")),
            ("active", _("open now")),
            ("review", _("past months, not yet reviewed")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(glass.pending_q())
        if self.value() == "active":
            return queryset.filter(glass.active_q())
        if self.value() == "review":
            return queryset.filter(glass.to_review_q())
        return queryset


class GlassRequestForm(forms.ModelForm):
    number = forms.CharField(
        label=_("case number or the child's ID number"),
        max_length=30,
        help_text=_(
            "Type it exactly: the case number of a domestic-violence case, or the ID number of a child on the "
            "care register, of your villages."
        ),
    )

    class Meta:
        model = GlassAccess
        fields = ["number", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "reason": _(
                "Why you need this file now, in a sentence: the town administrator reads it, and it is kept "
                "with every page you open."
            )
        }

    user = None  # the asker (GlassAccessAdmin.get_form)
    record = None

    def clean_number(self):
        self.record = glass.glass_find(user=self.user, text=self.cleaned_data["number"])
        if self.record is None:
            raise forms.ValidationError(glass.not_found().messages)
        return self.cleaned_data["number"]

    def _post_clean(self):
        pass  # the service checks the request (GlassAccessAdmin.save_model)


class GlassStepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Refusing needs a reason: the asker reads it."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = choices
        if len(choices) == 1:
            self.initial.setdefault("step", choices[0][0])


@admin.register(GlassAccess)
class GlassAccessAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    """Everyone sees her own requests; the town administrator her villages', to decide, follow
    and review."""

    form = GlassRequestForm
    change_form_template = "admin/federation/glass_access.html"
    list_display = [
        "created_at",
        "requester",
        "record_label",
        "village",
        "reason",
        "status",
        "decided_by",
        "open_until",
        "pages_opened",
        "reviewed",
    ]
    list_filter = [GlassListFilter, "status", VillageFilter]
    list_select_related = ["requester", "decided_by", "reviewed_by", "village"]
    search_fields = ["record_label"]
    search_help_text = _("Search by the file's number.")
    date_hierarchy = "created_at"
    actions = ["mark_reviewed"]
    fields = readonly_fields = [
        "requester",
        "record_label",
        "village",
        "reason",
        "status",
        "created_at",
        "decided_by",
        "decided_at",
        "decision_note",
        "opens_at",
        "ends_at",
        "open_file",
        "reviewed_by",
        "reviewed_at",
        "pages",
    ]

    def get_queryset(self, request):
        accesses = super().get_queryset(request).annotate(page_count=Count("pages"))
        if request.user.has_perm("federation.view_glassaccess"):
            return accesses
        return accesses.filter(requester=request.user)  # her own, whatever her role

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["fields"] = ["number", "reason"]
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_fields(self, request, obj=None):
        return ["number", "reason"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_view_permission(self, request, obj=None):
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.has_perm("federation.view_glassaccess"):
            return True
        # Her own requests: the list of whoever may ask, and each one's page.
        return obj.requester_id == user.pk if obj is not None else self.has_add_permission(request)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        # Whoever lacks the permissions of a kind of file in her villages may ask for one.
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and not user.is_superuser
            and bool(scope_for(user).village_ids)
            and any(not glass.holds(user, file.permissions) for file in registry.glass_files())
        )

    def has_change_permission(self, request, obj=None):
        return False  # moved on by its steps only

    def has_delete_permission(self, request, obj=None):
        return False  # the record of an access stays

    def has_approve_permission(self, request):
        return request.user.has_perm(glass.APPROVE_PERMISSION)

    def save_model(self, request, obj, form, change):
        saved = glass.glass_request(record=form.record, reason=form.cleaned_data["reason"], by=request.user)
        obj.__dict__.update(saved.__dict__)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.status == Status.IMMEDIATE:
            text = gettext("The file is open to you until %(time)s; every page you open is logged.")
        else:
            text = gettext("Your request is sent: the town administrator decides it; your home page shows it.")
        self.message_user(request, text % {"time": local(obj.ends_at)}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:federation_glassaccess_change", args=[obj.pk]))

    @admin.display(description=_("open until"), ordering="ends_at")
    def open_until(self, obj):
        return local(obj.ends_at) if obj.ends_at else "—"

    @admin.display(description=_("pages opened"), ordering="page_count")
    def pages_opened(self, obj):
        return obj.page_count

    @admin.display(description=_("reviewed"), boolean=True, ordering="reviewed_at")
    def reviewed(self, obj):
        return obj.reviewed_at is not None

    @admin.display(description=pgettext_lazy("glass", "open it"))
    def open_file(self, obj):
        url = file_url(obj) if is_open(obj) else None
        if url is None:
            return pgettext_lazy("glass", "closed") if obj.status in GlassAccess.OPEN else "—"
        return format_html('<a class="button" href="{}">{}</a>', url, gettext("Open the file"))

    @admin.display(description=_("pages opened under it"))
    def pages(self, obj):
        rows = obj.pages.order_by("created_at", "pk").select_related("user")
        return (
            format_html_join(
                LINE_BREAK,
                "{} {} {} #{} {}",
                (
                    (
                        local(page.created_at),
                        page.user or "—",
                        record_kind(page.record),
                        page.object_id,
                        ACCESS_ACTIONS.get(page.action, page.action),
                    )
                    for page in rows
                ),
            )
            or "—"
        )

    @admin.action(permissions=["approve"], description=_("Mark the selected requests as reviewed"))
    def mark_reviewed(self, request, queryset):
        try:
            done = glass.glass_review(accesses=queryset, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d request marked as reviewed.", "%(count)d requests marked as reviewed.", done)
            % {"count": done},
            messages.SUCCESS,
        )

    def steps(self, request, obj) -> list[tuple[str, str]]:
        """The steps this user may take on the request now."""
        user = request.user
        decides = user.has_perm(glass.APPROVE_PERMISSION) and user.pk != obj.requester_id
        if obj.status == Status.REQUESTED and decides:
            return [("approve", gettext("approve")), ("refuse", gettext("refuse"))]
        if is_open(obj) and (decides or user.pk == obj.requester_id):
            return [("revoke", gettext("close it now"))]
        return []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        access = self.get_object(request, object_id)
        context = {**(extra_context or {})}
        if access is not None:
            choices = self.steps(request, access)
            context["glass_steps"] = choices
            context["glass_form"] = GlassStepForm(choices=choices) if choices else None
            context["glass_step_url"] = reverse("admin:federation_glassaccess_step", args=[access.pk])
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        step = path(
            "<path:object_id>/step/", self.admin_site.admin_view(self.step_view), name="federation_glassaccess_step"
        )
        return [step, *super().get_urls()]

    def step_view(self, request, object_id):
        access = self.get_object_or_404(request, object_id)
        change_url = reverse("admin:federation_glassaccess_change", args=[access.pk])
        choices = self.steps(request, access)
        if not choices:
            raise PermissionDenied
        form = GlassStepForm(request.POST or None, choices=choices)
        if request.method == "POST" and form.is_valid():
            step, note = form.cleaned_data["step"], form.cleaned_data["note"]
            try:
                if step == "approve":
                    done = glass.glass_approve(access=access, note=note, by=request.user)
                elif step == "refuse":
                    done = glass.glass_refuse(access=access, note=note, by=request.user)
                else:
                    done = glass.glass_revoke(access=access, note=note, by=request.user)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                status = done.get_status_display()
                messages.success(request, gettext("The request is now %(status)s.") % {"status": status})
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Decide the request"),
            "obj": access,
            "summary": " · ".join([str(access.requester), access.record_label, access.reason]),
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/federation/step.html", context)


def glass_reminders(request) -> list[tuple]:
    """The home page's lines: for the town administrator, the requests waiting, the files open
    now and last month's to review; for the asker, her requests waiting and her open files."""
    user = request.user
    url = reverse("admin:federation_glassaccess_changelist")
    if user.has_perm(glass.APPROVE_PERMISSION):
        counted = glass.counts(user)
        return [
            (gettext("Requests to open a file, awaiting approval"), counted["pending"], f"{url}?list=pending"),
            (gettext("Files open by request now"), counted["active"], f"{url}?list=active"),
            (gettext("Past months' file requests to review"), counted["review"], f"{url}?list=review"),
        ]
    mine = GlassAccess.objects.filter(glass.pending_q() | glass.active_q(), requester=user).order_by("-created_at")
    items = []
    for access in mine[:5]:
        if access.status == Status.REQUESTED:
            label = gettext("Your request to open %(file)s awaits approval") % {"file": access.record_label}
            items.append((label, 1, reverse("admin:federation_glassaccess_change", args=[access.pk])))
        else:
            label = gettext("%(file)s is open to you until %(time)s") % {
                "file": access.record_label,
                "time": local(access.ends_at),
            }
            items.append((label, 1, file_url(access)))
    return items
