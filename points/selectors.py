"""The points supermarket's counted sets, in one place: the reports, the admin, the home page
and the dashboard use them. Each picks records through `counted_in`."""

from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from federation.core.scoping import Scope, counted_in, in_scope
from federation.models import Household
from points.models import (
    Donation,
    DonationLine,
    Goods,
    PointAppeal,
    PointEntry,
    Redemption,
    RedemptionEvent,
    RedemptionItem,
)

K = PointEntry.Kind
# The lines a household earns or loses points by (a redemption and its cancellation are the shop's).
REGISTER_KINDS = [K.AWARD, K.DEDUCTION, K.REVERSAL, K.CORRECTION]


def ledger(scope: Scope) -> QuerySet:
    return counted_in(PointEntry.objects.all(), scope)


def register_lines_in(scope: Scope, start: date, end: date) -> QuerySet:
    """The points registration ledger of the period: awards, deductions, their reversals and the
    corrections after appeals."""
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


OPEN_APPEAL = [PointAppeal.Status.RECEIVED, PointAppeal.Status.CHECKING]
DECIDED_APPEAL = [PointAppeal.Status.UPHELD, PointAppeal.Status.CORRECTED, PointAppeal.Status.REJECTED]


def open_appeals(scope: Scope) -> QuerySet:
    """Appeals received or being checked: the home page's work list."""
    return counted_in(PointAppeal.objects.all(), scope).filter(status__in=OPEN_APPEAL)


def appeals_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Appeals received in the period, decided or not (the appeal ledger)."""
    return counted_in(PointAppeal.objects.all(), scope).filter(received_on__range=(start, end))
