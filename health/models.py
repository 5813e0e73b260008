"""两癌与HPV: screenings, two-cancer insurance, aid applications for poor mothers, and the
HPV roster of girls aged 9–14 (doses and the reasons a girl is not vaccinated).

These are medical records: their admins need the health permissions, opening one is
logged (federation's RecordAccess), and no result or diagnosis is ever part of a `__str__`.
Every write goes through services.py.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from federation.core.files import ProtectedFileField, validate_attachment
from federation.core.models import ScopedModel, Village
from federation.core.roles import DATA_PERMISSIONS
from federation.models import Person


def label(*parts) -> str:
    """A record's name as a clerk says it: "李秀英 2024-03-11 两癌筛查记录" (whom, when, what),
    the empty parts left out. Never an ID number, a phone, a result or a diagnosis."""
    return " ".join(part.isoformat() if isinstance(part, date) else str(part) for part in parts if part)


class HealthRecord(ScopedModel, models.Model):
    """What every health record has: the woman or girl it is about, and who wrote it."""

    scope_village_path = "person__village"
    count_village_path = "village"
    must_be_female = True

    person = models.ForeignKey(Person, models.PROTECT, related_name="%(class)s_set", verbose_name=_("person"))
    # Her village when the record was written: reports count by it without joining every
    # record to the people roster. Who may see a record still follows where she lives now.
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", editable=False, verbose_name=_("village"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True
        default_permissions = DATA_PERMISSIONS

    def person_name(self) -> str:
        person = self.person if self.person_id else None
        return person.name if person else ""

    def clean(self) -> None:
        if self.person_id and self.must_be_female and self.person.sex != Person.Sex.FEMALE:
            raise ValidationError({"person": gettext("%(name)s is not a woman.") % {"name": self.person.name}})


class Screening(HealthRecord):
    """A two-cancer screening (两癌筛查) and its result, once the woman has consented."""

    class Kind(models.TextChoices):
        CERVICAL = "cervical", _("cervical cancer")
        BREAST = "breast", _("breast cancer")
        BOTH = "both", _("cervical and breast cancer")

    class Result(models.TextChoices):
        NORMAL = "normal", _("normal")
        ABNORMAL = "abnormal", _("abnormal, recheck needed")
        SUSPECTED = "suspected", _("suspected")
        CONFIRMED = "confirmed", _("confirmed")

    date = models.DateField(_("screening date"))
    kind = models.CharField(_("screened for"), max_length=10, choices=Kind.choices, default=Kind.BOTH)
    institution = models.CharField(_("institution"), max_length=100)
    free_programme = models.BooleanField(_("free programme"), default=True)
    consent_by = models.CharField(
        _("consent given by"), max_length=50, blank=True, help_text=_("Usually the woman herself.")
    )
    consent_on = models.DateField(_("consent date"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True)
    recheck_date = models.DateField(_("recheck date"), null=True, blank=True)
    recheck_outcome = models.CharField(_("recheck outcome"), max_length=10, choices=Result.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta(HealthRecord.Meta):
        verbose_name = _("screening")
        verbose_name_plural = _("two-cancer screenings")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["date", "free_programme"], name="health_screening_date"),
            # The home page's work list: the few results not normal and not yet rechecked.
            models.Index(
                fields=["person"],
                condition=Q(result__in=["abnormal", "suspected", "confirmed"], recheck_outcome=""),
                name="health_screening_recheck",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(result="") | (Q(consent_on__isnull=False) & ~Q(consent_by="")),
                name="health_screening_result_needs_consent",
                violation_error_message=_("Record the woman's consent (who and when) before the result."),
            ),
            models.CheckConstraint(
                condition=Q(recheck_outcome="") | (~Q(result="") & Q(recheck_date__isnull=False)),
                name="health_screening_recheck_after_result",
                violation_error_message=_("A recheck outcome needs a result and a recheck date."),
            ),
        ]

    def __str__(self) -> str:
        # What she was screened for is not said: the label is in logs and messages.
        return label(self.person_name(), self.date, self._meta.verbose_name)

    def clean(self) -> None:
        super().clean()
        if self.recheck_date and self.date and self.recheck_date < self.date:
            raise ValidationError({"recheck_date": gettext("The recheck cannot be before the screening.")})
        if self.consent_on and self.date and self.consent_on > self.date and self.result:
            raise ValidationError({"consent_on": gettext("The consent is dated after the screening.")})


class InsurancePolicy(HealthRecord):
    """A two-cancer insurance policy (两癌保险) of a woman for a year."""

    class PaidBy(models.TextChoices):
        SELF = "self", _("herself")
        SUBSIDY = "subsidy", _("government subsidy")
        CHARITY = "charity", _("charity")

    year = models.PositiveSmallIntegerField(_("year"))
    insurer = models.CharField(_("insurer"), max_length=100)
    product = models.CharField(_("product"), max_length=100)
    premium = models.DecimalField(_("premium (yuan)"), max_digits=8, decimal_places=2)
    paid_by = models.CharField(_("paid by"), max_length=10, choices=PaidBy.choices)
    cover_start = models.DateField(_("cover from"))
    cover_end = models.DateField(_("cover until"))
    history = HistoricalRecords()

    class Meta(HealthRecord.Meta):
        verbose_name = _("insurance policy")
        verbose_name_plural = _("two-cancer insurance")
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "product"],
                name="health_insurancepolicy_one_per_year_product",
                violation_error_message=_("This woman already has this product for this year."),
            ),
            models.CheckConstraint(
                condition=Q(cover_end__gte=models.F("cover_start")),
                name="health_insurancepolicy_cover_in_order",
                violation_error_message=_("The cover ends before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(premium__gte=0),
                name="health_insurancepolicy_premium_not_negative",
                violation_error_message=_("The premium cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return label(self.person_name(), self.year, self.product or self._meta.verbose_name)


class CancerAidApplication(HealthRecord):
    """An application for two-cancer aid (贫困母亲两癌救助): 申报 → 审核通过 → 已发放, or 未通过.
    The status changes only through the services."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        PAID = "paid", _("paid")
        REJECTED = "rejected", _("rejected")

    diagnosis = models.CharField(_("diagnosis"), max_length=200)
    hospital = models.CharField(_("hospital"), max_length=100)
    medical_costs = models.DecimalField(_("medical costs (yuan)"), max_digits=10, decimal_places=2)
    amount_requested = models.DecimalField(_("amount requested (yuan)"), max_digits=10, decimal_places=2)
    amount_granted = models.DecimalField(
        _("amount granted (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED, editable=False
    )
    submitted_on = models.DateField(_("submitted on"))
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reviewed by"),
    )
    reject_reason = models.CharField(_("reason not approved"), max_length=200, blank=True, editable=False)

    class PaymentMethod(models.TextChoices):
        BANK = "bank", _("bank transfer")
        CARD = "card", _("social security card")
        CASH = "cash", _("cash")

    paid_on = models.DateField(_("paid on"), null=True, blank=True, editable=False)
    paid_amount = models.DecimalField(
        _("amount paid (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )
    paid_method = models.CharField(
        _("how it was paid"), max_length=10, choices=PaymentMethod.choices, blank=True, editable=False
    )
    paid_to = models.CharField(_("paid to"), max_length=50, blank=True, editable=False)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        # Who recorded the payment (a user), not how an insurance premium is paid.
        verbose_name=pgettext_lazy("aid", "payment recorded by"),
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta(HealthRecord.Meta):
        verbose_name = _("aid application")
        verbose_name_plural = _("two-cancer aid applications")
        ordering = ["-submitted_on", "-pk"]
        permissions = [("review_canceraidapplication", _("Can review and pay aid applications"))]
        constraints = [
            # Each status carries the dates of the steps that led to it, and only those.
            models.CheckConstraint(
                condition=(
                    Q(status="submitted", reviewed_on__isnull=True, paid_on__isnull=True)
                    | Q(
                        status="approved", reviewed_on__isnull=False, amount_granted__isnull=False, paid_on__isnull=True
                    )
                    | Q(status="paid", reviewed_on__isnull=False, amount_granted__isnull=False, paid_on__isnull=False)
                    | (Q(status="rejected", reviewed_on__isnull=False, paid_on__isnull=True) & ~Q(reject_reason=""))
                ),
                name="health_canceraidapplication_steps",
                violation_error_message=_("The status does not match the dated steps."),
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__gt=0) & (Q(amount_granted__isnull=True) | Q(amount_granted__gt=0)),
                name="health_canceraidapplication_amounts_positive",
                violation_error_message=_("Amounts must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return label(self.person_name(), self.submitted_on, self._meta.verbose_name)

    @property
    def closed(self) -> bool:
        """Decided (approved, paid or not approved): a record of what was decided, which is
        neither changed nor deleted."""
        return self.status != self.Status.SUBMITTED


class CancerAidAttachment(ScopedModel, models.Model):
    """A file of a two-cancer aid application (the diagnosis certificate, invoices, an ID
    copy…): kept in the protected store and sent only to staff who may see the application
    (federation.core.files). A decided application keeps its files as they were."""

    class Kind(models.TextChoices):
        DIAGNOSIS = "diagnosis", _("diagnosis certificate")
        INVOICE = "invoice", _("medical invoices")
        ID_COPY = "id_copy", _("ID card copy")
        HARDSHIP = "hardship", _("proof of hardship")
        OTHER = "other", _("other")

    scope_village_path = "application__person__village"

    application = models.ForeignKey(
        CancerAidApplication, models.CASCADE, related_name="attachments", verbose_name=_("aid application")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = ProtectedFileField(
        _("file"),
        upload_to="health/%Y/%m/",
        validators=[validate_attachment],
        help_text=_("A photo (JPEG or PNG) or a PDF."),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        default_permissions = DATA_PERMISSIONS

    def __str__(self) -> str:
        # Its kind and day, not its title or file name: those may name the diagnosis.
        return label(self.get_kind_display(), self.uploaded_at.date() if self.uploaded_at else None)


class HPVGirl(Person):
    """The HPV roster's view of a person: a girl, her doses and the reasons recorded."""

    class Meta:
        proxy = True
        verbose_name = _("girl (HPV roster)")
        verbose_name_plural = _("HPV vaccination roster")
        default_permissions = ("view", "change", "export")


class HPVDose(HealthRecord):
    class Vaccine(models.TextChoices):
        DOMESTIC_BIVALENT = "bivalent_cn", _("domestic bivalent")
        IMPORTED_BIVALENT = "bivalent", _("imported bivalent")
        QUADRIVALENT = "quadrivalent", _("quadrivalent")
        NONAVALENT = "nonavalent", _("nine-valent")

    dose_number = models.PositiveSmallIntegerField(_("dose"), choices=[(1, _("1st")), (2, _("2nd")), (3, _("3rd"))])
    date = models.DateField(_("vaccination date"))
    vaccine = models.CharField(_("vaccine"), max_length=15, choices=Vaccine.choices)
    site = models.CharField(_("vaccination site"), max_length=100)
    consent_by = models.CharField(_("guardian who consented"), max_length=50)
    consent_on = models.DateField(_("consent date"))
    history = HistoricalRecords()

    class Meta(HealthRecord.Meta):
        verbose_name = _("HPV dose")
        verbose_name_plural = _("HPV doses")
        ordering = ["person", "dose_number"]
        indexes = [models.Index(fields=["person", "date"], name="health_hpvdose_person_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "dose_number"],
                name="health_hpvdose_unique_dose_number",
                violation_error_message=_("This dose of this girl is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(dose_number__gte=1, dose_number__lte=3),
                name="health_hpvdose_dose_number_range",
                violation_error_message=_("The dose is the 1st, 2nd or 3rd."),
            ),
            models.CheckConstraint(
                condition=~Q(consent_by="") & Q(consent_on__lte=models.F("date")),
                name="health_hpvdose_guardian_consent",
                violation_error_message=_("Record the guardian's consent (who and when, not after the dose)."),
            ),
        ]

    def __str__(self) -> str:
        dose = self.get_dose_number_display() if self.dose_number else ""
        return label(self.person_name(), self.date, self._meta.verbose_name, dose)

    def clean(self) -> None:
        super().clean()
        if not (self.person_id and self.date and self.dose_number):
            return  # the blank field's own error says what is missing
        if self.date < self.person.birth_date:
            raise ValidationError(
                {
                    "date": gettext("The vaccination date is before the girl's birth (%(born)s).")
                    % {"born": self.person.birth_date}
                }
            )
        if self.consent_on and self.consent_on > self.date:
            raise ValidationError({"consent_on": gettext("The consent is dated after the dose.")})
        others = HPVDose.objects.filter(person_id=self.person_id).exclude(pk=self.pk)
        for other in others:
            if other.dose_number == self.dose_number:
                raise ValidationError({"dose_number": gettext("This dose of this girl is already recorded.")})
            if (other.dose_number < self.dose_number) != (other.date < self.date):
                raise ValidationError(
                    {
                        "date": gettext("Dose %(n)s was given on %(date)s: doses are dated in order.")
                        % {"n": other.dose_number, "date": other.date}
                    }
                )
        if (
            self.dose_number
            and self.dose_number > 1
            and not any(other.dose_number == self.dose_number - 1 for other in others)
        ):
            raise ValidationError({"dose_number": gettext("Record dose %(n)s first.") % {"n": self.dose_number - 1}})


class HPVDeferral(HealthRecord):
    """Why a girl is not vaccinated (yet), and when to ask again."""

    class Reason(models.TextChoices):
        ILLNESS = "illness", _("cold, medication or other illness")
        GUARDIAN_REFUSED = "refused", _("guardian refused")
        ELSEWHERE = "elsewhere", _("vaccinated elsewhere")
        AWAY = "away", _("away or moved out")
        CONTRAINDICATION = "contraindication", _("contraindication")
        OTHER = "other", _("other")

    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    recorded_on = models.DateField(_("date"))
    ask_again_on = models.DateField(_("ask again on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta(HealthRecord.Meta):
        verbose_name = _("reason not vaccinated")
        verbose_name_plural = _("reasons not vaccinated")
        ordering = ["person", "-recorded_on"]
        indexes = [models.Index(fields=["person", "recorded_on"], name="health_hpvdeferral_person_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ask_again_on__isnull=True) | Q(ask_again_on__gte=models.F("recorded_on")),
                name="health_hpvdeferral_ask_again_later",
                violation_error_message=_("Ask again on or after the day the reason was recorded."),
            )
        ]

    def __str__(self) -> str:
        # Not the reason itself: an illness or a contraindication is health information.
        return label(self.person_name(), self.recorded_on, self._meta.verbose_name)
