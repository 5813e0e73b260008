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
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from federation.fields import PhoneField
from federation.identity import years_before
from federation.models import Household, Person, Town, Village
from federation.roles import DATA_PERMISSIONS
from federation.scoping import Scope, ScopedModel


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
    class Kind(models.TextChoices):
        VISIT = "visit", _("home visit")
        CALL = "call", _("phone call")
        STUDY_DESK = "study_desk", _("weekend study desk")
        FESTIVAL = "festival", _("festival visit")
        COUNSELLING = "counselling", _("counselling")
        OTHER = "other", _("other")

    scope_village_path = "pairing__child__village"
    count_village_path = "village"

    pairing = models.ForeignKey(Pairing, models.PROTECT, related_name="visits", verbose_name=_("pairing"))
    # The child's village when the visit was recorded: the village's ledgers count it there,
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
            models.Index(fields=["village", "date"], name="aid_carevisit_village_date"),
        ]

    def __str__(self) -> str:
        return gettext("Visit #%(id)s") % {"id": self.pk}

    def clean(self) -> None:
        if self.pairing_id and self.date:
            if self.date < self.pairing.start or (self.pairing.end and self.date > self.pairing.end):
                raise ValidationError({"date": gettext("The visit is outside the pairing's dates.")})


# What a masked value shows.
MASK = "＊＊＊"


class DisputeCase(ScopedModel, models.Model):
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

    # A domestic-violence case, to a user without this permission, is its number, village,
    # kind and status: every list and export masks the rest, no list sorts or filters it by
    # the rest, and its label (__str__) is its number.
    CONFIDENTIAL_PERMISSION = "aid.view_domestic_violence"
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

    @property
    def confidential(self) -> bool:
        return self.kind == self.Kind.DOMESTIC_VIOLENCE

    @classmethod
    def sees_confidential(cls, user) -> bool:
        return bool(user and user.has_perm(cls.CONFIDENTIAL_PERMISSION))

    def hidden_from(self, user) -> bool:
        """Whether `user` may know only CONFIDENTIAL_VISIBLE of this case."""
        return self.confidential and not self.sees_confidential(user)


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
        return gettext("Aid #%(id)s") % {"id": self.pk}


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
