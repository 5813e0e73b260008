"""Writing a plan: one bulk writer for large rosters (rows, not model instances, with
their simple-history rows), and a step that saves records through their app's service."""

from dataclasses import dataclass, field
from functools import partial

from django.db import connection
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

    @property
    def checks_on_write(self) -> bool:
        """Whether a step saves through services whose checks the preview must run too."""
        return any(getattr(step, "checks_on_write", False) for step in self.after)

    def update(self, model, changes: dict) -> None:
        """UPDATE each object's own changed fields (`changes`: object -> field names), never
        the union of all rows' fields: a column this row does not change keeps the value
        someone may have saved since the plan was made."""
        groups: dict[tuple, list] = {}
        for obj, names in changes.items():
            groups.setdefault(tuple(sorted(names)), []).append(obj)
        for names, objects in groups.items():
            self.updates.append((model, objects, list(names)))

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
        self.sample.append({"row": row.number, "status": str(status), "cells": cells})

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
    if connection.vendor == "postgresql":
        return None  # psycopg takes dates, times and decimals as they are
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    if kind == "DecimalField":
        return lambda value: connection.ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return None


def _values(obj, fields, adapters) -> list:
    """The row's values for `fields`, as the ORM would send them (a Row inside stands for
    its key); called for every row of a roster, so kept plain."""
    get = obj.get if type(obj) is Row else partial(getattr, obj)
    values = []
    for model_field, adapt in zip(fields, adapters, strict=True):
        value = get(model_field.attname)
        if type(value) is Row:
            value = value.get("id")
        elif adapt is not None and value is not None:
            value = adapt(value)
        values.append(value)
    return values


def _executemany(sql: str, rows: list) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


# Parameters per statement: SQLite allows 32,766.
_PARAMETERS = 30_000
_UNNEST_ROWS = 10_000  # rows per UPDATE … FROM UNNEST on PostgreSQL


def _insert_many(table: str, fields: list, rows: list[list], *, returning: str | None = None) -> list:
    """INSERT rows in bulk (what bulk_create does, without building model instances). With
    `returning`, the new keys in the order of `rows`.

    On PostgreSQL the rows go in by COPY, whose rows psycopg formats in C: a multi-row
    INSERT costs psycopg more to build (parsing 30,000 placeholders, or dumping arrays in
    Python for UNNEST) than the server to run. Their keys are taken from the table's own
    sequence first, in one statement, so each row knows its key without reading it back
    by some other column. Elsewhere, multi-row INSERT … RETURNING."""
    if connection.vendor == "postgresql":
        return _copy(table, fields, rows, returning=returning)
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(field.column) for field in fields)}) VALUES "  # noqa: S608
    row_sql = f"({', '.join(['%s'] * len(fields))})"
    tail = f" RETURNING {quote(returning)}" if returning else ""
    batch = max(1, _PARAMETERS // len(fields))
    keys = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            values = [value for row in chunk for value in row]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, values)
            if returning:
                keys.extend(key for (key,) in cursor.fetchall())
    return keys


def _copy(table: str, fields: list, rows: list[list], *, returning: str | None) -> list:
    quote = connection.ops.quote_name
    columns = [field.column for field in fields]
    keys = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), returning, len(rows)],
            )
            keys = [key for (key,) in cursor.fetchall()]
            columns = [returning, *columns]
            rows = [[key, *row] for key, row in zip(keys, rows, strict=True)]
        sql = f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
        # Through Django's wrapper, as its own queries are: a duplicate key is then an
        # IntegrityError that the import reports as records changed meanwhile.
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    return keys


def insert_history(model, objects, *, user, reason: str, history_type: str) -> None:
    """Write one simple-history row per object or Row, as bulk_history_create would."""
    history = model.history.model
    tracked = {field.attname for field in history.tracked_fields}
    fields = [field for field in history._meta.concrete_fields if field.attname in tracked]
    adapters = [_adapter(field) for field in fields]
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    extra = [stamp, reason, history_type, user.pk if user is not None else None]
    extra_fields = [
        history._meta.get_field(name)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    rows = [_values(obj, fields, adapters) + extra for obj in objects]
    _insert_many(history._meta.db_table, fields + extra_fields, rows)


def insert_rows(model, rows: list[Row]) -> None:
    """INSERT Rows and give each its primary key, read back with RETURNING. Missing
    values take the fields' defaults."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    for model_field in fields:
        if model_field.has_default() or not model_field.null:
            default = model_field.get_default()
            for row in rows:
                row.setdefault(model_field.attname, default)
    adapters = [_adapter(field) for field in fields]
    values = [_values(row, fields, adapters) for row in rows]
    keys = _insert_many(model._meta.db_table, fields, values, returning=model._meta.pk.column)
    for row, key in zip(rows, keys, strict=True):
        row["id"] = key


def update_rows(model, objects, field_names: list[str]) -> None:
    """UPDATE the named fields of each object or Row: on PostgreSQL one statement per batch
    joined to UNNEST arrays, elsewhere one plain statement per row."""
    fields = [model._meta.get_field(name) for name in field_names]
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    rows = [_values(obj, fields, adapters) + [obj.pk] for obj in objects]
    if connection.vendor != "postgresql":
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        _executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows)  # noqa: S608 - names, not input
        return
    names = [f"c{index}" for index in range(len(fields))]
    assignments = ", ".join(f"{quote(field.column)} = v.{name}" for field, name in zip(fields, names, strict=True))
    types = [field.db_type(connection).split("(")[0] for field in [*fields, model._meta.pk]]
    arrays = ", ".join(f"(%s)::{db_type}[]" for db_type in types)
    sql = (
        f"UPDATE {table} SET {assignments} FROM UNNEST({arrays}) AS v({', '.join([*names, 'pk'])}) "  # noqa: S608
        f"WHERE {table}.{pk} = v.pk"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _UNNEST_ROWS):
            chunk = rows[start : start + _UNNEST_ROWS]
            cursor.execute(sql, [list(column) for column in zip(*chunk, strict=True)])
