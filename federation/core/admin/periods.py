"""台账报送: the village clerk submits a period of her village, the town administrator
approves or returns it, and reopens an approved one with a reason (federation.core.periods)."""

from contextvars import ContextVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from federation.core import periods
from federation.core.admin.base import ScopedModelAdmin, ServiceErrorsAsMessagesMixin, VillageFilter, add_service_error
from federation.core.dates import period_label
from federation.core.models import PeriodSubmission
from federation.core.scoping import in_scope, scope_for
from federation.core.submissions import submission_approve, submission_reopen, submission_return, submission_submit

Status = PeriodSubmission.Status
LINE_BREAK = mark_safe("<br>")  # noqa: S308 - a constant
# The user whose submission page is being drawn: a display method is not given the request.
_viewer: ContextVar = ContextVar("submission_viewer", default=None)


class SubmitForm(forms.ModelForm):
    day = forms.DateField(
        label=_("a day of the period"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Any day of the month (or quarter) to submit: the whole period is submitted."),
    )

    class Meta:
        model = PeriodSubmission
        fields = ["village", "day", "note"]


class StepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), widget=forms.RadioSelect)
    text = forms.CharField(label=_("comment or reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lock = forms.BooleanField(
        label=_("I have checked the month's records; lock them"),
        required=False,
        help_text=_("Once approved, the period's records cannot be changed unless the period is reopened."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = choices
        if len(choices) == 1:
            self.initial.setdefault("step", choices[0][0])
        # Approving locks a month: it is chosen, never pre-selected, and confirmed.
        if "approve" not in dict(choices):
            del self.fields["lock"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("step") == "approve" and not cleaned.get("lock"):
            self.add_error("lock", _("Tick this to approve: approving locks the period's records."))
        return cleaned


@admin.register(PeriodSubmission)
class PeriodSubmissionAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    list_display = ["village", "period", "status", "submitted_by", "submitted_at", "reviewed_by", "next_step"]
    list_filter = ["status", VillageFilter]
    list_select_related = ["village", "submitted_by", "reviewed_by"]
    readonly_fields = [
        "village",
        "period",
        "status",
        "note",
        "comment",
        "submitted_by",
        "submitted_at",
        "holds",
        "changed",
        "log",
    ]
    fields = readonly_fields
    date_hierarchy = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SubmitForm
            kwargs["fields"] = ["village", "day", "note"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["village", "day", "note"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # moved on by its steps only

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = submission_submit(
            village=form.cleaned_data["village"],
            day=form.cleaned_data["day"],
            note=form.cleaned_data.get("note", ""),
            by=request.user,
        )
        obj.__dict__.update(saved.__dict__)  # the admin goes on to the record the service saved

    def log_addition(self, request, obj, message):
        pass  # the submission's own log (PeriodEvent) records it

    @admin.display(description=_("period"))
    def period(self, obj):
        return period_label(obj.start, obj.end)

    @admin.display(description=_("what the period holds"))
    def holds(self, obj):
        # Each kind links to its list narrowed to the village and the period: the reviewer
        # checks the records themselves, not only their counts.
        rows = []
        for title, count, records in periods.holdings_by_kind([obj.village_id], obj.start, obj.end):
            opts = records.model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            query = urlencode(records.list_params(obj.village_id, obj.start, obj.end))
            linked = count and (viewer := _viewer.get()) and viewer.has_perm(f"{opts.app_label}.view_{opts.model_name}")
            rows.append((title, f"{url}?{query}" if linked else "", count))
        return (
            format_html_join(
                LINE_BREAK,
                "{}：{}",
                (
                    (title, format_html('<a href="{}">{}</a>', url, count) if url else count)
                    for title, url, count in rows
                ),
            )
            or "—"
        )

    @admin.display(description=_("changed while reopened"))
    def changed(self, obj):
        rows = periods.changes_while_open(obj)
        return format_html_join(LINE_BREAK, "{}：{}", rows) or "—"

    @admin.display(description=_("log"))
    def log(self, obj):
        events = obj.events.select_related("user")
        return format_html_join(
            LINE_BREAK,
            "{} {} {} {}",
            (
                (
                    timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M"),
                    event.user or "—",
                    event.get_action_display(),
                    event.text,
                )
                for event in events
            ),
        )

    def steps(self, request, obj) -> list[tuple[str, str]]:
        """The steps this user may take on the submission now."""
        reviewer = request.user.has_perm("federation.review_periodsubmission")
        choices = []
        if obj.status == Status.SUBMITTED and reviewer:
            choices = [("approve", gettext("approve")), ("return", pgettext("period", "return to the village"))]
        elif obj.status == Status.APPROVED and reviewer:
            choices = [("reopen", gettext("reopen"))]
        elif obj.status in (Status.RETURNED, Status.REOPENED) and request.user.has_perm(
            "federation.add_periodsubmission"
        ):
            choices = [("submit", gettext("submit again"))]
        return choices

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A returned month's own page leads to submitting it again; a submitted one to review.
        submission = self.get_object(request, object_id)
        choices = self.steps(request, submission) if submission is not None else []
        links = []
        if choices:
            url = reverse("admin:federation_periodsubmission_step", args=[submission.pk])
            links = [(url, gettext("Submit again") if dict(choices).keys() == {"submit"} else gettext("Next step"))]
        token = _viewer.set(request.user)  # `holds` links only the lists she may open
        try:
            response = super().change_view(request, object_id, form_url, {**(extra_context or {}), "step_links": links})
            return response.render() if hasattr(response, "render") else response  # drawn while she is known
        finally:
            _viewer.reset(token)

    @admin.display(description=_("next step"))
    def next_step(self, obj):
        if obj.status == Status.APPROVED:
            return "—"
        url = reverse("admin:federation_periodsubmission_step", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, gettext("Next step"))

    def get_urls(self):
        step = path(
            "<path:object_id>/step/",
            self.admin_site.admin_view(self.step_view),
            name="federation_periodsubmission_step",
        )
        return [step, *super().get_urls()]

    def step_view(self, request, object_id):
        submission = self.get_object_or_404(request, object_id)
        change_url = reverse("admin:federation_periodsubmission_change", args=[submission.pk])
        choices = self.steps(request, submission)
        if not choices:
            raise PermissionDenied
        form = StepForm(request.POST or None, choices=choices)
        if request.method == "POST" and form.is_valid():
            step, text = form.cleaned_data["step"], form.cleaned_data["text"]
            try:
                if step == "approve":
                    done = submission_approve(submission=submission, comment=text, by=request.user)
                elif step == "return":
                    done = submission_return(submission=submission, comment=text, by=request.user)
                elif step == "reopen":
                    done = submission_reopen(submission=submission, reason=text, by=request.user)
                else:
                    done = submission_submit(
                        village=submission.village, day=submission.start, note=text, by=request.user
                    )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                status = done.get_status_display()
                messages.success(request, gettext("The period is now %(status)s.") % {"status": status})
                return HttpResponseRedirect(change_url)
        resubmit = dict(choices).keys() == {"submit"}
        holds = "；".join(
            f"{title} {count}"
            for title, count in periods.holdings([submission.village_id], submission.start, submission.end)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Submit again") if resubmit else gettext("Review the submission"),
            "obj": submission,
            "summary": " · ".join([str(submission), submission.get_status_display(), holds]),
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/federation/step.html", context)


def returned_submissions(request) -> list[tuple]:
    """The home page's reminders: for the town's reviewer, the periods waiting for her review;
    for the clerk, those the town returned or reopened, with its comment."""
    submissions = in_scope(PeriodSubmission.objects.all(), scope_for(request.user))
    url = reverse("admin:federation_periodsubmission_changelist")
    if request.user.has_perm("federation.review_periodsubmission"):
        waiting = submissions.filter(status=Status.SUBMITTED).count()
        return [(gettext("Ledger submissions waiting for review"), waiting, f"{url}?status__exact={Status.SUBMITTED}")]
    if not request.user.has_perm("federation.add_periodsubmission"):
        return []
    returned = submissions.filter(status__in=[Status.RETURNED, Status.REOPENED]).select_related("village")
    return [
        (
            gettext("%(submission)s returned: %(comment)s")
            % {"submission": submission, "comment": submission.comment or submission.get_status_display()},
            1,
            f"{url}{submission.pk}/change/",
        )
        for submission in returned[:5]
    ]
