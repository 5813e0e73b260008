"""Every write of the points supermarket. Balances and stock change only here, by
conditional UPDATEs that never read-modify-write, so that no point is ever spent twice."""

import functools
from collections import Counter
from collections.abc import Iterable
from datetime import date
from uuid import UUID, uuid4

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.models import Household, Person
from points.models import Goods, PointEntry, PointRule, Redemption, RedemptionEvent, RedemptionItem, StockLine


@functools.cache
def _columns(model) -> tuple:
    """The columns an INSERT writes (all but the id), with each field's default."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    return tuple((field, field.attname, field.get_default()) for field in fields)


def _insert_sql(model, rows: list[dict], refs: dict | None = None) -> tuple[str, list]:
    """One INSERT of the rows (attname → value; a missing value is the field's default),
    each value prepared as save() would; `refs` gives SQL for some columns instead (a key
    written earlier in the same statement). Rows rather than model instances: building
    instances only to read their values back was a third of a redemption's Python."""
    refs = refs or {}
    columns = _columns(model)
    quote = connection.ops.quote_name
    row = f"({', '.join(refs.get(attname, '%s') for _field, attname, _default in columns)})"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f, _a, _d in columns)}) "  # noqa: S608
        f"VALUES {', '.join([row] * len(rows))}"
    )
    params = [
        # Numbers, text and NULL go as they are; dates and UUIDs as the field prepares them.
        value if value is None or type(value) in (int, str) else field.get_db_prep_save(value, connection)
        for values in rows
        for field, attname, default in columns
        if attname not in refs
        for value in (values.get(attname, default),)
    ]
    return sql, params


def _insert(model, rows: list[dict]) -> list[int]:
    """INSERT rows in one statement and return their ids (RETURNING works on PostgreSQL
    and on SQLite 3.35 and later)."""
    if not rows:
        return []
    sql, params = _insert_sql(model, rows)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {connection.ops.quote_name(model._meta.pk.column)}", params)
        return [pk for (pk,) in cursor.fetchall()]


def _write_redemption(redemption: dict, items: list[dict], lines: list[dict], entry: dict) -> int:
    """INSERT a redemption with its items, stock lines and ledger line; return its id.
    On PostgreSQL in one statement (data-modifying CTEs), elsewhere one INSERT each."""
    if connection.vendor != "postgresql":
        (pk,) = _insert(Redemption, [redemption])
        for row in (*items, *lines, entry):
            row["redemption_id"] = pk
        for model, rows in ((RedemptionItem, items), (StockLine, lines), (PointEntry, [entry])):
            _insert(model, rows)
        return pk
    ref = {"redemption_id": "(SELECT id FROM w0)"}
    parts = [
        _insert_sql(Redemption, [redemption]),
        _insert_sql(RedemptionItem, items, ref),
        _insert_sql(StockLine, lines, ref),
        _insert_sql(PointEntry, [entry], ref),
    ]
    sql = (
        f"WITH w0 AS ({parts[0][0]} RETURNING id), w1 AS ({parts[1][0]}), w2 AS ({parts[2][0]}) "
        f"{parts[3][0]} RETURNING redemption_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for _sql, params in parts for param in params])
        return cursor.fetchone()[0]


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


@transaction.atomic
def point_award(
    *, household: Household, rule: PointRule, day: date, by, person: Person | None = None, note: str = ""
) -> PointEntry:
    """Award a rule's points to a household, or deduct them when the rule is negative
    (never below zero)."""
    if not rule.active:
        raise ValidationError(_("The rule “%(rule)s” is no longer in use.") % {"rule": rule.description})
    if rule.town_id != household.village.town_id:
        raise ValidationError(_("The rule belongs to another town."))
    _check_person(household, person)
    balance = _move_balance(household.pk, rule.points)
    return PointEntry.objects.create(
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


@transaction.atomic
def point_award_many(
    *, households: Iterable[Household], rule: PointRule, day: date, by, note: str = ""
) -> list[PointEntry]:
    """The same rule for many households at once: all of them, or none."""
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
    balance = _move_balance(entry.household_id, -entry.points)
    try:
        with transaction.atomic():
            return PointEntry.objects.create(
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
    except IntegrityError:  # a concurrent reversal won the race
        raise ValidationError(_("This line has already been reversed.")) from None


@transaction.atomic
def goods_restock(*, goods: Goods, quantity: int, by, note: str = "", kind: str = StockLine.Kind.RESTOCK) -> StockLine:
    """Add stock (or, as a correction with a negative quantity, take it away)."""
    if quantity == 0 or (quantity < 0 and kind != StockLine.Kind.CORRECTION):
        raise ValidationError(_("The quantity must be at least 1."))
    stock = _move_stock(goods, quantity)
    return StockLine.objects.create(
        goods=goods, kind=kind, change=quantity, stock_after=stock, note=note, recorded_by=by
    )


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


@transaction.atomic
def _redeem(*, event, household, person, items, by, token) -> Redemption:
    if household.village_id != event.village_id:
        raise ValidationError({"household": _("The household is not of the session's village.")})
    _check_person(household, person)
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
    total = sum(goods_by_pk[pk].points_price * quantity for pk, quantity in quantities.items())
    now = timezone.now()
    by_id = by.pk if by is not None else None
    redemption = {
        "event_id": event.pk,
        "household_id": household.pk,
        "person_id": person.pk,
        "total_points": total,
        "token": token or uuid4(),
        "recorded_by_id": by_id,
        "recorded_at": now,
    }
    short = []
    # Household first, then goods by id: every writer takes the locks in the same order.
    try:
        balance = _move_balance(household.pk, -total)
    except ValidationError as error:
        short.append(error.messages[0])
        balance = None
    lines = []
    for pk in sorted(quantities):
        goods = goods_by_pk[pk]
        try:
            stock = _move_stock(goods, -quantities[pk])
        except ValidationError as error:
            short.append(error.messages[0])
            continue
        lines.append(
            {
                "goods_id": pk,
                "kind": StockLine.Kind.REDEMPTION.value,
                "change": -quantities[pk],
                "stock_after": stock,
                "recorded_by_id": by_id,
                "recorded_at": now,
            }
        )
    if short:
        raise ValidationError(short)
    items = [
        {"goods_id": pk, "quantity": quantity, "unit_points": goods_by_pk[pk].points_price}
        for pk, quantity in sorted(quantities.items())
    ]
    entry = {
        "household_id": household.pk,
        "village_id": household.village_id,
        "person_id": person.pk,
        "kind": PointEntry.Kind.REDEMPTION.value,
        "points": -total,
        "balance_after": balance,
        "date": event.date,
        "recorded_by_id": by_id,
        "recorded_at": now,
    }
    # Written last, after balance and stock: a repeated form token fails here and rolls
    # the whole redemption back.
    saved = Redemption(
        pk=_write_redemption(redemption, items, lines, entry),
        event=event,
        household=household,
        person=person,
        total_points=total,
        token=redemption["token"],
        recorded_by=by,
        recorded_at=now,
    )
    saved._state.adding, saved._state.db = False, connection.alias
    return saved


@transaction.atomic
def redemption_cancel(*, redemption: Redemption, by, reason: str) -> Redemption:
    """Give the points and the goods back. Once."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for cancelling."))
    now = timezone.now()
    cancelled = Redemption.objects.filter(pk=redemption.pk, cancelled_at__isnull=True).update(
        cancelled_at=now, cancelled_by=by, cancel_reason=reason.strip()[:200]
    )
    if not cancelled:
        raise ValidationError(_("This redemption has already been cancelled."))
    balance = _move_balance(redemption.household_id, redemption.total_points)
    PointEntry.objects.create(
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
    for item in redemption.items.select_related("goods").order_by("goods_id"):
        stock = _move_stock(item.goods, item.quantity)
        StockLine.objects.create(
            goods=item.goods,
            kind=StockLine.Kind.CANCELLATION,
            change=item.quantity,
            stock_after=stock,
            redemption=redemption,
            recorded_by=by,
            note=reason.strip()[:200],
        )
    redemption.refresh_from_db()
    return redemption
