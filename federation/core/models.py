"""The platform's models: the towns and villages every record belongs to, who sees which
(StaffScope), the audit logs, import jobs, and the villages' submitted periods with the figures
kept when one is approved. The federation's own records (people, households, activities,
honours) live in federation/models.py; every model here keeps the app label `federation`.
"""

import uuid

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from federation.core import dates
from federation.core.dates import period_label
from federation.core.fields import SecretField
from federation.core.pseudonyms import new_key
from federation.core.roles import DATA_PERMISSIONS


class ScopedModel:
    """Mixin for models that belong to a village; set `scope_village_path`, and
    `count_village_path` when the record keeps its own village for figures."""

    scope_village_path = "village"
    count_village_path = None

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(**{f"{cls.scope_village_path}__in": scope.village_ids})


class Town(models.Model):
    class SubmissionPeriod(models.TextChoices):
        MONTH = dates.MONTH, _("month")
        QUARTER = dates.QUARTER, _("quarter")

    name = models.CharField(_("name"), max_length=50)
    county = models.CharField(_("county"), max_length=50)
    submission_period = models.CharField(
        _("villages submit by"),
        max_length=10,
        choices=SubmissionPeriod.choices,
        default=SubmissionPeriod.MONTH,
        help_text=_("How often the villages submit their ledgers to the town for approval."),
    )
    county_sees_approved_only = models.BooleanField(
        _("county readers see approved figures only"),
        default=False,
        help_text=_("When ticked, a county reader's figures count only the records of periods the town has approved."),
    )
    encrypt_full_identity_exports = models.BooleanField(
        _("full-identity exports must be locked with a password"),
        default=False,
        help_text=_(
            "When ticked, an Excel file taken by someone who sees whole ID numbers and phones must be locked "
            "with a password, and such lists cannot be taken as CSV."
        ),
    )
    county_takes_deidentified = models.BooleanField(
        _("county readers may take the de-identified rosters"),
        default=False,
        help_text=_(
            "When ticked, a county reader may download this town's de-identified rosters (people, households, "
            "two-cancer screenings, HPV doses): a pseudonym, the village, the sex and an age band for each person, "
            "never a name, an ID number, a phone, an address or a birth date."
        ),
    )
    # The key of the town's pseudonyms (federation.core.pseudonyms): the same person has the
    # same pseudonym in all of its files. Shown nowhere, exported never, kept out of history.
    pseudonym_key = SecretField(max_length=64, default=new_key)
    glass_immediate_roles = models.ManyToManyField(
        "auth.Group",
        blank=True,
        related_name="+",
        verbose_name=_("roles that open a file at once"),
        help_text=_(
            "A user of these roles who asks to open a file she may not see (a domestic-violence case, a "
            "child's care file) gets it at once for a few hours, without waiting for approval; it is still "
            "logged, shown on your home page and reviewed every month. Leave empty: every request waits "
            "for the town administrator."
        ),
    )
    history = HistoricalRecords(excluded_fields=["pseudonym_key"])

    class Meta:
        default_permissions = DATA_PERMISSIONS
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="federation_town_unique_name",
                violation_error_message=_("A town with this name already exists in the county."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(pk__in=scope.visible_town_ids)


class Village(ScopedModel, models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("village")
        COMMUNITY = "community", _("community")

    town = models.ForeignKey(Town, models.PROTECT, related_name="villages", verbose_name=_("town"))
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VILLAGE)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    history = HistoricalRecords()

    class Meta:
        default_permissions = DATA_PERMISSIONS
        verbose_name = _("village (community)")
        verbose_name_plural = _("villages (communities)")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "name"],
                name="federation_village_unique_name",
                violation_error_message=_("A village with this name already exists in the town."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(pk__in=scope.village_ids)


class StaffScope(models.Model):
    """Where a staff user works: a whole town, or some of its villages."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_scope", verbose_name=_("user")
    )
    town = models.ForeignKey(Town, models.PROTECT, verbose_name=_("town"))
    town_wide = models.BooleanField(
        _("whole town"),
        default=False,
        help_text=_(
            "Ticked: she sees and keeps the records of every village of the town. "
            "Not ticked: only those of the villages chosen below."
        ),
    )
    villages = models.ManyToManyField(
        Village,
        blank=True,
        verbose_name=_("villages (communities)"),
        help_text=_(
            "The villages she works for: she sees, finds and enters their records only. Pick them in "
            "the left box and move them to the right with the arrow. Leave empty for the whole town."
        ),
    )
    history = HistoricalRecords(m2m_fields=[villages])

    class Meta:
        verbose_name = _("staff scope")
        verbose_name_plural = _("staff scopes")

    def __str__(self) -> str:
        return gettext("Scope of %(user)s") % {"user": self.user.get_username()}


class AuditRecord(models.Model):
    """Who did something and when; town-wide staff see their town's records."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(user__staff_scope__town__in=scope.town_ids)


class ImportRecord(AuditRecord):
    """One import of a roster file: who, when, which file, and what it did. Append-only.

    A failed or interrupted import is recorded too (outside its rolled-back transaction),
    with no counts of what it would have written."""

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")  # the file or a row had an error: nothing written
        INTERRUPTED = "interrupted", _("interrupted")  # the writing broke off: nothing written

    resource = models.CharField(_("roster"), max_length=50)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    new = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    applied = models.BooleanField(_("applied"), default=False, help_text=_("False when errors stopped the import."))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.FAILED,
        help_text=_("Failed: the file had errors. Interrupted: the writing broke off. Either way nothing was written."),
    )
    error = models.CharField(
        _("cause of interruption"),
        max_length=200,
        blank=True,
        help_text=_("The kind of error that interrupted the import; the server log has the details."),
    )

    class Meta:
        verbose_name = _("import record")
        verbose_name_plural = _("import records")
        ordering = ["-created_at"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return gettext("Import #%(id)s") % {"id": self.pk}


class ImportJob(models.Model):
    """A roster preview or import too big to wait for, run by the background worker
    (federation.core.importing.jobs), or a file an app prints there (its `resource` names
    which; its `token` is the file, kept as an upload): whose it is, how far it has got, and
    its result for the page.

    Kept a day (the result holds the file's errors and sample rows), then deleted."""

    class Kind(models.TextChoices):
        PREVIEW = "preview", pgettext_lazy("import job", "preview")
        CONFIRM = "confirm", pgettext_lazy("import job", "import")
        PRINT = "print", pgettext_lazy("import job", "print")  # many passbooks, say

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("import job", "waiting for the background worker")
        READING = "reading", pgettext_lazy("import job", "reading and checking the rows")
        PLANNING = "planning", pgettext_lazy("import job", "checking against the records")
        DONE = "done", pgettext_lazy("import job", "finished")
        FAILED = "failed", pgettext_lazy("import job", "failed")

    # A random id: the progress page's address names the job.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("user"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    kind = models.CharField(pgettext_lazy("import job", "kind"), max_length=10, choices=Kind.choices)
    resource = models.CharField(_("roster"), max_length=50)
    file_name = models.CharField(_("file name"), max_length=200)
    token = models.CharField(
        pgettext_lazy("import job", "upload"), max_length=100
    )  # the upload waiting in IMPORT_TMP_DIR
    village = models.ForeignKey(Village, models.SET_NULL, null=True, blank=True, related_name="+")
    again = models.BooleanField(pgettext_lazy("import job", "import again"), default=False)
    hidden = models.BooleanField(pgettext_lazy("import job", "import hidden rows and columns"), default=False)
    task_id = models.CharField(pgettext_lazy("import job", "task"), max_length=64, blank=True)
    state = models.CharField(
        pgettext_lazy("import job", "state"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    rows_done = models.PositiveIntegerField(pgettext_lazy("import job", "rows checked"), default=0)
    rows_total = models.PositiveIntegerField(pgettext_lazy("import job", "rows"), default=0)
    result = models.JSONField(pgettext_lazy("import job", "result"), null=True, blank=True)
    # Written by the worker every few seconds while it runs the job: a job whose worker was
    # killed stops beating, and its page says so (federation.core.importing.jobs.worker_failed).
    heartbeat_at = models.DateTimeField(pgettext_lazy("import job", "last sign of the worker"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("import job", "import job")
        verbose_name_plural = pgettext_lazy("import job", "import jobs")
        default_permissions = ()

    def __str__(self) -> str:
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class ReportLog(AuditRecord):
    """One viewing or download of a report or export: who, which, with what filters, and for a
    file of people the purpose given and whether it was locked with a password (never the
    password). Append-only."""

    report = models.CharField(_("report"), max_length=50)
    filters = models.JSONField(_("filters"), default=dict)
    format = models.CharField(_("format"), max_length=20)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    encrypted = models.BooleanField(_("locked with a password"), default=False)

    class Meta:
        verbose_name = _("report log")
        verbose_name_plural = _("report logs")
        ordering = ["-created_at"]
        default_permissions = ("view",)
        permissions = [
            ("view_reports", _("Can view and download reports")),
            # The county reader: every report of figures, without opening the records counted.
            ("view_all_figures", _("Can read the figures of every report without the records' permissions")),
        ]

    def __str__(self) -> str:
        return gettext("Report log #%(id)s") % {"id": self.pk}


class ExportPurpose(models.Model):
    """A purpose the town keeps for taking people's data out of the system (县妇联报送, 入户走访 …):
    every download of people asks for one of them, or for the purpose in the user's words."""

    town = models.ForeignKey(Town, models.CASCADE, related_name="export_purposes", verbose_name=_("town"))
    name = models.CharField(_("purpose"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("export purpose")
        verbose_name_plural = _("export purposes")
        ordering = ["town", "sort_order", "name"]
        default_permissions = ("add", "change", "delete", "view")
        constraints = [
            models.UniqueConstraint(
                fields=["town", "name"],
                name="federation_export_purpose_unique",
                violation_error_message=_("The town keeps this purpose already."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope) -> Q:
        return Q(town__in=scope.visible_town_ids)


class GlassAccess(ScopedModel, models.Model):
    """Break the glass (临时查阅): a user asks, with a reason, to open one file she may not see
    (an app declares which: registry.add_glass); the town administrator approves it, or the
    town lets the user's role open it at once. It is open from `opens_at` until `ends_at`
    (settings.GLASS_HOURS) and then closed by itself: nothing has to run for it to end. Every
    page she opens under it is a RecordAccess naming it; the town reviews them every month.
    Moved on only by the services of federation.core.glass."""

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("glass", "awaiting approval")
        APPROVED = "approved", pgettext_lazy("glass", "approved")
        REFUSED = "refused", pgettext_lazy("glass", "refused")
        IMMEDIATE = "immediate", pgettext_lazy("glass", "opened at once")
        REVOKED = "revoked", pgettext_lazy("glass", "withdrawn")

    OPEN = (Status.APPROVED, Status.IMMEDIATE)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    record = models.CharField(_("kind of record"), max_length=50)
    object_id = models.CharField(_("record id"), max_length=20)
    # How the file was named when asked for, as her masked list names it (a case's number,
    # village, kind and status): what every reader of the request may know of it.
    record_label = models.CharField(pgettext_lazy("glass", "file"), max_length=200)
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", verbose_name=_("village"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED, editable=False
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_note = models.TextField(_("decision note"), blank=True, editable=False)
    opens_at = models.DateTimeField(_("open from"), null=True, blank=True, editable=False)
    ends_at = models.DateTimeField(_("open until"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("request to open a file")
        verbose_name_plural = _("requests to open a file")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)
        permissions = [("approve_glass", _("Can approve and review requests to open a file for a few hours"))]
        constraints = [
            # Whoever asks never decides: not by a form, a script or the shell.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requester")),
                name="federation_glass_not_self_approved",
                violation_error_message=_("A request cannot be decided by the person who made it."),
            ),
            models.CheckConstraint(
                condition=Q(status="requested", opens_at__isnull=True, ends_at__isnull=True)
                | Q(status="refused", opens_at__isnull=True, ends_at__isnull=True, decided_at__isnull=False)
                | Q(
                    status__in=["approved", "immediate", "revoked"],
                    opens_at__isnull=False,
                    ends_at__isnull=False,
                    ends_at__gte=F("opens_at"),
                ),
                name="federation_glass_status_dates",
                violation_error_message=_("The request's status does not match its dates."),
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True) | ~Q(status="requested"),
                name="federation_glass_reviewed_when_decided",
                violation_error_message=_("A request is reviewed once it has been decided."),
            ),
            models.UniqueConstraint(
                fields=["requester", "record", "object_id"],
                condition=Q(status="requested"),
                name="federation_glass_one_request_waiting",
                violation_error_message=_("You have asked for this file already: the request is waiting."),
            ),
        ]
        indexes = [models.Index(fields=["requester", "status", "ends_at"], name="federation_glass_open")]

    def __str__(self) -> str:
        return self.record_label or gettext("Request #%(id)s") % {"id": self.pk}


class RecordAccess(AuditRecord):
    """Who opened which sensitive record (a health record, a care file, a dispute), and when
    (PIPL Art. 51, 55); under which glass access, when she opened it by one. Append-only."""

    record = models.CharField(_("kind of record"), max_length=50)
    object_id = models.CharField(_("record id"), max_length=20)
    action = models.CharField(_("action"), max_length=20)
    glass = models.ForeignKey(
        GlassAccess,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="pages",
        verbose_name=_("opened under the request"),
    )

    class Meta:
        verbose_name = _("record access")
        verbose_name_plural = _("sensitive record accesses")
        ordering = ["-created_at"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        try:
            kind = apps.get_model(self.record)._meta.verbose_name
        except (LookupError, ValueError):
            kind = self.record
        return f"{kind} #{self.object_id}"


class PurgeRecord(AuditRecord):
    """One run of `manage.py purge`: who ran it, when, the cut-off dates, and how many records
    of each kind it removed. What it removed is gone; this record stays (it is not purged)."""

    account = models.CharField(
        _("system account"), max_length=150, blank=True, help_text=_("The server account that ran the command.")
    )
    before = models.DateField(_("records older than"))
    logs_before = models.DateField(_("logs older than"))
    # {model label: records removed}, e.g. {"federation.person": 12}.
    counts = models.JSONField(_("records removed"), default=dict)
    kept = models.PositiveIntegerField(
        _("people kept"), default=0, help_text=_("People due for removal but still named by a record that stays.")
    )

    class Meta:
        verbose_name = _("purge record")
        verbose_name_plural = _("purge records")
        ordering = ["-created_at"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return gettext("Purge #%(id)s") % {"id": self.pk}


class SecondFactorReset(AuditRecord):
    """A superuser's reset of a user's authenticator app (a lost or changed phone): who reset
    whose, when and why. Her next login sets up a new one. Append-only."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("second factor", "account reset"),
    )
    # The account's login name when it was reset: the log still says whose after she is deleted.
    username = models.CharField(_("user name"), max_length=150)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = pgettext_lazy("second factor", "authenticator reset")
        verbose_name_plural = pgettext_lazy("second factor", "authenticator resets")
        ordering = ["-created_at"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return gettext("Authenticator reset #%(id)s") % {"id": self.pk}


class PeriodSubmission(ScopedModel, models.Model):
    """A village's ledgers of one month (or quarter) as submitted to the town (报送), and the
    town's answer. No row: not yet submitted. Approved: every record dated in the period in
    the village is locked (federation.core.periods) until a town administrator reopens it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("period", "submitted")
        RETURNED = "returned", pgettext_lazy("period", "returned")
        APPROVED = "approved", pgettext_lazy("period", "approved")
        REOPENED = "reopened", pgettext_lazy("period", "reopened")

    village = models.ForeignKey(Village, models.PROTECT, related_name="submissions", verbose_name=_("village"))
    start = models.DateField(_("period from"))
    end = models.DateField(_("period until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    note = models.TextField(_("note"), blank=True)
    comment = models.TextField(_("town's comment"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ledger submission")
        verbose_name_plural = _("ledger submissions")
        ordering = ["-start", "village__sort_order"]
        default_permissions = ("add", "view")
        permissions = [("review_periodsubmission", _("Can approve, return and reopen the villages' submissions"))]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "start"],
                name="federation_submission_unique_period",
                violation_error_message=_("This period of the village has been submitted already."),
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="federation_submission_period"),
        ]
        indexes = [models.Index(fields=["village", "status", "start", "end"], name="federation_submission_lock")]

    def __str__(self) -> str:
        return (
            f"{self.village} {period_label(self.start, self.end)}"
            if self.village_id
            else period_label(self.start, self.end)
        )


class PeriodEvent(models.Model):
    """What happened to a submission, in order: submitted, returned (with the town's
    comment), approved, reopened (with the reason). Append-only: the submission's log."""

    submission = models.ForeignKey(
        PeriodSubmission, models.CASCADE, related_name="events", verbose_name=_("ledger submission")
    )
    action = models.CharField(_("action"), max_length=10, choices=PeriodSubmission.Status.choices)
    text = models.TextField(_("note"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")
        ordering = ["created_at", "pk"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.submission} {self.get_action_display()}"


class ApprovedFigures(models.Model):
    """A report's table as it stood when a period was approved (federation.core.approved): for a
    village's approved month, and its quarter and year once all their months are; for the
    whole town once every village has the period approved. The report page, the downloads, the
    binder and the command print these for that village (or town) and period, and say how the
    figures computed from today's records differ. Removed when the period is reopened."""

    town = models.ForeignKey(Town, models.CASCADE, related_name="+", verbose_name=_("town"))
    village = models.ForeignKey(
        Village, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("village")
    )  # none: the whole town
    start = models.DateField(_("period from"))
    end = models.DateField(_("period until"))
    report = models.CharField(_("report"), max_length=50)
    header = models.JSONField(_("header"))
    rows = models.JSONField(_("rows"))
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        verbose_name = _("approved figures")
        verbose_name_plural = _("approved figures")
        default_permissions = ()
        # One per (town, village, period, report): `approved.keep` replaces what it keeps.
        indexes = [models.Index(fields=["town", "start", "end", "report"], name="federation_approved_find")]

    def __str__(self) -> str:
        return f"{self.report} {self.start}–{self.end}"
