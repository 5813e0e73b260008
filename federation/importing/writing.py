"""Writing a plan: one bulk writer for large rosters (rows, not model instances, with
their simple-history rows), and a step that saves records through their app's service."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import UniqueConstraint
from django.utils import timezone

SAMPLE_ROWS = 20


@dataclass
class Plan:
    """What an import will write. Resources fill it; `apply` writes it in bulk with history."""

    creates: list = field(default_factory=list)  # (model, [Row], with_history) in order
    updates: list = field(default_factory=list)  # (model, [objects], [fields])
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    sample: list = field(default_factory=list)
    after: list = field(default_factory=list)  # callables run after the writes

    def counts(self) -> tuple[int, int, int]:
        return self.new, self.updated, self.unchanged

    def add_sample(self, row, status: str) -> None:
        """Keep a row for the preview, as it will be stored (a date as a date, not 45352)."""
        if len(self.sample) >= SAMPLE_ROWS:
            return
        cells = {}
        for position, header, column in row.layout:
            if column.attribute in row.values:
                cells[header] = column.widget.render(row.values[column.attribute])
            else:
                cells[header] = row.cells[position] if position < len(row.cells) else None
        self.sample.append({"row": row.number, "status": status, "cells": cells})

    def apply(self, *, user, reason: str) -> None:
        history_user = user if user is not None and user.pk else None
        for model, objects, with_history in self.creates:
            if objects:
                insert_rows(model, objects)
                if with_history:
                    insert_history(model, objects, user=history_user, reason=reason, history_type="+")
        for model, objects, update_fields in self.updates:
            if objects:
                update_rows(model, objects, update_fields)
                insert_history(model, objects, user=history_user, reason=reason, history_type="~")
        for callback in self.after:
            callback(history_user, reason)


class Row(dict):
    """A row an import will insert: attname -> value, without a model instance (building
    100,000 instances costs more than inserting them). A value that is itself a Row stands
    for that row's primary key, known once it is inserted."""

    __slots__ = ()

    @property
    def pk(self):
        return self.get("id")

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


# Plain executemany for the writes that Django's bulk API makes slow at this size: inserts
# (bulk_create compiles every value through the ORM), history rows (bulk_history_create
# builds a model instance per row) and updates (bulk_update builds a CASE per batch).
# Values are adapted the way the ORM would adapt them.


def _adapter(field):
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    if kind == "DecimalField":
        return lambda value: connection.ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return None


def _value(obj, field, adapt):
    if isinstance(obj, Row):
        value = obj.get(field.attname)
        if isinstance(value, Row):
            value = value.pk
    else:
        value = getattr(obj, field.attname)
        if isinstance(value, Row):
            value = value.pk
    return adapt(value) if adapt and value is not None else value


def _executemany(sql: str, rows: list) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


def insert_history(model, objects, *, user, reason: str, history_type: str) -> None:
    """Write one simple-history row per object or Row, as bulk_history_create would."""
    history = model.history.model
    tracked = {field.attname for field in history.tracked_fields}
    fields = [field for field in history._meta.concrete_fields if field.attname in tracked]
    adapters = [_adapter(field) for field in fields]
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    extra = [stamp, reason, history_type, user.pk if user is not None else None]
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields] + [
        quote(history._meta.get_field(name).column)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - names, not input
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    rows = [
        [_value(obj, field, adapt) for field, adapt in zip(fields, adapters, strict=True)] + extra for obj in objects
    ]
    _executemany(sql, rows)


def _natural_key(model) -> list[str] | None:
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.fields and constraint.condition is None:
            return [model._meta.get_field(name).attname for name in constraint.fields]
    return None


def save_through(service, records: list):
    """A step for `Plan.after`: save each record through its app's service
    (`service(record=..., by=...)`), as the admin does."""

    def save(user, reason) -> None:
        for record in records:
            service(record=record, by=user)

    return save


def insert_rows(model, rows: list[Row]) -> None:
    """INSERT Rows and give each its primary key. With a natural key (the model's unique
    constraint) they go in by executemany and their keys are read back by it. Missing
    values take the fields' defaults."""
    key = _natural_key(model)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    if key is None:  # no key to read the new ids back by: let bulk_create return them
        attnames = {field.attname for field in fields}
        objects = [
            model(
                **{
                    name: value.pk if isinstance(value, Row) else value
                    for name, value in row.items()
                    if name in attnames
                }
            )
            for row in rows
        ]
        model._default_manager.bulk_create(objects, batch_size=1000)
        for row, obj in zip(rows, objects, strict=True):
            row["id"] = obj.pk
        return
    for model_field in fields:
        if model_field.has_default() or not model_field.null:
            default = model_field.get_default()
            for row in rows:
                row.setdefault(model_field.attname, default)
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    _executemany(
        sql, [[_value(row, field, adapt) for field, adapt in zip(fields, adapters, strict=True)] for row in rows]
    )
    by_key = {tuple(row[name] for name in key): row for row in rows}
    first = key[0]
    for start in range(0, len(rows), 5000):
        values = list({row[first] for row in rows[start : start + 5000]})
        for pk, *found in model._default_manager.filter(**{f"{first}__in": values}).values_list("pk", *key):
            row = by_key.get(tuple(found))
            if row is not None:
                row["id"] = pk


def update_rows(model, objects, field_names: list[str]) -> None:
    """UPDATE the named fields of each object or Row, one plain statement per row."""
    fields = [model._meta.get_field(name) for name in field_names]
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
    rows = [
        [_value(obj, field, adapt) for field, adapt in zip(fields, adapters, strict=True)] + [obj.pk] for obj in objects
    ]
    _executemany(sql, rows)
