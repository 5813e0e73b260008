"""Every write of the points supermarket. Balances and stock change only here, by
conditional UPDATEs that never read-modify-write, so that no point is ever spent twice.
Every record is checked by its model's full_clean() and carries who wrote it: ledger
lines in `recorded_by`, rules, goods and sessions in their history (`history_user`)."""

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from io import BytesIO
from pathlib import PurePosixPath
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from federation.core import dates, periods
from federation.core.history import save_with_history, status_step
from federation.core.models import Village
from federation.core.scoping import in_scope, scope_for
from federation.models import Household, Person
from points import selectors
from points.models import (
    Donation,
    DonationLine,
    Goods,
    PointAppeal,
    PointClaim,
    PointEntry,
    PointPosting,
    PointRule,
    Redemption,
    RedemptionEvent,
    RedemptionItem,
    StockLine,
    SupermarketSettings,
)


@transaction.atomic
def point_rule_save(*, rule: PointRule, by) -> PointRule:
    """Add or change a point rule."""
    return save_with_history(rule, by)


@transaction.atomic
def goods_save(*, goods: Goods, by) -> Goods:
    """Add or change goods. A change never writes the stock: it moves only by stock lines
    (goods_restock, redemptions), and the value read with the form may be stale."""
    goods.full_clean()
    if by is not None:
        goods._history_user = by
    if goods._state.adding:
        goods.save()
    else:
        goods.save(
            update_fields=[
                field.name for field in Goods._meta.concrete_fields if not field.primary_key and field.name != "stock"
            ]
        )
    return goods


@transaction.atomic
def redemption_event_save(*, event: RedemptionEvent, by) -> RedemptionEvent:
    """Add or change a redemption session."""
    return save_with_history(event, by)


def _conditional_add(model, pk: int, column: str, change: int) -> int | None:
    """UPDATE column = column + change WHERE it stays ≥ 0, in one statement; return the new
    value, or None when it would go below zero. Never read-modify-write: the database
    checks and changes the row under its own lock."""
    quote = connection.ops.quote_name
    table, column, key = quote(model._meta.db_table), quote(column), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = {column} + %s WHERE {key} = %s AND {column} + %s >= 0 RETURNING {column}",  # noqa: S608
            [change, pk, change],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _move_balance(household_id: int, points: int) -> int:
    """Add `points` (negative to take) to a balance that must stay ≥ 0; return the new balance.

    Raises ValidationError, saying how many points there are, when the balance is short.
    """
    balance = _conditional_add(Household, household_id, "points_balance", points)
    if balance is None:
        have = Household.objects.values_list("points_balance", flat=True).get(pk=household_id)
        raise ValidationError(
            _("Not enough points: %(need)d needed, the balance is %(have)d.") % {"need": -points, "have": have},
            code="points_short",
        )
    return balance


def _move_stock(goods: Goods, change: int) -> int:
    stock = _conditional_add(Goods, goods.pk, "stock", change)
    if stock is None:
        have = Goods.objects.values_list("stock", flat=True).get(pk=goods.pk)
        raise ValidationError(
            _("Not enough %(goods)s: %(need)d %(unit)s needed, %(have)d in stock.")
            % {"goods": goods.name, "need": -change, "unit": goods.unit, "have": have},
            code="stock_short",
        )
    return stock


def _check_person(household: Household, person: Person | None) -> None:
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": _("The person is not a member of this household.")})


def _create(record, *, validate_unique: bool = True, exclude=None):
    """Validate a new ledger record with its model's rules and constraints, then INSERT it."""
    record.full_clean(exclude=exclude, validate_unique=validate_unique)
    record.save(force_insert=True)
    return record


def _check_award(household: Household, rule: PointRule, day: date, person: Person | None) -> None:
    """What every award or deduction must hold, whether it counts at once or waits as a claim."""
    if not rule.active:
        raise ValidationError(_("The rule “%(rule)s” is no longer in use.") % {"rule": rule.description})
    if rule.town_id != household.village.town_id:
        raise ValidationError(_("The rule belongs to another town."))
    _check_person(household, person)
    _check_cap(household, rule, day)


def _check_cap(household: Household, rule: PointRule, day: date) -> None:
    """A rule's cap counts the household's lines of the rule in the cap's period that stand (not
    reversed) and its claims of the rule still waiting, so that it refuses at the claim."""
    if rule.cap is None:
        return
    start, end = dates.period_of(rule.cap_period, day)
    lines = PointEntry.objects.filter(
        household=household, rule=rule, kind=PointEntry.Kind.AWARD, date__range=(start, end), reversed_by__isnull=True
    )
    waiting = PointClaim.objects.filter(
        household=household, rule=rule, status=PointClaim.Status.PENDING, date__range=(start, end)
    )
    earned = (lines.aggregate(total=Sum("points"))["total"] or 0) + (
        waiting.aggregate(total=Sum("points"))["total"] or 0
    )
    if earned + rule.points > rule.cap:
        raise ValidationError(
            _(
                "Household %(household)s has %(earned)d points of “%(rule)s” in %(period)s (waiting claims "
                "included); the cap is %(cap)d."
            )
            % {
                "household": household.number,
                "earned": earned,
                "rule": rule.description,
                "period": dates.period_label(start, end),
                "cap": rule.cap,
            },
            code="over_cap",
        )


def point_award(
    *,
    household: Household,
    rule: PointRule,
    day: date,
    by,
    person: Person | None = None,
    note: str = "",
    evidence=None,
) -> PointEntry | PointClaim:
    """Award a rule's points to a household, or deduct them when the rule is negative (never
    below zero). A rule that needs review or a photo makes a claim instead (point_claim_record),
    which the ledger takes in when its reviewers approve it."""
    if rule.review or rule.evidence_required or evidence:
        return point_claim_record(
            household=household, rule=rule, day=day, by=by, person=person, note=note, evidence=evidence
        )
    return _award_now(household=household, rule=rule, day=day, by=by, person=person, note=note)


@transaction.atomic
def _award_now(*, household, rule, day, by, person, note) -> PointEntry:
    _check_award(household, rule, day, person)
    balance = _move_balance(household.pk, rule.points)
    return _create(
        PointEntry(
            household=household,
            village_id=household.village_id,
            person=person,
            rule=rule,
            kind=PointEntry.Kind.AWARD if rule.points > 0 else PointEntry.Kind.DEDUCTION,
            points=rule.points,
            balance_after=balance,
            date=day,
            note=note,
            recorded_by=by,
        )
    )


@transaction.atomic
def point_award_many(
    *, households: Iterable[Household], rule: PointRule, day: date, by, note: str = ""
) -> list[PointEntry | PointClaim]:
    """The same rule for many households at once: all of them, or none (claims waiting for
    review where the rule needs it)."""
    entries = []
    for household in sorted(households, key=lambda h: h.pk):  # one lock order for every writer
        try:
            entries.append(point_award(household=household, rule=rule, day=day, by=by, note=note))
        except ValidationError as error:
            raise ValidationError(
                _("Household %(household)s: %(error)s")
                % {"household": household.number, "error": " ".join(error.messages)}
            ) from None
    return entries


@transaction.atomic
def point_entry_reverse(*, entry: PointEntry, by, reason: str) -> PointEntry:
    """Undo an award or deduction with a new line that points at it. Once."""
    if entry.kind not in (PointEntry.Kind.AWARD, PointEntry.Kind.DEDUCTION):
        raise ValidationError(_("Only awards and deductions are reversed; cancel a redemption instead."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the reversal."))
    if PointEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This line has already been reversed."))
    # The reversal is dated today, but undoes a line of an approved period: that is a change.
    periods.ensure_open(entry.village_id, entry.date)
    # A line stays in the ledger of the village it was written in; the balance it would move
    # is the household's, now perhaps in a village the user does not keep.
    if by is not None and not in_scope(Household.objects.filter(pk=entry.household_id), scope_for(by)).exists():
        raise ValidationError(_("This household now lives in a village you do not keep: its village reverses lines."))
    balance = _move_balance(entry.household_id, -entry.points)
    reversal = PointEntry(
        household_id=entry.household_id,
        village_id=entry.village_id,
        person_id=entry.person_id,
        rule_id=entry.rule_id,
        kind=PointEntry.Kind.REVERSAL,
        points=-entry.points,
        balance_after=balance,
        date=timezone.localdate(),
        note=reason.strip()[:200],
        reverses=entry,
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            # "Once" is settled by the unique `reverses` in the INSERT, not by a read.
            return _create(reversal, validate_unique=False)
    except IntegrityError:  # a concurrent reversal won the race
        raise ValidationError(_("This line has already been reversed.")) from None


# The stock lines that may take stock away outside a redemption.
TAKING_KINDS = (StockLine.Kind.CORRECTION, StockLine.Kind.DONATION_CANCELLED)


@transaction.atomic
def goods_restock(
    *,
    goods: Goods,
    quantity: int,
    by,
    note: str = "",
    kind: str = StockLine.Kind.RESTOCK,
    donation: Donation | None = None,
) -> StockLine:
    """Add stock (or, as a correction or a cancelled donation with a negative quantity, take
    it away, never below zero). `donation`: the donation the goods came with."""
    if quantity == 0 or (quantity < 0 and kind not in TAKING_KINDS):
        raise ValidationError(_("The quantity must be at least 1."))
    stock = _move_stock(goods, quantity)
    return _create(
        StockLine(
            goods=goods, kind=kind, change=quantity, stock_after=stock, note=note, donation=donation, recorded_by=by
        )
    )


def _check_scope(donation: Donation, by) -> None:
    """A donation without a village is the whole town's: only staff who keep the whole town
    record, change or cancel one; a village's, staff who keep that village (`by=None` is the
    system: the demo)."""
    if by is None:
        return
    scope = scope_for(by)
    if donation.village_id is None and not scope.covers_town(donation.town_id):
        raise ValidationError({"village": _("Choose your village: a town-wide donation is the town's to record.")})
    if donation.village_id is not None and not scope.keeps_village(donation.village_id):
        raise ValidationError({"village": _("The donation is of a village you do not keep.")})


@transaction.atomic
def donation_record(*, donation: Donation, lines: Iterable[DonationLine], by) -> Donation:
    """Record a donation of goods with its lines: each line's goods enter stock by a stock line
    that names the donation (goods_restock), all of them or none."""
    if donation.pk is not None:
        raise ValidationError(_("This donation has already been recorded."))
    if donation.village_id:
        donation.town_id = donation.village.town_id
    lines = list(lines)
    if not lines:
        raise ValidationError(_("Add at least one line of donated goods."))
    _check_scope(donation, by)
    for line in lines:
        if line.goods.town_id != donation.town_id:
            raise ValidationError(_("%(goods)s belongs to another town.") % {"goods": line.goods.name})
    if by is not None and by.pk:
        donation.recorded_by = by
    save_with_history(donation, by)  # an approved period of the village refuses it here
    # Goods by id: every writer takes the stock locks in the same order.
    for line in sorted(lines, key=lambda line: line.goods_id):
        line.donation = donation
        line.full_clean()
        line.save(force_insert=True)
        goods_restock(
            goods=line.goods,
            quantity=line.quantity,
            by=by,
            note=donation.sponsor[:200],
            kind=StockLine.Kind.DONATION,
            donation=donation,
        )
    return donation


@transaction.atomic
def donation_save(*, donation: Donation, by) -> Donation:
    """Change a recorded donation's sponsor, date, village or note. Its goods and quantities
    are in stock already: a mistake there is mended by cancelling it and recording it again."""
    stored = Donation.objects.select_for_update().get(pk=donation.pk)
    if stored.cancelled_at is not None:
        raise ValidationError(_("A cancelled donation is a record and can no longer be changed."))
    if donation.village_id:
        donation.town_id = donation.village.town_id
    if donation.town_id != stored.town_id:
        raise ValidationError({"village": _("The donation's goods are in its town's stock: choose a village of it.")})
    _check_scope(stored, by)
    _check_scope(donation, by)
    return save_with_history(donation, by)


@transaction.atomic
def donation_cancel(*, donation: Donation, by, reason: str) -> Donation:
    """Take a donation's goods out of stock again, with stock lines that name it. Once; refused
    when its goods have been redeemed meanwhile so that the stock would go below zero."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for cancelling."))
    # The row lock makes it once, even for two clicks at the same time (PostgreSQL).
    current = Donation.objects.select_for_update().get(pk=donation.pk)
    if current.cancelled_at is not None:
        raise ValidationError(_("This donation has already been cancelled."))
    _check_scope(current, by)
    current.cancelled_at = timezone.now()
    current.cancelled_by = by if by is not None and by.pk else None
    current.cancel_reason = reason.strip()[:200]
    save_with_history(current, by)  # an approved period of the village refuses it here
    for line in current.lines.select_related("goods").order_by("goods_id"):
        try:
            goods_restock(
                goods=line.goods,
                quantity=-line.quantity,
                by=by,
                note=current.cancel_reason,
                kind=StockLine.Kind.DONATION_CANCELLED,
                donation=current,
            )
        except ValidationError as error:
            if error.code != "stock_short":
                raise
            have = Goods.objects.values_list("stock", flat=True).get(pk=line.goods_id)
            raise ValidationError(
                _(
                    "%(goods)s of this donation have been redeemed already: %(have)d %(unit)s left in stock, "
                    "%(need)d to take back. The donation cannot be cancelled."
                )
                % {"goods": line.goods.name, "have": have, "unit": line.goods.unit, "need": line.quantity},
                code="stock_short",
            ) from None
    return current


def redemption_create(
    *,
    event: RedemptionEvent,
    household: Household,
    person: Person,
    items: Iterable[tuple[Goods, int]],
    by,
    token: UUID | None = None,
) -> Redemption:
    """Redeem goods for points in one step: the balance, every goods' stock and the ledgers
    change together or not at all. The same form token twice records it once."""
    if token is not None:
        existing = Redemption.objects.filter(token=token).first()
        if existing is not None:
            return existing
    try:
        return _redeem(event=event, household=household, person=person, items=items, by=by, token=token)
    except IntegrityError:
        existing = Redemption.objects.filter(token=token).first() if token else None
        if existing is None:
            raise
        return existing  # a double click that raced the first submission


def _basket(items, event) -> tuple[Counter, dict]:
    """The quantity of each of the goods chosen (a goods chosen twice adds up), refused when
    a quantity is not positive or the goods are not on sale in the session's town."""
    quantities = Counter()
    goods_by_pk = {}
    for goods, quantity in items:
        if quantity <= 0:
            raise ValidationError(_("The quantity must be at least 1."))
        quantities[goods.pk] += quantity
        goods_by_pk[goods.pk] = goods
    if not quantities:
        raise ValidationError(_("Choose at least one of the goods."))
    for goods in goods_by_pk.values():
        if not goods.active:
            raise ValidationError(_("%(goods)s is not on sale.") % {"goods": goods.name})
        if goods.town_id != event.village.town_id:
            raise ValidationError(_("%(goods)s belongs to another town.") % {"goods": goods.name})
    return quantities, goods_by_pk


@transaction.atomic
def _redeem(*, event, household, person, items, by, token) -> Redemption:
    quantities, goods_by_pk = _basket(items, event)
    redemption = Redemption(
        event=event,
        household=household,
        person=person,
        total_points=sum(goods_by_pk[pk].points_price * quantity for pk, quantity in quantities.items()),
        recorded_by=by,
    )
    if token is not None:
        redemption.token = token
    # The model's rules (Redemption.clean: the household of the session's village, the
    # person of the household) and its fields. Left out: whether the related rows exist,
    # which the caller has just read and the foreign keys check at COMMIT (three queries,
    # a quarter of a redemption's time), and the token's uniqueness, which the INSERT
    # below settles for a double click that a read here could not see.
    redemption.full_clean(exclude=["event", "household", "person", "recorded_by"], validate_unique=False)
    # The redemption and its items are written before any lock is taken (a repeated form
    # token fails here); then each row of the balance and the stock is held only while the
    # ledger that needs its new value is written.
    redemption.save(force_insert=True)
    RedemptionItem.objects.bulk_create(
        RedemptionItem(
            redemption=redemption, goods=goods_by_pk[pk], quantity=quantity, unit_points=goods_by_pk[pk].points_price
        )
        for pk, quantity in sorted(quantities.items())
    )
    short = []
    # Household first, then goods by id: every writer takes the locks in the same order.
    _take_points(redemption, short, by)
    lines = _take_stock(redemption, quantities, goods_by_pk, short, by)
    if short:
        raise ValidationError(short)  # and everything written above is rolled back
    StockLine.objects.bulk_create(lines)
    return redemption


def _take_points(redemption: Redemption, short: list, by) -> None:
    """The redemption's line in the points ledger, or what the household lacks in `short`."""
    household = redemption.household
    try:
        balance = _move_balance(household.pk, -redemption.total_points)
    except ValidationError as error:
        short.append(error.messages[0])
        return
    PointEntry.objects.create(
        household=household,
        village_id=household.village_id,
        person=redemption.person,
        kind=PointEntry.Kind.REDEMPTION,
        points=-redemption.total_points,
        balance_after=balance,
        date=redemption.event.date,
        redemption=redemption,
        recorded_by=by,
    )


def _take_stock(redemption: Redemption, quantities: Counter, goods_by_pk: dict, short: list, by) -> list:
    """The stock lines of the goods taken, by goods id (the order every writer locks them
    in); what is short of each goods in `short`."""
    lines = []
    for pk in sorted(quantities):
        try:
            stock = _move_stock(goods_by_pk[pk], -quantities[pk])
        except ValidationError as error:
            short.append(error.messages[0])
            continue
        lines.append(
            StockLine(
                goods=goods_by_pk[pk],
                kind=StockLine.Kind.REDEMPTION,
                change=-quantities[pk],
                stock_after=stock,
                redemption=redemption,
                recorded_by=by,
            )
        )
    return lines


@transaction.atomic
def redemption_cancel(*, redemption: Redemption, by, reason: str) -> Redemption:
    """Give the points and the goods back. Once."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for cancelling."))
    now = timezone.now()
    # The conditional UPDATE is what makes it once, even for two clicks at the same time.
    cancelled = Redemption.objects.filter(pk=redemption.pk, cancelled_at__isnull=True).update(
        cancelled_at=now, cancelled_by=by, cancel_reason=reason.strip()[:200]
    )
    if not cancelled:
        raise ValidationError(_("This redemption has already been cancelled."))
    balance = _move_balance(redemption.household_id, redemption.total_points)
    _create(
        PointEntry(
            household_id=redemption.household_id,
            village_id=redemption.event.village_id,
            person_id=redemption.person_id,
            kind=PointEntry.Kind.CANCELLATION,
            points=redemption.total_points,
            balance_after=balance,
            date=timezone.localdate(),
            redemption=redemption,
            note=reason.strip()[:200],
            recorded_by=by,
        )
    )
    for item in redemption.items.select_related("goods").order_by("goods_id"):
        stock = _move_stock(item.goods, item.quantity)
        _create(
            StockLine(
                goods=item.goods,
                kind=StockLine.Kind.CANCELLATION,
                change=item.quantity,
                stock_after=stock,
                redemption=redemption,
                recorded_by=by,
                note=reason.strip()[:200],
            )
        )
    redemption.refresh_from_db()
    return redemption


# A claim's photo is kept no larger than a phone's screen needs; a camera's 12 MP original
# would fill the disk of a town's small server, and its EXIF may hold where it was taken.
PHOTO_SIDE = 1600


def _shrink(evidence):
    """The photo re-encoded at most PHOTO_SIDE pixels a side, turned upright, without its
    metadata (the GPS position of a villager's home among it)."""
    try:
        evidence.seek(0)
        with Image.open(evidence) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
            is_png = image.format == "PNG" or evidence.name.lower().endswith(".png")
            out = BytesIO()
            if is_png:
                image.save(out, "PNG", optimize=True)
            else:
                image.convert("RGB").save(out, "JPEG", quality=85)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(
            {"evidence": _("The photo could not be read: take it again, as a JPEG or PNG.")}
        ) from None
    stem = PurePosixPath(evidence.name).stem or "photo"
    return ContentFile(out.getvalue(), name=f"{stem}.{'png' if is_png else 'jpg'}")


def _waiting_deductions(household: Household) -> int:
    return (
        PointClaim.objects.filter(household=household, status=PointClaim.Status.PENDING, points__lt=0).aggregate(
            total=Sum("points")
        )["total"]
        or 0
    )


@transaction.atomic
def point_claim_record(
    *,
    household: Household,
    rule: PointRule,
    day: date,
    by,
    person: Person | None = None,
    note: str = "",
    evidence=None,
) -> PointClaim:
    """Record a claim of a rule's points for a household (积分待审核). The rules of an award are
    checked now — the rule in use, the cap, the month open, the balance for a deduction — so
    that a claim is refused when it is made, not when it is reviewed. A rule that needs no
    review (a photo only) enters the ledger at once."""
    _check_award(household, rule, day, person)
    if rule.evidence_required and not evidence:
        raise ValidationError(
            {"evidence": _("The rule “%(rule)s” is claimed with a photo.") % {"rule": rule.description}}
        )
    if rule.points < 0:
        # The balance less the deductions already waiting: each is taken when approved.
        have = Household.objects.values_list("points_balance", flat=True).get(pk=household.pk)
        have += _waiting_deductions(household)
        if have + rule.points < 0:
            raise ValidationError(
                _("Not enough points: %(need)d needed, %(have)d left after the deductions waiting for review.")
                % {"need": -rule.points, "have": have},
                code="points_short",
            )
    claim = PointClaim(
        household=household,
        village_id=household.village_id,
        person=person,
        rule=rule,
        points=rule.points,
        date=day,
        note=note,
        reviews_needed=rule.review,
        recorded_by=by if by is not None and by.pk else None,
    )
    if evidence:
        claim.evidence = _shrink(evidence)
    claim.full_clean()
    claim.save(force_insert=True)  # an approved period of the village refuses it here
    if claim.reviews_needed == PointRule.Review.NONE:
        _enter(claim)
    return claim


# The related rows of a line entered from its claim: the claim's own, read with it (checking
# that each exists was half of a review's queries).
CLAIM_LINE_RELATIONS = ["household", "village", "person", "rule", "recorded_by", "claim", "appeal", "reverses"]


def _enter(claim: PointClaim, stamped: tuple[str, ...] = ()) -> PointEntry:
    """The approved claim's line in the ledger: its date, its recorder, and the claim (which
    names the reviewers). `stamped`: the claim's fields the review set, saved with its status."""
    balance = _move_balance(claim.household_id, claim.points)
    claim.status = PointClaim.Status.APPROVED
    claim.save(update_fields=["status", *stamped])
    return _create(
        PointEntry(
            household_id=claim.household_id,
            village_id=claim.village_id,
            person_id=claim.person_id,
            rule_id=claim.rule_id,
            kind=PointEntry.Kind.AWARD if claim.points > 0 else PointEntry.Kind.DEDUCTION,
            points=claim.points,
            balance_after=balance,
            date=claim.date,
            note=claim.note,
            recorded_by_id=claim.recorded_by_id,
            claim=claim,
        ),
        validate_unique=False,
        exclude=CLAIM_LINE_RELATIONS,
    )


def _check_reviewer(claim: PointClaim, by) -> None:
    """Who may review: a reviewer who keeps the claim's village, who did not record it, does not
    live in its household and has not reviewed it already. `by=None` is the system (the demo)."""
    if by is None:
        return
    if not by.has_perm("points.review_pointclaim"):
        raise ValidationError(_("You may not review points claims."), code="not_reviewer")
    if not scope_for(by).keeps_village(claim.village_id):  # the claim's own village (PointClaim.village)
        raise ValidationError(_("The claim is of a village you do not keep."), code="out_of_scope")
    if claim.recorded_by_id == by.pk:
        raise ValidationError(_("You recorded this claim: another person reviews it."), code="own_claim")
    if Person.objects.filter(staff_user=by, household_id=claim.household_id).exists():
        raise ValidationError(
            _("The claim is for your own household: another person reviews it."), code="own_household"
        )
    if claim.reviewed_by_id == by.pk:
        raise ValidationError(_("You have reviewed this claim already: a second person reviews it."), code="reviewed")


@transaction.atomic
def point_claim_review(*, claim: PointClaim, by, approve: bool, reason: str = "") -> PointClaim:
    """Approve a claim waiting for review, or return it with the reason. The last review it
    needs enters it in the ledger (`_enter`), where the month's lock and the balance hold."""
    claim = PointClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != PointClaim.Status.PENDING:
        raise ValidationError(
            _("This claim has been reviewed already (%(status)s).") % {"status": claim.get_status_display()}
        )
    _check_reviewer(claim, by)
    now = timezone.now()
    user = by if by is not None and by.pk else None
    if not approve:
        if not reason.strip():
            raise ValidationError(_("Give the reason for returning the claim."))
        claim.status = PointClaim.Status.RETURNED
        claim.returned_by, claim.returned_at, claim.return_reason = user, now, reason.strip()[:200]
        claim.save(update_fields=["status", "returned_by", "returned_at", "return_reason"])
        return claim
    if claim.reviewed_at is None:
        claim.reviewed_by, claim.reviewed_at = user, now
        stamped, done = ("reviewed_by", "reviewed_at"), 1
    else:
        claim.second_reviewed_by, claim.second_reviewed_at = user, now
        stamped, done = ("second_reviewed_by", "second_reviewed_at"), 2
    if done >= claim.reviews_needed:
        _enter(claim, stamped)
    else:
        claim.save(update_fields=stamped)
    return claim


def point_claims_review(*, claims: Iterable[PointClaim], by, approve: bool, reason: str = "") -> tuple[int, list[str]]:
    """Review many claims in one pass (a village's, ticked on a phone): each on its own, so that
    one refused claim does not hold back the rest. Returns how many were reviewed and, for the
    others, why not."""
    done, refused = 0, []
    # One transaction, each claim in a savepoint of its own: a refused claim takes back only its
    # own writes, and the pass commits once (a commit per claim was most of its time).
    with transaction.atomic():
        for claim in sorted(claims, key=lambda c: (c.household_id, c.pk)):  # one lock order for every writer
            try:
                with transaction.atomic():
                    point_claim_review(claim=claim, by=by, approve=approve, reason=reason)
                done += 1
            except ValidationError as error:
                refused.append(_("Claim #%(id)s: %(error)s") % {"id": claim.pk, "error": " ".join(error.messages)})
    return done, refused


# --- The month's posting (积分公示) -------------------------------------------------------


@transaction.atomic
def point_posting_create(*, village: Village, month: date, by) -> PointPosting:
    """Post a village's month: its figures as they stand now, kept as posted (a later
    correction shows on the month it is dated in), the appeal window from today, and the
    names shown as the town has set. A month may be posted once it has begun (a session day
    mid-month); posting it again makes a new posting, which the village then reads, and
    the earlier one stays on record."""
    month = month.replace(day=1)
    today = timezone.localdate()
    if month > today:
        raise ValidationError({"month": _("A month can be posted once it has begun.")})
    scope = scope_for(by) if by is not None else None
    if scope is not None and not scope.keeps_village(village.pk):
        raise ValidationError({"village": _("You do not keep this village: its own staff post its points.")})
    settings = SupermarketSettings.of(village.town_id)
    posting = PointPosting(
        village=village,
        month=month,
        posted_by=by,
        appeal_from=today,
        appeal_until=today + timedelta(days=settings.appeal_days),
        names=settings.posting_names,
        contact=settings.contact,
        rows=selectors.posting_rows(village=village, month=month, names=settings.posting_names),
    )
    posting.full_clean()
    posting.save(force_insert=True)
    return posting


@transaction.atomic
def supermarket_settings_save(*, settings: SupermarketSettings, by) -> SupermarketSettings:
    """Set how the town posts its months: the names shown, the days to appeal, whom to ask."""
    scope = scope_for(by) if by is not None else None
    if scope is not None and not scope.covers_town(settings.town_id):
        raise ValidationError({"town": _("Only the town's own administrators set how it posts its points.")})
    return save_with_history(settings, by)


# --- Appeals (积分申诉) ---------------------------------------------------------------------


def _check_keeps(village_id: int, by) -> None:
    """An appeal is heard by staff who keep its village (`by=None` is the system)."""
    if by is None:
        return
    scope = scope_for(by)
    if not scope.keeps_village(village_id):
        raise ValidationError(_("The appeal is of a village you do not keep."))


@transaction.atomic
def point_appeal_record(*, appeal: PointAppeal, by) -> PointAppeal:
    """Record (受理) an appeal a clerk takes down for a household, received today: of a line
    on a posting, or of an award the household says is missing from the posting it names.
    Refused outside the posting's appeal window."""
    if appeal.pk is not None:
        raise ValidationError(_("This appeal has already been recorded."))
    entry, household = appeal.entry, appeal.household
    if appeal.posting_id is None and entry is not None:
        # The posting that showed the line: its village's posting of the line's month.
        appeal.posting = (
            PointPosting.objects.filter(village_id=entry.village_id, month=entry.date.replace(day=1))
            .order_by("-posted_at")
            .first()
        )
    posting = appeal.posting
    if posting is None:
        raise ValidationError({"posting": _("Choose the posting the household appeals.")})
    _check_keeps(posting.village_id, by)
    if household.village_id != posting.village_id:
        raise ValidationError({"household": _("The household is not of the posting's village.")})
    if entry is not None:
        if entry.household_id != household.pk:
            raise ValidationError({"entry": _("The line appealed is not of this household.")})
        if entry.village_id != posting.village_id or entry.date.replace(day=1) != posting.month:
            raise ValidationError({"entry": _("The line appealed is not on this posting.")})
    today = timezone.localdate()
    if not posting.appeal_from <= today <= posting.appeal_until:
        raise ValidationError(
            _("The posting may be appealed from %(start)s to %(end)s: an appeal received on %(day)s is outside it.")
            % {"start": posting.appeal_from, "end": posting.appeal_until, "day": today}
        )
    if not appeal.statement.strip():
        raise ValidationError({"statement": _("Write what the villager says.")})
    appeal.village_id = posting.village_id
    appeal.received_on = today
    appeal.status = PointAppeal.Status.RECEIVED
    if by is not None and by.pk:
        appeal.recorded_by = by
    return save_with_history(appeal, by)  # an approved period of the village refuses it here


def _appeal_step(appeal: PointAppeal, allowed: tuple, refused: str, by, **changes) -> PointAppeal:
    _check_keeps(appeal.village_id, by)
    if by is not None:
        # status_step saves the row it locked, not `appeal`: the actor goes on that row.
        changes["_history_user"] = by
    return status_step(appeal, allowed=allowed, refused=refused, **changes)


def point_appeal_check(*, appeal: PointAppeal, by) -> PointAppeal:
    """受理 → 核实中: someone is looking into it."""
    return _appeal_step(
        appeal,
        (PointAppeal.Status.RECEIVED,),
        _("The appeal is %(status)s: only a received appeal is taken up for checking."),
        by,
        status=PointAppeal.Status.CHECKING,
    )


@transaction.atomic
def point_appeal_decide(
    *, appeal: PointAppeal, outcome: str, reason: str, by, rule: PointRule | None = None, points: int | None = None
) -> PointAppeal:
    """Decide an appeal being checked: upheld (维持) or rejected (驳回) with the reasons, or
    corrected (更正) by a new ledger line that cites the appeal. The correction is the line's
    points undone, or the missing rule's points, unless `points` says otherwise."""
    Status = PointAppeal.Status
    if outcome not in (Status.UPHELD, Status.CORRECTED, Status.REJECTED):
        raise ValidationError(_("Choose the outcome: points upheld, corrected or rejected."))
    if not reason.strip():
        raise ValidationError({"outcome": _("Give the reasons for the outcome.")})
    correction = None
    if outcome == Status.CORRECTED:
        correction = _correction(appeal, rule=rule, points=points, reason=reason.strip(), by=by)
    # Stepped before the line is written: the row lock settles "once", and a balance that would
    # go below zero rolls the step back with it.
    decided = _appeal_step(
        appeal,
        (Status.CHECKING,),
        _("The appeal is %(status)s: only an appeal being checked is decided."),
        by,
        status=outcome,
        outcome=reason.strip(),
        decided_by=by if by is not None and by.pk else None,
        decided_on=timezone.localdate(),
    )
    if correction is not None:
        correction.balance_after = _move_balance(correction.household_id, correction.points)
        _create(correction)
    return decided


def _correction(appeal: PointAppeal, *, rule: PointRule | None, points: int | None, reason: str, by) -> PointEntry:
    """The correcting line, not yet written. It is dated today in the appeal's village: the
    month it corrects stays as it was posted (and approved), and the correction shows on the
    village's next posting, where the village and a county inspector see both."""
    entry = appeal.entry
    if rule is not None and rule.town_id != appeal.village.town_id:
        raise ValidationError(_("The rule belongs to another town."))
    if points is None and rule is not None:
        points = rule.points
    elif points is None and entry is not None:
        points = -entry.points  # the line undone
    if not points:
        raise ValidationError(_("Give the points of the correction (negative to take points away)."))
    return PointEntry(
        household_id=appeal.household_id,
        village_id=appeal.village_id,
        rule=rule or (entry.rule if entry is not None else None),
        kind=PointEntry.Kind.CORRECTION,
        points=points,
        date=timezone.localdate(),
        note=(_("Appeal #%(id)s: %(reason)s") % {"id": appeal.pk, "reason": reason})[:200],
        appeal=appeal,
        recorded_by=by if by is not None and by.pk else None,
    )
