"""The points supermarket's counted sets, in one place: the reports, the admin, the home page
and the dashboard use them. Each picks records through `counted_in`."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from federation.core import dates
from federation.core.identity import mask_name
from federation.core.models import PeriodSubmission, Village
from federation.core.scoping import Scope, counted_in, in_scope, scope_for
from federation.models import Household, Person
from points.models import (
    Donation,
    DonationLine,
    Goods,
    PointAppeal,
    PointClaim,
    PointEntry,
    Redemption,
    RedemptionEvent,
    RedemptionItem,
    SupermarketSettings,
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


def claims_to_review(user) -> QuerySet:
    """The claims waiting that `user` may review: in her villages, recorded by someone else,
    not for her own household, not reviewed by her already (points.services._check_reviewer)."""
    claims = in_scope(PointClaim.objects.filter(status=PointClaim.Status.PENDING), scope_for(user))
    own = Person.objects.filter(staff_user=user, household__isnull=False).values("household_id")
    return claims.exclude(recorded_by=user).exclude(reviewed_by=user).exclude(household_id__in=own)


# A recorder who enters more claims than this in one day is worth a look (a village's clerk
# enters tens on a busy day; hundreds are a roster, which the import log already shows).
CLAIMS_IN_A_DAY = 30
# A claim recorded this close before its month was submitted was not seen by a reviewer first.
BEFORE_SUBMISSION = timedelta(hours=24)


def claims_in(scope: Scope, start: date, end: date) -> QuerySet:
    return counted_in(PointClaim.objects.all(), scope).filter(date__range=(start, end))


def claim_signals(scope: Scope, start: date, end: date) -> list[tuple[str, list[int]]]:
    """The claims of the period that look wrong, as (kind, claim ids) groups: a household over a
    rule's cap, many claims by one recorder in a day, claims for the recorder's own household,
    claims recorded just before their month was submitted. Each group is what one row of the
    town's signal report shows and links to."""
    claims = claims_in(scope, start, end).exclude(status=PointClaim.Status.RETURNED)
    groups = []
    # Over the cap: the service refuses it, but a cap lowered later, or two clerks at once, let it by.
    capped = claims.filter(rule__cap__isnull=False).values_list(
        "pk", "household_id", "rule_id", "rule__cap", "rule__cap_period", "date", "points"
    )
    periods = defaultdict(lambda: [0, []])
    for pk, household, rule, cap, cap_period, day, points in capped:
        key = (household, rule, dates.period_of(cap_period, day), cap)
        periods[key][0] += points
        periods[key][1].append(pk)
    groups += [("over_cap", ids) for (*_key, cap), (total, ids) in periods.items() if total > cap]
    # Many by one recorder in one day.
    days = claims.filter(recorded_by__isnull=False).values_list("pk", "recorded_by_id", "recorded_at")
    by_day = defaultdict(list)
    for pk, user, at in days:
        by_day[(user, timezone.localtime(at).date())].append(pk)
    groups += [("many_in_a_day", ids) for ids in by_day.values() if len(ids) > CLAIMS_IN_A_DAY]
    # For the recorder's own household.
    own = claims.filter(
        Exists(Person.objects.filter(staff_user=OuterRef("recorded_by"), household=OuterRef("household")))
    )
    groups += grouped("own_household", own.values_list("pk", "recorded_by_id", "household_id"))
    # Just before the month was submitted.
    submitted = PeriodSubmission.objects.filter(
        village=OuterRef("village"),
        start__lte=OuterRef("date"),
        end__gte=OuterRef("date"),
        submitted_at__gte=OuterRef("recorded_at"),
        submitted_at__lte=ExpressionWrapper(OuterRef("recorded_at") + BEFORE_SUBMISSION, output_field=DateTimeField()),
    )
    late = claims.filter(Exists(submitted)).values_list("pk", "village_id", "recorded_by_id")
    groups += grouped("before_submission", late)
    return [(kind, sorted(ids)) for kind, ids in groups]


def grouped(kind: str, rows) -> list[tuple[str, list[int]]]:
    """(kind, ids) for each set of rows alike but for their first value, the claim's id."""
    groups = defaultdict(list)
    for pk, *key in rows:
        groups[tuple(key)].append(pk)
    return [(kind, ids) for ids in groups.values()]


# --- The month's posting (积分公示) -------------------------------------------------------


def _household_label(number: str, head: str | None, names: str) -> str:
    """The household as the town's setting shows it: never a whole name, an ID number or a phone."""
    Names = SupermarketSettings.Names
    if names == Names.NUMBER or not head:
        return number
    if names == Names.HEAD:
        return mask_name(head)
    return f"{number} {mask_name(head)}"


def posting_rows(*, village: Village, month: date, names: str) -> list[dict]:
    """Every household of the village, and every household with lines in the village's ledger
    in the month: its points earned, deducted and redeemed in the month, its balance at the
    month's end, and each line (day, what, points). Four queries, whatever the village's size.

    A reversal or correction counts with what it moves (earned when it gives points back,
    deducted when it takes them), so that earned − deducted − redeemed is the month's change.
    Notes are left out: free text may hold a phone or a name in full."""
    start, end = dates.period_of(dates.MONTH, month)
    lines = PointEntry.objects.filter(village=village, date__range=(start, end))
    households = Household.objects.filter(Q(village=village) | Q(pk__in=lines.values("household_id")))
    rows = {
        pk: {"household_id": pk, "household": _household_label(number, head, names), "earned": 0, "deducted": 0,
             "redeemed": 0, "balance": 0, "lines": []}
        for pk, number, head in households.order_by("number", "pk").values_list("pk", "number", "head__name")
    }  # fmt: skip
    balances = (
        PointEntry.objects.filter(household__in=households.values("pk"), date__lte=end)
        .order_by()
        .values("household_id")
        .annotate(balance=Sum("points"))
        .values_list("household_id", "balance")
    )
    for pk, balance in balances:
        rows[pk]["balance"] = balance
    goods = {}
    items = RedemptionItem.objects.filter(redemption__in=lines.filter(kind=K.REDEMPTION).values("redemption_id"))
    for redemption, name, quantity in items.order_by("pk").values_list("redemption_id", "goods__name", "quantity"):
        goods.setdefault(redemption, []).append(f"{name}×{quantity}")
    fields = ["household_id", "date", "kind", "points", "rule__description", "redemption_id", "person__name",
              "reverses__date"]  # fmt: skip
    for values in lines.order_by("date", "pk").values_list(*fields):
        household, day, kind, points, rule, redemption, person, reversed_day = values
        row = rows[household]
        if kind in (K.REDEMPTION, K.CANCELLATION):
            row["redeemed"] -= points
        elif points > 0:
            row["earned"] += points
        else:
            row["deducted"] -= points
        what = _line_text(kind, rule, goods.get(redemption), reversed_day)
        if person and names == SupermarketSettings.Names.MASKED:
            what = f"{mask_name(person)}：{what}"
        row["lines"].append([day.isoformat(), what, points])
    return list(rows.values())


def _line_text(kind: str, rule: str | None, goods: list[str] | None, reversed_day: date | None) -> str:
    if kind == K.REDEMPTION:
        return "、".join(goods or []) or str(K.REDEMPTION.label)
    if kind == K.REVERSAL:
        item = f"{reversed_day:%m-%d} {rule or ''}".strip()
        return gettext("Reversal: %(item)s") % {"item": item}
    if kind == K.CORRECTION:
        return f"{K.CORRECTION.label}{'：' + rule if rule else ''}"
    if kind == K.CANCELLATION:
        return str(K.CANCELLATION.label)
    return rule or str(K(kind).label)


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
    # Balances are summed in date order, not read from the lines: a claim approved today enters
    # the ledger with its own earlier date, after lines dated later, whose stored balance_after
    # followed the order they were written in.
    before = PointEntry.objects.filter(household=OuterRef("pk"), date__lt=start).order_by().values("household")
    chosen = (
        Household.objects.filter(pk__in=households.order_by().values("pk"))
        .select_related("head", "village__town")
        .annotate(
            opening=Coalesce(
                Subquery(before.annotate(total=Sum("points")).values("total"), output_field=IntegerField()), 0
            )
        )
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
        book = books[entry.household_id]
        balance = book.closing + entry.points
        book.lines.append(PassbookLine(entry.date, entry.kind, _what(entry), entry.points, balance))
    return list(books.values())


OPEN_APPEAL = [PointAppeal.Status.RECEIVED, PointAppeal.Status.CHECKING]
DECIDED_APPEAL = [PointAppeal.Status.UPHELD, PointAppeal.Status.CORRECTED, PointAppeal.Status.REJECTED]


def open_appeals(scope: Scope) -> QuerySet:
    """Appeals received or being checked: the home page's work list."""
    return counted_in(PointAppeal.objects.all(), scope).filter(status__in=OPEN_APPEAL)


def appeals_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Appeals received in the period, decided or not (the appeal ledger)."""
    return counted_in(PointAppeal.objects.all(), scope).filter(received_on__range=(start, end))
