"""The points supermarket's counted sets, in one place: the reports, the admin, the home page
and the dashboard use them. Each picks records through `counted_in`."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from federation.core.scoping import Scope, counted_in, in_scope
from federation.models import Household
from points.models import Donation, DonationLine, Goods, PointEntry, Redemption, RedemptionEvent, RedemptionItem

K = PointEntry.Kind
# The lines a household earns or loses points by (a redemption and its cancellation are the shop's).
REGISTER_KINDS = [K.AWARD, K.DEDUCTION, K.REVERSAL]


def ledger(scope: Scope) -> QuerySet:
    return counted_in(PointEntry.objects.all(), scope)


def register_lines_in(scope: Scope, start: date, end: date) -> QuerySet:
    """The points registration ledger of the period: awards, deductions and their reversals."""
    return ledger(scope).filter(date__range=(start, end), kind__in=REGISTER_KINDS)


def households_earning(scope: Scope, start: date, end: date) -> QuerySet:
    """Households awarded points in the period (an EXISTS per household: no distinct count
    over millions of ledger lines)."""
    awarded = PointEntry.objects.filter(household=OuterRef("pk"), kind=K.AWARD, date__range=(start, end))
    return counted_in(Household.objects.all(), scope).filter(Exists(awarded))


def sessions_in(scope: Scope, start: date, end: date) -> QuerySet:
    return counted_in(RedemptionEvent.objects.all(), scope).filter(date__range=(start, end))


def live_redemptions(scope: Scope, start: date, end: date) -> QuerySet:
    """Redemptions at sessions in the period, not cancelled."""
    redemptions = counted_in(Redemption.objects.all(), scope)
    return redemptions.filter(event__date__range=(start, end), cancelled_at__isnull=True)


def redeemed_items_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Goods redeemed at sessions in the period, cancelled redemptions included (the ledger says so)."""
    return counted_in(RedemptionItem.objects.all(), scope).filter(redemption__event__date__range=(start, end))


def goods(scope: Scope) -> QuerySet:
    """The goods of the towns the scope reaches."""
    return in_scope(Goods.objects.all(), scope)


def low_in_stock(goods: QuerySet) -> QuerySet:
    """Goods on sale whose stock is at or below the level set to restock at."""
    return goods.filter(active=True, stock__lte=F("low_stock"))


YUAN = DecimalField(max_digits=14, decimal_places=2)


def line_value() -> Sum:
    """The value of donation lines: quantity × unit value, summed in the database."""
    return Sum(F("quantity") * F("unit_value"), output_field=YUAN)


def with_donated_value(donations: QuerySet) -> QuerySet:
    """Donations with `value_total`, the sum of their lines, as a subquery per row."""
    lines = DonationLine.objects.filter(donation=OuterRef("pk")).order_by().values("donation")
    value = lines.annotate(value=line_value()).values("value")
    return donations.annotate(
        value_total=Coalesce(Subquery(value, output_field=YUAN), Value(Decimal(0)), output_field=YUAN)
    )


def donations_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Donations dated in the period, cancelled ones included (the ledger says so)."""
    return counted_in(Donation.objects.all(), scope).filter(date__range=(start, end))


def donation_lines_in(scope: Scope, start: date, end: date) -> QuerySet:
    return counted_in(DonationLine.objects.all(), scope).filter(donation__date__range=(start, end))


@dataclass
class PassbookLine:
    date: date
    kind: str
    what: str
    points: int
    balance: int


@dataclass
class Passbook:
    """A household's year in its passbook (积分存折): the balance brought forward, the year's
    lines in order, and the year's totals (opening + earned − deducted − redeemed = closing)."""

    household: Household
    year: int
    opening: int
    lines: list[PassbookLine] = field(default_factory=list)

    @property
    def closing(self) -> int:
        return self.lines[-1].balance if self.lines else self.opening

    @property
    def redeemed(self) -> int:
        """Points spent at the shop, less redemptions cancelled."""
        return -sum(line.points for line in self.lines if line.kind in SHOP_KINDS)

    @property
    def earned(self) -> int:
        return sum(line.points for line in self.lines if line.kind not in SHOP_KINDS and line.points > 0)

    @property
    def deducted(self) -> int:
        return -sum(line.points for line in self.lines if line.kind not in SHOP_KINDS and line.points < 0)


SHOP_KINDS = (K.REDEMPTION, K.CANCELLATION)


def _what(entry: PointEntry) -> str:
    """What a passbook line says: the goods of a redemption, the rule of an award or
    deduction, and for a reversal, a cancellation or a correction its kind and its note."""
    if entry.kind == K.REDEMPTION:
        return "、".join(f"{item.goods.name}×{item.quantity}" for item in entry.redemption.items.all())
    if entry.kind in (K.AWARD, K.DEDUCTION) and entry.rule is not None:
        return entry.rule.description
    said = entry.note or (entry.rule.description if entry.rule is not None else "")
    return f"{entry.get_kind_display()}：{said}" if said else entry.get_kind_display()


def passbooks(households: QuerySet, year: int) -> list[Passbook]:
    """The passbooks of the households for the year, in the households' order (village, number),
    in four queries however many households: the households with their opening balances, the
    year's lines, and the goods of their redemptions."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    before = PointEntry.objects.filter(household=OuterRef("pk"), date__lt=start).order_by("-date", "-pk")
    chosen = (
        Household.objects.filter(pk__in=households.order_by().values("pk"))
        .select_related("head", "village__town")
        .annotate(opening=Coalesce(Subquery(before.values("balance_after")[:1]), Value(0)))
        .order_by("village__sort_order", "village_id", "number")
    )
    books = {household.pk: Passbook(household, year, household.opening) for household in chosen}
    items = RedemptionItem.objects.select_related("goods").order_by("goods__name")
    lines = (
        PointEntry.objects.filter(household_id__in=list(books), date__range=(start, end))
        .select_related("rule", "redemption")
        .prefetch_related(Prefetch("redemption__items", queryset=items))
        .order_by("household_id", "date", "pk")
    )
    for entry in lines:
        books[entry.household_id].lines.append(
            PassbookLine(entry.date, entry.kind, _what(entry), entry.points, entry.balance_after)
        )
    return list(books.values())
