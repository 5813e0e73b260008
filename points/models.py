"""巾帼家美积分超市: point rules, the append-only ledger, goods and their stock lines,
redemption sessions and redemptions. Balances and stock change only in services.py."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from federation.core import dates
from federation.core.files import ProtectedFileField, validate_attachment
from federation.core.models import ScopedModel, Town, Village
from federation.core.roles import DATA_PERMISSIONS
from federation.core.scoping import Scope
from federation.models import Household, Person

LEDGER_PERMISSIONS = ("add", "view", "import", "export")  # ledger lines are never changed or deleted


class PointRule(models.Model):
    class Review(models.IntegerChoices):
        NONE = 0, _("counts at once")
        ONE = 1, _("one reviewer")
        TWO = 2, _("two reviewers")

    class CapPeriod(models.TextChoices):
        MONTH = dates.MONTH, _("month")
        QUARTER = dates.QUARTER, _("quarter")
        YEAR = dates.YEAR, _("year")

    class Category(models.TextChoices):
        SANITATION = "sanitation", _("environmental sanitation")
        GARBAGE_SORTING = "garbage_sorting", _("garbage sorting")
        CUSTOMS = "customs", _("changing customs")
        GOVERNANCE = "governance", _("rural governance")
        FAMILY = "family", _("family tradition")
        VOLUNTEER = "volunteer", _("volunteer service")

    town = models.ForeignKey(Town, models.PROTECT, related_name="point_rules", verbose_name=_("town"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=200)
    points = models.IntegerField(_("points"), help_text=_("Negative for a deduction."))
    active = models.BooleanField(_("in use"), default=True)
    review = models.PositiveSmallIntegerField(
        _("review"),
        choices=Review.choices,
        default=Review.NONE,
        blank=True,  # a form (or a script) that leaves it out keeps the default
        help_text=_("Whether a line of this rule counts at once or waits as a claim for one or two reviewers."),
    )
    evidence_required = models.BooleanField(
        _("photo required"), default=False, help_text=_("A claim of this rule is recorded with a photo.")
    )
    cap = models.PositiveIntegerField(
        _("cap per household"),
        null=True,
        blank=True,
        help_text=_("The most points of this rule one household may earn in the cap's period; empty for no cap."),
    )
    cap_period = models.CharField(
        _("cap period"), max_length=10, choices=CapPeriod.choices, default=CapPeriod.MONTH, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        ordering = ["category", "-points"]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.CheckConstraint(
                condition=~Q(points=0),
                name="points_pointrule_points_not_zero",
                violation_error_message=_("A rule awards or deducts at least one point."),
            ),
            models.CheckConstraint(
                condition=Q(cap__isnull=True) | Q(points__gt=0, cap__gte=F("points")),
                name="points_pointrule_cap_holds_one_award",
                violation_error_message=_("A cap is set on a rule that awards points, and holds at least one award."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description}（{self.points:+d}）"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(town_id__in=scope.visible_town_ids)


class PointEntry(ScopedModel, models.Model):
    """One line of the points ledger. Never updated or deleted: a reversal is a new line."""

    class Kind(models.TextChoices):
        AWARD = "award", _("award")
        DEDUCTION = "deduction", _("deduction")
        REDEMPTION = "redemption", _("redemption")
        CANCELLATION = "cancellation", _("redemption cancelled")
        REVERSAL = "reversal", _("reversal")
        CORRECTION = "correction", _("correction after an appeal")

    # A line belongs to the ledger of the village it was written in (as on paper): it is
    # seen and counted there, through its own indexed column, while the household's page
    # shows all its lines wherever the household lives now. Scoping through the household
    # joined millions of lines to their households on every page of a county.
    scope_village_path = "village"

    # Their single-column indexes are left out: the (household, date) and (village, date)
    # indexes serve the same lookups, and every index costs each redemption a write.
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="point_entries", db_index=False, verbose_name=_("household")
    )
    # The household's village when the line was written: village reports group on it
    # without joining millions of lines to their households.
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", db_index=False, verbose_name=_("village"))
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    rule = models.ForeignKey(PointRule, models.PROTECT, null=True, blank=True, verbose_name=_("rule"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    balance_after = models.IntegerField(_("balance after"))
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    redemption = models.ForeignKey(
        "Redemption", models.PROTECT, null=True, blank=True, related_name="entries", verbose_name=_("redemption")
    )
    reverses = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name=_("reverses")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The claim the line was approved from (its reviewers are on the claim), and the appeal a
    # correcting line answers.
    claim = models.OneToOneField(
        "PointClaim", models.PROTECT, null=True, blank=True, related_name="entry", verbose_name=_("claim")
    )
    appeal = models.ForeignKey(
        "PointAppeal", models.PROTECT, null=True, blank=True, related_name="entries", verbose_name=_("appeal")
    )

    class Meta:
        verbose_name = _("points ledger line")
        verbose_name_plural = _("points ledger")
        ordering = ["-date", "-pk"]
        default_permissions = LEDGER_PERMISSIONS
        indexes = [
            # With the kind and the points, the reports' counts and sums over a town's year read
            # the index alone (PostgreSQL; SQLite keeps the plain index).
            models.Index(fields=["household", "date"], include=["kind"], name="points_entry_household_date"),
            models.Index(fields=["village", "date"], include=["kind", "points"], name="points_entry_village_date"),
            # The ledger list's order: its first page is read backwards along it.
            models.Index(fields=["date", "id"], name="points_entry_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(points=0),
                name="points_pointentry_points_not_zero",
                violation_error_message=_("A ledger line moves at least one point."),
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0),
                name="points_pointentry_balance_not_negative",
                violation_error_message=_("A household's points balance cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False) | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="points_pointentry_reversal_points_back",
                violation_error_message=_("A reversal names the line it undoes."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Ledger line #%(id)s") % {"id": self.pk}

    # What a picker loads with each line to tell it apart (an appeal's line appealed).
    picker_related = ("rule",)

    def picker_label(self, identity: bool = False) -> str:
        """The line as the posting showed it: its date, its item and its points."""
        item = self.rule.description if self.rule_id else self.get_kind_display()
        return f"{self.date:%Y-%m-%d} {item} {self.points:+d}"


class Goods(models.Model):
    town = models.ForeignKey(Town, models.PROTECT, related_name="goods", verbose_name=_("town"))
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("unit"), max_length=10, default="件")
    points_price = models.PositiveIntegerField(_("points price"))
    stock = models.IntegerField(_("stock"), default=0, editable=False)
    low_stock = models.PositiveIntegerField(_("low stock at"), default=5)
    active = models.BooleanField(_("on sale"), default=True)
    history = HistoricalRecords(excluded_fields=["stock"])

    class Meta:
        verbose_name = _("goods")
        verbose_name_plural = _("goods")
        ordering = ["name"]
        default_permissions = DATA_PERMISSIONS
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__gte=0),
                name="points_goods_stock_not_negative",
                violation_error_message=_("Stock cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(points_price__gt=0),
                name="points_goods_price_positive",
                violation_error_message=_("Goods cost at least one point."),
            ),
            models.UniqueConstraint(
                fields=["town", "name"],
                name="points_goods_unique_name",
                violation_error_message=_("Goods with this name already exist."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(town_id__in=scope.visible_town_ids)


class StockLine(models.Model):
    """One change of a goods' stock, so that stock reconciles like balances do."""

    class Kind(models.TextChoices):
        RESTOCK = "restock", _("restock")
        REDEMPTION = "redemption", _("redemption")
        CANCELLATION = "cancellation", _("redemption cancelled")
        CORRECTION = "correction", _("correction")
        DONATION = "donation", _("donation")
        DONATION_CANCELLED = "donation_cancelled", _("donation cancelled")

    goods = models.ForeignKey(Goods, models.PROTECT, related_name="stock_lines", verbose_name=_("goods"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    change = models.IntegerField(_("change"))
    stock_after = models.IntegerField(_("stock after"))
    redemption = models.ForeignKey(
        "Redemption", models.PROTECT, null=True, blank=True, related_name="stock_lines", verbose_name=_("redemption")
    )
    donation = models.ForeignKey(
        "Donation", models.PROTECT, null=True, blank=True, related_name="stock_lines", verbose_name=_("donation")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock line")
        verbose_name_plural = _("stock lines")
        ordering = ["-recorded_at", "-pk"]
        default_permissions = LEDGER_PERMISSIONS
        constraints = [
            models.CheckConstraint(
                condition=~Q(change=0),
                name="points_stockline_change_not_zero",
                violation_error_message=_("A stock line moves at least one unit."),
            ),
            models.CheckConstraint(
                condition=Q(stock_after__gte=0),
                name="points_stockline_stock_not_negative",
                violation_error_message=_("Stock cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Stock line #%(id)s") % {"id": self.pk}

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # Restocks and corrections move the town's goods; a redemption's or cancellation's
        # line belongs to its village, with the reason its clerk wrote.
        return (
            Q(goods__town_id__in=scope.town_ids)
            | Q(redemption__isnull=True, goods__town_id__in=scope.visible_town_ids)
            | Q(redemption__event__village_id__in=scope.village_ids)
        )


class RedemptionEvent(ScopedModel, models.Model):
    """A redemption session (兑换活动) in a village on a date."""

    village = models.ForeignKey(Village, models.PROTECT, related_name="redemption_events", verbose_name=_("village"))
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("redemption session")
        verbose_name_plural = _("redemption sessions")
        ordering = ["-date", "village__sort_order"]
        default_permissions = DATA_PERMISSIONS

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.place}".strip()

    def clean(self) -> None:
        # Its redemptions were of households of its village (Redemption.clean): moving the
        # session would make them households of another village's session.
        if (
            self.pk
            and self.village_id
            and RedemptionEvent.objects.filter(pk=self.pk, redemptions__isnull=False)
            .exclude(village_id=self.village_id)
            .exists()
        ):
            raise ValidationError(
                {"village": gettext("The session already has redemptions: its village cannot change.")}
            )


class Redemption(ScopedModel, models.Model):
    scope_village_path = "household__village"
    count_village_path = "event__village"  # the session's village

    event = models.ForeignKey(
        RedemptionEvent, models.PROTECT, related_name="redemptions", verbose_name=_("redemption session")
    )
    household = models.ForeignKey(Household, models.PROTECT, related_name="redemptions", verbose_name=_("household"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="redemptions", verbose_name=_("person who came"))
    total_points = models.PositiveIntegerField(_("points"))
    token = models.UUIDField(_("form token"), default=uuid.uuid4, unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-recorded_at"]
        default_permissions = LEDGER_PERMISSIONS

    def __str__(self) -> str:
        return gettext("Redemption #%(id)s") % {"id": self.pk}

    def clean(self) -> None:
        if self.household_id and self.event_id and self.household.village_id != self.event.village_id:
            raise ValidationError({"household": gettext("The household is not of the session's village.")})
        if self.person_id and self.household_id and self.person.household_id != self.household_id:
            raise ValidationError({"person": gettext("The person is not a member of this household.")})


class RedemptionItem(ScopedModel, models.Model):
    scope_village_path = "redemption__household__village"
    count_village_path = "redemption__event__village"

    redemption = models.ForeignKey(Redemption, models.CASCADE, related_name="items", verbose_name=_("redemption"))
    goods = models.ForeignKey(Goods, models.PROTECT, related_name="+", verbose_name=_("goods"))
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_points = models.PositiveIntegerField(_("points each"))

    class Meta:
        verbose_name = _("redeemed goods")
        verbose_name_plural = _("redeemed goods")
        default_permissions = LEDGER_PERMISSIONS
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="points_redemptionitem_quantity_positive",
                violation_error_message=_("The quantity must be at least 1."),
            ),
            models.UniqueConstraint(fields=["redemption", "goods"], name="points_redemptionitem_unique_goods"),
        ]

    def __str__(self) -> str:
        return f"{self.goods} × {self.quantity}"


class Donation(ScopedModel, models.Model):
    """Goods given to the points supermarket by a sponsor unit (捐赠台账). Its lines enter the
    town's stock through stock lines when it is recorded; cancelling takes them out again.
    Stock is the town's: a donation names the village it was given to, or none (town-wide)."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    village = models.ForeignKey(
        Village,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
        help_text=_("Leave empty for a donation to the whole town."),
    )
    sponsor = models.CharField(_("sponsor unit"), max_length=100)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donation ledger")
        ordering = ["-date", "-pk"]
        default_permissions = DATA_PERMISSIONS

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.sponsor}" if self.date else self.sponsor

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # As the goods it stocks: a town-wide donation is seen in the whole town (changed only
        # by its town-wide staff, services.py), a village's in that village.
        return Q(village__isnull=True, town_id__in=scope.visible_town_ids) | Q(village_id__in=scope.village_ids)

    def clean(self) -> None:
        if self.village_id and self.town_id and self.village.town_id != self.town_id:
            raise ValidationError({"village": gettext("The village is not of the donation's town.")})


class DonationLine(ScopedModel, models.Model):
    """One kind of goods of a donation; its value is quantity × unit value."""

    donation = models.ForeignKey(Donation, models.CASCADE, related_name="lines", verbose_name=_("donation"))
    goods = models.ForeignKey(Goods, models.PROTECT, related_name="+", verbose_name=_("goods"))
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_value = models.DecimalField(_("unit value (yuan)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("donated goods")
        verbose_name_plural = _("donated goods")
        # Written only with its donation, and never changed: the donation's permissions rule.
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="points_donationline_quantity_positive",
                violation_error_message=_("The quantity must be at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(unit_value__gte=0),
                name="points_donationline_value_not_negative",
                violation_error_message=_("The unit value cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["donation", "goods"],
                name="points_donationline_unique_goods",
                violation_error_message=_("These goods are already on the donation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goods} × {self.quantity}"

    @property
    def value(self):
        return (self.quantity or 0) * (self.unit_value or 0)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(donation__in=Donation.objects.filter(Donation.scope_q(scope)).values("pk"))


class SupermarketSettings(models.Model):
    """How a town runs its points supermarket in the open: how names show on the month's
    posting, how long a posting may be appealed, and whom villagers ask."""

    class Names(models.TextChoices):
        MASKED = "masked", _("name masked (张*红)")
        HEAD = "head", _("head's name only (masked)")
        NUMBER = "number", _("household number only")

    town = models.OneToOneField(Town, models.CASCADE, related_name="+", verbose_name=_("town"))
    posting_names = models.CharField(
        _("names on the posting"), max_length=10, choices=Names.choices, default=Names.MASKED
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("days to appeal"), default=7, help_text=_("How many days after a posting a household may appeal it.")
    )
    contact = models.CharField(
        _("whom to ask"),
        max_length=200,
        blank=True,
        help_text=_("Printed on the posting: who hears appeals, and how to reach her."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("points supermarket settings")
        verbose_name_plural = _("points supermarket settings")
        default_permissions = ("change", "view")

    def __str__(self) -> str:
        return str(self.town)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(town_id__in=scope.visible_town_ids)

    @classmethod
    def of(cls, town_id: int) -> "SupermarketSettings":
        """The town's settings, or the defaults where the town has set none."""
        return cls.objects.filter(town_id=town_id).first() or cls(town_id=town_id)


class PointClaim(ScopedModel, models.Model):
    """An award or deduction of a rule that needs review (积分待审核): it waits until its
    reviewers approve it, and then enters the ledger with the claim's date (PointEntry.claim)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting review")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned")

    household = models.ForeignKey(Household, models.PROTECT, related_name="point_claims", verbose_name=_("household"))
    # The household's village when the claim was recorded: it is that village's claim, as
    # a ledger line is (PointEntry.village).
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", verbose_name=_("village"))
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    rule = models.ForeignKey(PointRule, models.PROTECT, related_name="claims", verbose_name=_("rule"))
    points = models.IntegerField(_("points"))
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    evidence = ProtectedFileField(
        _("photo"),
        upload_to="points/%Y/%m/",
        blank=True,
        validators=[validate_attachment],
        help_text=_("A photo (JPEG or PNG) of what the claim is for."),
    )
    reviews_needed = models.PositiveSmallIntegerField(_("reviews needed"), choices=PointRule.Review.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewer")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    second_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("second reviewer"),
    )
    second_reviewed_at = models.DateTimeField(_("second reviewed at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("returned by")
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("points claim")
        verbose_name_plural = _("points claims")
        ordering = ["-date", "-pk"]
        default_permissions = ("add", "view", "import", "export")
        permissions = [("review_pointclaim", _("Can review points claims"))]
        indexes = [models.Index(fields=["village", "status", "date"], name="points_claim_village_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(points=0),
                name="points_pointclaim_points_not_zero",
                violation_error_message=_("A ledger line moves at least one point."),
            ),
            models.CheckConstraint(
                condition=Q(status="returned") | Q(return_reason=""),
                name="points_pointclaim_reason_when_returned",
                violation_error_message=_("Only a returned claim carries a reason for returning."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Claim #%(id)s") % {"id": self.pk}

    def entry_or_none(self):
        """The ledger line the claim entered as, once approved."""
        try:
            return self.entry
        except PointEntry.DoesNotExist:
            return None

    @property
    def reviews_done(self) -> int:
        return (self.reviewed_by_id is not None) + (self.second_reviewed_by_id is not None)


class PointPosting(ScopedModel, models.Model):
    """A village's month posted for the village (积分公示): who posted it, when, the appeal
    window, and its figures as posted (`rows`), which a later correction never changes."""

    village = models.ForeignKey(Village, models.PROTECT, related_name="+", verbose_name=_("village"))
    month = models.DateField(_("month"), help_text=_("The first day of the month posted."))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("posted by")
    )
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    appeal_from = models.DateField(_("appeals from"))
    appeal_until = models.DateField(_("appeals until"))
    names = models.CharField(_("names shown"), max_length=10, choices=SupermarketSettings.Names.choices)
    contact = models.CharField(_("whom to ask"), max_length=200, blank=True)
    rows = models.JSONField(_("figures as posted"), default=list, editable=False)

    class Meta:
        verbose_name = _("points posting")
        verbose_name_plural = _("points postings")
        ordering = ["-month", "village__sort_order", "-posted_at"]
        default_permissions = ("add", "view", "export")

    def __str__(self) -> str:
        return f"{self.village} {self.month:%Y-%m}" if self.month else str(self.village)


class PointAppeal(ScopedModel, models.Model):
    """A household's appeal of its points (积分申诉), recorded by a clerk on its behalf: the
    line it disputes or the award it says is missing. 更正 writes a correcting ledger line
    that cites the appeal (PointEntry.appeal); nothing is ever edited."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        CHECKING = "checking", _("being checked")
        UPHELD = "upheld", _("points upheld")
        CORRECTED = "corrected", _("corrected")
        REJECTED = "rejected", pgettext_lazy("appeal", "rejected")  # 驳回, not an application's 未通过

    household = models.ForeignKey(Household, models.PROTECT, related_name="point_appeals", verbose_name=_("household"))
    village = models.ForeignKey(Village, models.PROTECT, related_name="+", verbose_name=_("village"))
    posting = models.ForeignKey(
        PointPosting, models.PROTECT, null=True, blank=True, related_name="appeals", verbose_name=_("posting")
    )
    entry = models.ForeignKey(
        PointEntry,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("line appealed"),
        help_text=_("Leave empty when the household says an award is missing."),
    )
    received_on = models.DateField(_("received on"))
    statement = models.TextField(_("what the villager says"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.TextField(_("outcome and reasons"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("points appeal")
        verbose_name_plural = _("points appeals")
        ordering = ["-received_on", "-pk"]
        default_permissions = DATA_PERMISSIONS

    def __str__(self) -> str:
        return gettext("Appeal #%(id)s") % {"id": self.pk}

    @property
    def open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.CHECKING)
