"""关爱帮扶: the care-target register (三留守一特困), caring mothers paired with children and
their visits, marriage and family disputes, and charity aid to households.

Files on minors and on domestic violence: their admins need the aid permissions, domestic-
violence cases one more (their parties are masked for everyone else), opening a care or
dispute file is logged, and every write goes through services.py.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from federation.core.fields import PhoneField
from federation.core.files import ProtectedFileField, validate_attachment
from federation.core.identity import years_before
from federation.core.models import ScopedModel, Town, Village
from federation.core.roles import DATA_PERMISSIONS
from federation.core.scoping import Scope
from federation.models import Household, Person


def label(*parts) -> str:
    """A record's name as a clerk says it: "吴欢 2024-03-11 走访" (whom, when, what), the
    empty parts left out. Never an ID number, a phone or a diagnosis."""
    return " ".join(part.isoformat() if isinstance(part, date) else str(part) for part in parts if part)


class CareTarget(ScopedModel, models.Model):
    """A person on the care register in a category, from a date (until a date)."""

    class Category(models.TextChoices):
        LEFT_BEHIND_CHILD = "lb_child", _("left-behind child")
        CHILD_IN_DIFFICULTY = "child_difficulty", _("child in difficulty")
        LEFT_BEHIND_WOMAN = "lb_woman", _("left-behind woman")
        WOMAN_IN_DIFFICULTY = "woman_difficulty", _("woman in difficulty")
        LEFT_BEHIND_ELDERLY = "lb_elderly", _("left-behind elderly")
        EXTREMELY_POOR = "extremely_poor", _("extremely poor")

    CHILD_CATEGORIES = (Category.LEFT_BEHIND_CHILD, Category.CHILD_IN_DIFFICULTY)

    scope_village_path = "person__village"

    person = models.ForeignKey(Person, models.PROTECT, related_name="care_targets", verbose_name=_("person"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    guardian_name = models.CharField(_("guardian"), max_length=50, blank=True)
    guardian_phone = PhoneField(_("guardian's phone"), blank=True)
    parents_work_place = models.CharField(_("where the parents work"), max_length=100, blank=True)
    situation = models.TextField(_("situation"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care target")
        verbose_name_plural = _("care targets")
        ordering = ["person__village__sort_order", "category", "person__name"]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"],
                condition=Q(until__isnull=True),
                name="aid_caretarget_one_open_per_category",
                violation_error_message=_("This person is already on the register in this category."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="aid_caretarget_until_after_since",
                violation_error_message=_("The end date is before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_category_display()}）"

    # What a picker (the visit's 关爱对象) loads with each entry: its label names the person.
    picker_related = ("person",)

    @classmethod
    def adult_in_child_category(cls, category: str, birth_date: date, day: date) -> bool:
        """The child categories are for people under 18 on the day."""
        return category in cls.CHILD_CATEGORIES and birth_date <= years_before(day, 18)

    def clean(self) -> None:
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": gettext("The end date is before the start date.")})
        if (
            self.person_id
            and self.since
            and self.adult_in_child_category(self.category, self.person.birth_date, self.since)
        ):
            raise ValidationError(
                {"category": gettext("%(name)s is 18 or over: not a child.") % {"name": self.person.name}}
            )


class Pairing(ScopedModel, models.Model):
    """A caring mother (爱心妈妈) paired with a child in care."""

    scope_village_path = "child__village"

    mother = models.ForeignKey(
        Person, models.PROTECT, related_name="pairings_as_mother", verbose_name=_("caring mother")
    )
    child = models.ForeignKey(Person, models.PROTECT, related_name="pairings_as_child", verbose_name=_("child"))
    start = models.DateField(_("paired on"))
    end = models.DateField(_("ended on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("caring-mother pairings")
        ordering = ["-start", "-pk"]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(end__isnull=True),
                name="aid_pairing_one_active_per_child",
                violation_error_message=_("This child already has a caring mother."),
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="aid_pairing_end_after_start",
                violation_error_message=_("The pairing ends before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(mother=F("child")),
                name="aid_pairing_two_people",
                violation_error_message=_("A caring mother cannot be paired with herself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mother.name} — {self.child.name}"


class CareVisit(ScopedModel, models.Model):
    """Care work with a person on the register (关爱记录): a caring mother's visit to her child
    (it names the pairing), or a visit of the federation's staff or another visitor to anyone
    on the register, a left-behind woman, an elderly person, a child without a mother."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("home visit")
        CALL = "call", _("phone call")
        STUDY_DESK = "study_desk", _("weekend study desk")
        FESTIVAL = "festival", _("festival visit")
        COUNSELLING = "counselling", _("counselling")
        OTHER = "other", _("other")

    scope_village_path = "target__person__village"
    count_village_path = "village"

    target = models.ForeignKey(CareTarget, models.PROTECT, related_name="visits", verbose_name=_("care target"))
    pairing = models.ForeignKey(
        Pairing,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("pairing"),
        help_text=_("A caring mother's visit: her pairing. Leave it empty for a visit by staff or another visitor."),
    )
    visitor = models.CharField(
        _("visited by"),
        max_length=100,
        blank=True,
        help_text=_("Who visited, when it was not the caring mother of the pairing. Left empty, your name."),
    )
    # The person's village when the visit was recorded: the village's ledgers count it there,
    # and a child who moves does not take her visits out of an approved month. Who may see
    # it still follows where she lives now.
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", editable=False, verbose_name=_("village"))
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    content = models.TextField(_("what was done"))
    gifts = models.CharField(_("gifts"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-date", "-pk"]
        default_permissions = DATA_PERMISSIONS
        indexes = [
            models.Index(fields=["pairing", "date"], name="aid_carevisit_pairing_date"),
            models.Index(fields=["target", "date"], name="aid_carevisit_target_date"),
            models.Index(fields=["village", "date"], name="aid_carevisit_village_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(pairing__isnull=False) | ~Q(visitor=""),
                name="aid_carevisit_someone_visited",
                violation_error_message=_("Say who visited: without a pairing it was not a caring mother."),
            ),
        ]

    def __str__(self) -> str:
        # 吴欢 2024-03-11 走访: whom, when, what (its lists and history pages load the person).
        target = self.target if self.target_id else None
        return label(target.person.name if target else "", self.date, self.get_kind_display())

    @property
    def visited_by(self) -> str:
        """The caring mother of the pairing, or the visitor named."""
        if self.pairing_id:
            return self.pairing.mother.name
        return self.visitor

    def clean(self) -> None:
        errors = {}
        if self.pairing_id and self.date:
            if self.date < self.pairing.start or (self.pairing.end and self.date > self.pairing.end):
                errors["date"] = gettext("The visit is outside the pairing's dates.")
        if self.pairing_id and self.target_id and self.pairing.child_id != self.target.person_id:
            errors["pairing"] = gettext("The pairing is not %(name)s's.") % {"name": self.target.person.name}
        elif not self.pairing_id and self.target_id and self.date:
            # A caring mother's visit keeps to her pairing's dates; anyone else's to the register's.
            target = self.target
            if self.date < target.since or (target.until and self.date > target.until):
                errors["date"] = gettext("%(name)s is not on the care register on that day.") % {
                    "name": target.person.name
                }
        if errors:
            raise ValidationError(errors)


# What a masked value shows.
MASK = "＊＊＊"


class Confidential:
    """A record of a domestic-violence case: to a user without CONFIDENTIAL_PERMISSION it is
    CONFIDENTIAL_VISIBLE only. Every list, export and ledger masks the rest, and no list sorts
    or filters it by the rest (aid.admin.ConfidentialAdminMixin, the resources, the ledgers);
    the reports' figures counting it are given her for whole months only (the permission
    declared here is what federation.core.reporting looks for)."""

    CONFIDENTIAL_PERMISSION = "aid.view_domestic_violence"
    CONFIDENTIAL_VISIBLE: tuple[str, ...] = ()

    @classmethod
    def confidential_q(cls) -> Q:
        """The confidential records, as a query."""
        raise NotImplementedError

    @property
    def confidential(self) -> bool:
        raise NotImplementedError

    @classmethod
    def sees_confidential(cls, user) -> bool:
        return bool(user and user.has_perm(cls.CONFIDENTIAL_PERMISSION))

    def hidden_from(self, user) -> bool:
        """Whether `user` may know only CONFIDENTIAL_VISIBLE of this record."""
        return self.confidential and not self.sees_confidential(user)


class DisputeCase(Confidential, ScopedModel, models.Model):
    """A marriage or family dispute, from its discovery to its settlement. The status
    changes only through the services; a closed case is a record and is not edited."""

    class Kind(models.TextChoices):
        MARRIAGE = "marriage", _("marriage")
        FAMILY = "family", _("family (between generations)")
        NEIGHBOUR = "neighbour", _("neighbours")
        PROPERTY = "property", _("property")
        DOMESTIC_VIOLENCE = "violence", _("domestic violence")

    class Source(models.TextChoices):
        SCREENING = "screening", _("dispute screening")
        VISIT = "visit", _("home visit")
        WALK_IN = "walk_in", _("came to us")
        POLICE = "police", _("referred by the police station")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        MEDIATING = "mediating", _("being mediated")
        RESOLVED = "resolved", _("resolved")
        TRANSFERRED = "transferred", _("transferred")
        TERMINATED = "terminated", _("terminated")

    CLOSED = (Status.RESOLVED, Status.TRANSFERRED, Status.TERMINATED)

    # A domestic-violence case, to a user without the permission, is its number, village,
    # kind and status (Confidential), and its label (__str__) is its number.
    CONFIDENTIAL_VISIBLE = ("number", "village", "kind", "status")

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", editable=False, verbose_name=_("town"))
    number = models.CharField(_("case number"), max_length=30, editable=False)
    village = models.ForeignKey(Village, models.PROTECT, related_name="disputes", verbose_name=_("village"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("found through"), max_length=20, choices=Source.choices)
    found_on = models.DateField(_("found on"))
    parties = models.ManyToManyField(Person, related_name="+", verbose_name=_("parties"))
    summary = models.TextField(_("what happened"))
    members = models.CharField(_("executive members"), max_length=200, blank=True)
    mediators = models.CharField(_("mediators"), max_length=200, blank=True)
    police = models.CharField(_("police officers"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED, editable=False
    )
    mediation_started_on = models.DateField(_("mediation started"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    outcome = models.TextField(_("outcome"), blank=True, editable=False)
    transferred_to = models.CharField(_("transferred to"), max_length=100, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords(m2m_fields=[parties])

    class Meta:
        verbose_name = _("dispute case")
        verbose_name_plural = _("marriage and family disputes")
        ordering = ["-found_on", "-pk"]
        default_permissions = DATA_PERMISSIONS
        permissions = [("view_domestic_violence", _("Can see domestic-violence cases and their parties"))]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "number"],
                name="aid_disputecase_unique_number",
                violation_error_message=_("This case number is taken."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="registered", closed_on__isnull=True)
                    | Q(status="mediating", mediation_started_on__isnull=False, closed_on__isnull=True)
                    | (
                        Q(status__in=["resolved", "transferred", "terminated"], closed_on__isnull=False)
                        & ~Q(outcome="")
                    )
                ),
                name="aid_disputecase_status_dates",
                violation_error_message=_("The status does not match the case's dates."),
            ),
        ]

    def __str__(self) -> str:
        return self.number or gettext("New case")

    @property
    def closed(self) -> bool:
        return self.status in self.CLOSED

    @classmethod
    def confidential_q(cls) -> Q:
        return Q(kind=cls.Kind.DOMESTIC_VIOLENCE)

    @property
    def confidential(self) -> bool:
        return self.kind == self.Kind.DOMESTIC_VIOLENCE


class MediationSession(ScopedModel, models.Model):
    """One sitting of a dispute's mediation (调解记录): when and where, who mediated, who of
    the parties came, what was done or agreed and how it ended. A closed case's sessions are
    its record and are not changed; a domestic-violence case's are as confidential as it is
    (they are shown only on its page)."""

    class Result(models.TextChoices):
        AGREED = "agreed", _("agreement reached")
        PARTLY = "partly", _("partly agreed")
        NOT_AGREED = "not_agreed", _("no agreement")

    scope_village_path = "case__village"
    count_village_path = "village"

    case = models.ForeignKey(DisputeCase, models.CASCADE, related_name="sessions", verbose_name=_("dispute case"))
    # The case's village when the session was recorded: the month it is locked in is that
    # village's (as for visits and aid).
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", editable=False, verbose_name=_("village"))
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    mediators = models.CharField(_("mediators"), max_length=200)
    present = models.CharField(_("parties present"), max_length=200, blank=True)
    content = models.TextField(_("what was done or agreed"))
    result = models.CharField(_("result of the session"), max_length=20, choices=Result.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["date", "pk"]
        default_permissions = DATA_PERMISSIONS
        indexes = [models.Index(fields=["village", "date"], name="aid_mediation_village_date")]

    def __str__(self) -> str:
        # The case's number, as the case's own label; a domestic-violence case's sessions do not
        # say when they sat (its dates are hidden from those who may not see it).
        case = self.case if self.case_id else None
        if case is None:
            return str(self._meta.verbose_name)
        return label(case.number, None if case.confidential else self.date, self._meta.verbose_name)

    @property
    def closed(self) -> bool:
        """Its case is closed: the session is part of the case's record (not changed, not deleted)."""
        return bool(self.case_id) and self.case.closed

    def clean(self) -> None:
        if self.case_id and self.date and self.date < self.case.found_on:
            raise ValidationError(
                {
                    "date": gettext("The session is dated before the case was found (%(day)s).")
                    % {"day": self.case.found_on.isoformat()}
                }
            )


class OfCaseConfidential(Confidential):
    """A record of a dispute case (a referral, a protection measure): as confidential as its
    case, and shown to a user without the permission as the case is (its number, village, what
    kind of record, where it stands)."""

    @classmethod
    def confidential_q(cls) -> Q:
        return Q(case__kind=DisputeCase.Kind.DOMESTIC_VIOLENCE)

    @property
    def confidential(self) -> bool:
        return bool(self.case_id) and self.case.confidential


class Referral(OfCaseConfidential, ScopedModel, models.Model):
    """A dispute referred to another agency (转介): to whom, when, what was asked, whether it
    was taken up and with what result, and the follow-ups. The status changes only through the
    services; a closed case's referral keeps what was asked (its answer, result and follow-ups
    are still recorded: a case transferred to the court is answered after it is closed)."""

    class Agency(models.TextChoices):
        POLICE = "police", pgettext_lazy("agency", "police station")
        JUDICIAL = "judicial", pgettext_lazy("agency", "judicial office")
        COURT = "court", pgettext_lazy("agency", "court")
        CIVIL_AFFAIRS = "civil_affairs", pgettext_lazy("agency", "civil affairs")
        HEALTH = "health", pgettext_lazy("agency", "health centre")
        SHELTER = "shelter", pgettext_lazy("agency", "shelter or relief station")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        REFERRED = "referred", pgettext_lazy("referral", "referred")
        ACCEPTED = "accepted", pgettext_lazy("referral", "accepted")
        CLOSED = "closed", pgettext_lazy("referral", "closed")
        DECLINED = "declined", pgettext_lazy("referral", "not accepted")

    # "agency" is the referral's kind: the agency's own name, what was asked and the dates are
    # hidden with the rest.
    CONFIDENTIAL_VISIBLE = ("case", "village", "agency", "status")

    scope_village_path = "case__village"
    count_village_path = "village"

    case = models.ForeignKey(DisputeCase, models.CASCADE, related_name="referrals", verbose_name=_("dispute case"))
    # The case's village when the referral was recorded: the month it is locked in is that
    # village's (as for sessions).
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", editable=False, verbose_name=_("village"))
    agency = models.CharField(_("referred to"), max_length=20, choices=Agency.choices)
    agency_name = models.CharField(
        _("agency's name"), max_length=100, help_text=_("For example 城关派出所 or 县人民法院.")
    )
    referred_on = models.DateField(_("referred on"))
    contact = models.CharField(_("contacted"), max_length=100, blank=True, help_text=_("Who was contacted there."))
    request = models.TextField(_("what was asked"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REFERRED, editable=False
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True, editable=False)
    closed_on = models.DateField(pgettext_lazy("referral", "closed on"), null=True, blank=True, editable=False)
    result = models.TextField(pgettext_lazy("referral", "result"), blank=True, editable=False)
    follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-pk"]
        default_permissions = DATA_PERMISSIONS
        indexes = [models.Index(fields=["village", "referred_on"], name="aid_referral_village_date")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status="referred", answered_on__isnull=True, closed_on__isnull=True)
                    | Q(status="accepted", answered_on__isnull=False, closed_on__isnull=True)
                    | (Q(status="declined", answered_on__isnull=False, closed_on__isnull=True) & ~Q(result=""))
                    | (Q(status="closed", answered_on__isnull=False, closed_on__isnull=False) & ~Q(result=""))
                ),
                name="aid_referral_status_dates",
                violation_error_message=_("The status does not match the referral's dates."),
            ),
            models.CheckConstraint(
                condition=(Q(answered_on__isnull=True) | Q(answered_on__gte=F("referred_on")))
                & (Q(closed_on__isnull=True) | Q(closed_on__gte=F("answered_on"))),
                name="aid_referral_dates_in_order",
                violation_error_message=_("The referral's dates are out of order."),
            ),
        ]

    def __str__(self) -> str:
        # The case's number and the agency: a domestic-violence case's referral does not say when.
        case = self.case if self.case_id else None
        if case is None:
            return str(self._meta.verbose_name)
        return label(case.number, None if case.confidential else self.referred_on, self.get_agency_display())

    @property
    def closed(self) -> bool:
        """Its case is closed: what was referred is part of the case's record."""
        return bool(self.case_id) and self.case.closed

    def clean(self) -> None:
        if self.case_id and self.referred_on and self.referred_on < self.case.found_on:
            raise ValidationError(
                {
                    "referred_on": gettext("The referral is dated before the case was found (%(day)s).")
                    % {"day": self.case.found_on.isoformat()}
                }
            )
        if self.follow_up_on and self.referred_on and self.follow_up_on < self.referred_on:
            raise ValidationError({"follow_up_on": gettext("The next follow-up is before the referral.")})


class ReferralFollowUp(Confidential, ScopedModel, models.Model):
    """A follow-up of a referral (跟进): a call or visit to the agency or the parties. A
    domestic-violence case's is shown to a user who may not see the case as its referral only."""

    CONFIDENTIAL_VISIBLE = ("referral",)

    scope_village_path = "referral__case__village"
    count_village_path = "referral__village"

    referral = models.ForeignKey(Referral, models.CASCADE, related_name="follow_ups", verbose_name=_("referral"))
    date = models.DateField(_("date"))
    note = models.TextField(_("what was learned"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral follow-up")
        verbose_name_plural = _("referral follow-ups")
        ordering = ["date", "pk"]
        default_permissions = DATA_PERMISSIONS

    def __str__(self) -> str:
        referral = self.referral if self.referral_id else None
        return label(str(referral) if referral else "", None, self._meta.verbose_name)

    @classmethod
    def confidential_q(cls) -> Q:
        return Q(referral__case__kind=DisputeCase.Kind.DOMESTIC_VIOLENCE)

    @property
    def confidential(self) -> bool:
        return bool(self.referral_id) and self.referral.confidential

    def clean(self) -> None:
        if self.referral_id and self.date and self.date < self.referral.referred_on:
            raise ValidationError({"date": gettext("The follow-up is dated before the referral.")})


class ProtectionMeasure(OfCaseConfidential, ScopedModel, models.Model):
    """A police warning letter (告诫书) or a personal safety protection order (人身安全保护令)
    of a domestic-violence case. `date` is its first date (issued or applied for): the month it
    is locked in; a court's decision on an old application is the work of its own day."""

    class Kind(models.TextChoices):
        WARNING = "warning", pgettext_lazy("measure", "police warning letter")
        ORDER = "order", pgettext_lazy("measure", "personal safety protection order")

    class Decision(models.TextChoices):
        PENDING = "pending", pgettext_lazy("order", "awaiting decision")
        GRANTED = "granted", pgettext_lazy("order", "granted")
        REFUSED = "refused", pgettext_lazy("order", "refused")

    CONFIDENTIAL_VISIBLE = ("case", "village", "kind", "decision")

    scope_village_path = "case__village"
    count_village_path = "village"

    case = models.ForeignKey(
        DisputeCase, models.CASCADE, related_name="protection_measures", verbose_name=_("dispute case")
    )
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", editable=False, verbose_name=_("village"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("first date"), editable=False)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_by = models.CharField(
        _("issued by"), max_length=100, blank=True, help_text=_("The police station that issued the letter.")
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    court = models.CharField(_("court"), max_length=100, blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decided_on = models.DateField(pgettext_lazy("order", "decided on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warning letter or protection order")
        verbose_name_plural = _("warning letters and protection orders")
        ordering = ["-date", "-pk"]
        default_permissions = DATA_PERMISSIONS
        indexes = [models.Index(fields=["village", "date"], name="aid_measure_village_date")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="warning",
                        issued_on__isnull=False,
                        date=F("issued_on"),
                        applied_on__isnull=True,
                        decision="",
                        decided_on__isnull=True,
                        valid_until__isnull=True,
                    )
                    | Q(kind="order", applied_on__isnull=False, date=F("applied_on"), issued_on__isnull=True)
                    & (
                        Q(decision="pending", decided_on__isnull=True, valid_until__isnull=True)
                        # Each date named not null: a comparison with a null passes a CHECK.
                        | Q(
                            decision="granted",
                            decided_on__isnull=False,
                            valid_until__isnull=False,
                            decided_on__gte=F("applied_on"),
                            valid_until__gte=F("decided_on"),
                        )
                        | Q(
                            decision="refused",
                            decided_on__isnull=False,
                            decided_on__gte=F("applied_on"),
                            valid_until__isnull=True,
                        )
                    )
                ),
                name="aid_measure_kind_decision_dates",
                violation_error_message=_("The measure's decision does not match its dates."),
            ),
        ]

    def __str__(self) -> str:
        case = self.case if self.case_id else None
        return label(case.number if case else "", self.get_kind_display())

    def clean(self) -> None:
        errors = {}
        if self.case_id and not self.case.confidential:
            errors["case"] = gettext("A warning letter or protection order is recorded on a domestic-violence case.")
        first = self.issued_on if self.kind == self.Kind.WARNING else self.applied_on
        if self.kind == self.Kind.WARNING and not self.issued_on:
            errors["issued_on"] = gettext("Give the day the letter was issued.")
        if self.kind == self.Kind.ORDER:
            if not self.applied_on:
                errors["applied_on"] = gettext("Give the day the order was applied for.")
            if not self.decision:
                errors["decision"] = gettext("Say whether the court has decided.")
            elif self.decision != self.Decision.PENDING and not self.decided_on:
                errors["decided_on"] = gettext("Give the day the court decided.")
            elif self.decided_on and self.applied_on and self.decided_on < self.applied_on:
                errors["decided_on"] = gettext("The decision is dated before the application.")
            if self.decision == self.Decision.GRANTED and not self.valid_until:
                errors["valid_until"] = gettext("Give the day a granted order is valid until.")
            elif self.valid_until and self.decided_on and self.valid_until < self.decided_on:
                errors["valid_until"] = gettext("The order ends before it was granted.")
        if self.case_id and first and first < self.case.found_on:
            field = "issued_on" if self.kind == self.Kind.WARNING else "applied_on"
            errors.setdefault(
                field,
                gettext("The date is before the case was found (%(day)s).") % {"day": self.case.found_on.isoformat()},
            )
        if errors:
            raise ValidationError(errors)


class CharityDrive(ScopedModel, models.Model):
    """A charity drive (99公益日, 家家幸福一元捐): the money it raised, and through
    CharityAid.charity_drive the aid that money paid for."""

    class Kind(models.TextChoices):
        GIVING_DAY = "giving_day", _("99 Giving Day (online)")
        ONE_YUAN = "one_yuan", _("one-yuan donation")
        OTHER = "other", _("other")

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    village = models.ForeignKey(
        Village,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
        help_text=_("Leave empty for a town-wide drive."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)
    raised = models.DecimalField(_("amount raised (yuan)"), max_digits=12, decimal_places=2, default=0)
    donors = models.PositiveIntegerField(_("donors"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("charity drive")
        verbose_name_plural = _("charity drives")
        ordering = ["-start", "-pk"]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.CheckConstraint(
                condition=Q(raised__gte=0),
                name="aid_charitydrive_raised_not_negative",
                violation_error_message=_("The amount raised cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="aid_charitydrive_end_after_start",
                violation_error_message=_("The drive ends before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.start:%Y-%m-%d}）" if self.start else self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # A town-wide drive is seen in the whole town, as its aid may go to any village (it is
        # changed only by the town's staff: services.py); a village's drive in that village.
        return Q(village__isnull=True, town_id__in=scope.visible_town_ids) | Q(village_id__in=scope.village_ids)

    def clean(self) -> None:
        if self.village_id and self.town_id and self.village.town_id != self.town_id:
            raise ValidationError({"village": gettext("The village is not of the drive's town.")})


class CharityAid(ScopedModel, models.Model):
    """Charity aid to a household (救助), e.g. from 99公益日."""

    scope_village_path = "household__village"
    count_village_path = "village"

    household = models.ForeignKey(Household, models.PROTECT, related_name="charity_aid", verbose_name=_("household"))
    # The household's village when the aid was given (as for care visits).
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", editable=False, verbose_name=_("village"))
    date = models.DateField(_("date"))
    drive = models.CharField(_("drive"), max_length=100, help_text=_("For example 99公益日 or 家家幸福一元捐."))
    # The drive whose money paid for it (the text above also names aid of no recorded drive).
    charity_drive = models.ForeignKey(
        CharityDrive,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="aid",
        verbose_name=_("paid from drive"),
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, default=0)
    goods = models.CharField(_("goods"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("charity aid")
        verbose_name_plural = _("charity aid")
        ordering = ["-date", "-pk"]
        default_permissions = DATA_PERMISSIONS
        indexes = [models.Index(fields=["village", "date"], name="aid_charityaid_village_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="aid_charityaid_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | ~Q(goods=""),
                name="aid_charityaid_something_given",
                violation_error_message=_("Give an amount or the goods."),
            ),
        ]

    def __str__(self) -> str:
        # 王大山 2024-09-09 99公益日: the household by its head (its number if it has none).
        household = self.household if self.household_id else None
        who = (household.head.name if household.head_id else household.number) if household else ""
        return label(who, self.date, self.drive)


class CharityAidAttachment(ScopedModel, models.Model):
    """A file of charity aid (an ID copy, proof of hardship, the signed receipt…): kept in the
    protected store and sent only to staff who may see the aid (federation.core.files)."""

    class Kind(models.TextChoices):
        ID_COPY = "id_copy", _("ID card copy")
        HARDSHIP = "hardship", _("proof of hardship")
        RECEIPT = "receipt", _("signed receipt")
        INVOICE = "invoice", _("invoices")
        PHOTO = "photo", _("photo")
        OTHER = "other", _("other")

    scope_village_path = "aid__household__village"

    aid = models.ForeignKey(CharityAid, models.CASCADE, related_name="attachments", verbose_name=_("charity aid"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = ProtectedFileField(
        _("file"),
        upload_to="aid/%Y/%m/",
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
        # Its kind and day, not its title or file name: those may say more than a list should.
        return label(self.get_kind_display(), self.uploaded_at.date() if self.uploaded_at else None)


# How rosters write the categories (人员类别 / 类别 columns); 无 means none.
CATEGORY_SYNONYMS = {
    "留守": CareTarget.Category.LEFT_BEHIND_CHILD,
    "留守儿童": CareTarget.Category.LEFT_BEHIND_CHILD,
    "困境儿童": CareTarget.Category.CHILD_IN_DIFFICULTY,
    "留守妇女": CareTarget.Category.LEFT_BEHIND_WOMAN,
    "困境妇女": CareTarget.Category.WOMAN_IN_DIFFICULTY,
    "留守老人": CareTarget.Category.LEFT_BEHIND_ELDERLY,
    "特困": CareTarget.Category.EXTREMELY_POOR,
    "特困人员": CareTarget.Category.EXTREMELY_POOR,
    "特困供养": CareTarget.Category.EXTREMELY_POOR,
    "无": "",
    "一般": "",
    "普通": "",
}
