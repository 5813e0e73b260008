"""Exports that respect the user's villages and masking, and that Excel cannot execute."""

import functools
import itertools
from collections.abc import Callable, Iterator
from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from import_export import resources
from import_export.declarative import ModelDeclarativeMetaclass
from import_export.fields import Field

from federation.core.fields import CONTROL_CHARACTERS, IdNumberField, PhoneField, SecretField
from federation.core.identity import mask_id_number, mask_phone
from federation.core.scoping import NOTHING, in_scope, scope_for

FULL_IDENTITY_PERMISSION = "federation.view_full_identity"
# Rows read per query by a streamed export (and per prefetch of its many-to-many columns).
EXPORT_CHUNK = 2000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(value):
    """Make a text cell inert in Excel: prefix ' to anything that could start a formula, and
    drop the control characters that an .xlsx cannot hold (older data may still have them)."""
    if isinstance(value, str):
        if not value.isprintable():  # a quick scan: nearly every cell has no control character
            value = CONTROL_CHARACTERS.sub("", value)
        if value.startswith(_FORMULA_STARTS):
            return "'" + value
    return value


_FORMULA_FIRST = frozenset("".join(_FORMULA_STARTS))


def neutralize_all(values) -> list:
    """`neutralize` over a column of cells, asked only of the few that need it: a plain
    text cell (nearly every one) costs no call."""
    first = _FORMULA_FIRST
    return [
        value
        if value.__class__ is str and (not value or (value[0] not in first and value.isprintable()))
        else neutralize(value)
        for value in values
    ]


def can_see_identity(user) -> bool:
    return bool(user and user.has_perm(FULL_IDENTITY_PERMISSION))


def identity_masker(model_field):
    """Return the masking function for a model field that holds an ID number or phone."""
    if isinstance(model_field, IdNumberField):
        return mask_id_number
    if isinstance(model_field, PhoneField):
        return mask_phone
    return None


def is_internal(model_field) -> bool:
    """A machine's identifier or secret that nobody reads: the automatic primary key, any
    UUID (a form's double-submit token, say) and a `SecretField` (a town's pseudonym key).

    `editable=False` is no such mark: it also guards what people read and only services
    write (a status, a balance, a case number, a birth date taken from the ID number)."""
    if isinstance(model_field, models.UUIDField | SecretField):
        return True
    return bool(model_field.primary_key and model_field.auto_created)


class ScopedResourceMetaclass(ModelDeclarativeMetaclass):
    """Leaves internal fields out of the columns a resource takes from its model, so that
    no export (and no export form's column list) offers them. A resource still gets one by
    declaring it, or by naming it in `Meta.fields`."""

    def __new__(cls, name, bases, attrs):
        # Declared here, or kept by a base resource already.
        declared = {key for key, value in attrs.items() if isinstance(value, Field)}
        declared.update(key for base in bases for key in getattr(base, "fields", {}))
        new_class = super().__new__(cls, name, bases, attrs)
        model = new_class._meta.model
        if model is None:
            return new_class
        named = set(new_class._meta.fields or ())
        for key, field in list(new_class.fields.items()):
            if key in declared or key in named or not field.attribute or "__" in field.attribute:
                continue
            try:
                model_field = model._meta.get_field(field.attribute)
            except FieldDoesNotExist:
                continue
            if is_internal(model_field):
                del new_class.fields[key]
        return new_class


class ScopedResource(resources.ModelResource, metaclass=ScopedResourceMetaclass):
    """Base of every resource: scoped to the user's villages, masked, formula-safe, and
    without internal columns (see `is_internal`).

    Without a user it exports nothing (the export form can build a resource with none).
    """

    def __init__(self, user=None, **kwargs):
        self._field_names = {}  # Field -> its name
        self._exporters = {}  # (Field, native types?) -> function of the record
        super().__init__(**kwargs)
        self.user = user
        self.full_identity = can_see_identity(user)

    def get_queryset(self):
        queryset = super().get_queryset()
        return in_scope(queryset, scope_for(self.user) if self.user else NOTHING)

    def filter_export(self, queryset, **kwargs):
        # The admin hands over its changelist queryset; filter it again regardless.
        return in_scope(queryset, scope_for(self.user) if self.user else NOTHING)

    def get_field_name(self, field):
        # Asked for every cell of an export: a dict, not import-export's walk of the columns.
        if field not in self._field_names:
            self._field_names = {column: name for name, column in self.fields.items()}
        return self._field_names.get(field) or super().get_field_name(field)

    def _model_field(self, field):
        if not field.attribute or "__" in field.attribute:
            return None
        try:
            return self._meta.model._meta.get_field(field.attribute)
        except FieldDoesNotExist:
            return None

    def get_export_headers(self, selected_fields=None):
        headers = []
        for field in self.get_export_fields(selected_fields):
            model_field = self._model_field(field)
            if model_field is not None and field.column_name in (model_field.name, model_field.attname):
                headers.append(str(model_field.verbose_name))
            else:
                headers.append(str(field.column_name))
        return headers

    def export_field(self, field, instance, **kwargs):
        # Which rule a column follows is settled on its first cell, not on each of 100,000.
        key = (field, bool(kwargs.get("force_native_type")))
        exporter = self._exporters.get(key)
        if exporter is None:
            exporter = self._exporters[key] = self.exporter(field, **kwargs)
        return exporter(instance)

    def dehydrator(self, field) -> Callable | None:
        """The column's own function of the record (`dehydrate_<name>`), if it has one."""
        dehydrate = field.get_dehydrate_method(self.get_field_name(field))
        return dehydrate if callable(dehydrate) else getattr(self, dehydrate, None)

    def exporter(self, field, **kwargs) -> Callable[[models.Model], object]:
        """Return how `field` is exported, as a function of the record: a relation by its
        name, a choice by its label, an ID number or phone masked unless the user may see
        it, anything else as its widget renders it, and no text that Excel would run."""
        model_field = self._model_field(field)
        method = self.dehydrator(field)
        if model_field is not None and method is None:
            if isinstance(model_field, models.ForeignKey):
                return _related_name(model_field.name)
            simple = self._simple_exporter(model_field)
            if simple is not None:
                return simple
        if method is not None:
            return lambda instance: neutralize(method(instance))
        return lambda instance: neutralize(field.export(instance, **kwargs))

    def _simple_exporter(self, model_field):
        """A choice's label or a masked number, read from the record's own column."""
        value_of = attrgetter(model_field.attname)
        if model_field.choices:
            labels = choice_labels(model_field)
            return lambda record: labels[value_of(record)]
        masker = identity_masker(model_field)
        if masker and not self.full_identity:
            return lambda record: masker(value_of(record))
        return None

    def export_queryset(self, queryset, selected_fields=None):
        """The records of an export in the user's villages, each relation that a column
        shows joined and each many-to-many column fetched once per chunk, not per row."""
        queryset = self.filter_export(queryset)
        shown, fetched = [], []
        for field in self.get_export_fields(selected_fields):
            model_field = self._model_field(field)
            if model_field is None or not model_field.is_relation:
                continue
            if model_field.many_to_one or model_field.one_to_one:
                shown.append(model_field.name)
            elif model_field.many_to_many:
                fetched.append(model_field.name)
        # The list joins what its own columns show. Of its joins keep those under a relation
        # the export shows (a household is named with its head), and drop the rest: each
        # joined table is one more model instance to build for every row.
        joins = [*shown, *_paths(queryset.query.select_related, shown)]
        # A lookup already prefetched (with its own ordering, say) is not asked for again.
        seen = {getattr(lookup, "prefetch_to", lookup) for lookup in queryset._prefetch_related_lookups}
        fetched = [name for name in fetched if name not in seen]
        return queryset.select_related(None).select_related(*joins).prefetch_related(*fetched)

    # A resource whose dehydrate methods read only the record's key (`pk`) and what its
    # filter_export annotates sets this: its export then reads plain rows (values_list),
    # not a model instance with its relations for each of 100,000 records.
    export_from_values = False

    def exports_from_values(self) -> bool:
        return self.export_from_values

    def export_rows(self, queryset, selected_fields=None, **kwargs) -> Iterator[list]:
        """Yield the export's rows as they are read: one query in chunks (the prefetches
        per chunk), never pages by OFFSET as import-export does once anything is prefetched."""
        fields = self.get_export_fields(selected_fields)
        if self.exports_from_values():
            rows = self._rows_from_values(queryset, fields, **kwargs)
            if rows is not None:
                return rows
        return self._rows_from_instances(queryset, fields, selected_fields, **kwargs)

    def _rows_from_instances(self, queryset, fields, selected_fields, **kwargs):
        export_field = self.export_field
        for instance in self.export_queryset(queryset, selected_fields).iterator(chunk_size=EXPORT_CHUNK):
            yield [export_field(field, instance, **kwargs) for field in fields]

    def _rows_from_values(self, queryset, fields, **kwargs):
        """The rows from values_list(named=True) — the key, the annotations and the columns
        shown — each column by the same rules as `exporter`; None when a column needs the
        record itself (a many-to-many, a model property), which the instances then serve.

        A chunk of rows is written column by column, each a chain of `map`s: the cells of
        100,000 rows cost no Python call of ours that the column's rule does not need. (One
        function, long: the columns' plan and the generator share the names it reads.)"""
        queryset = self.filter_export(queryset)
        meta = queryset.model._meta
        names = ["pk", *queryset.query.annotations]
        related = {}  # ForeignKey -> {key: its name}
        columns = []  # functions of a chunk of rows: the column's cells
        for field in fields:
            model_field = self._model_field(field)
            method = self.dehydrator(field)
            if method is not None:
                columns.append(lambda rows, method=method: neutralize_all(map(method, rows)))
            elif model_field is not None and not model_field.concrete:
                return None
            elif isinstance(model_field, models.ForeignKey):
                names.append(model_field.attname)
                named = related.setdefault(model_field, Lookup(lambda key: ""))
                columns.append(_looked_up(model_field.attname, named))
            elif model_field is not None:
                names.append(model_field.attname)
                columns.append(self._simple_column(field, model_field, kwargs))
            elif field.attribute is None:
                columns.append(lambda rows, field=field: [neutralize(field.widget.render(None, **kwargs))] * len(rows))
            elif _plain_path(meta.model, field.attribute):
                names.append(field.attribute)
                columns.append(_rendered(field, field.attribute, kwargs))
            else:
                return None
        joined = queryset.query.select_related
        rows = queryset.select_related(None).values_list(*dict.fromkeys(names), named=True)

        def generate():
            # Every name a column shows in one query where they are few: the whole table
            # when it is small (a county's villages), else the records the rows name, else
            # the names each chunk of rows needs.
            complete = {
                foreign_key: any(
                    _read_names(foreign_key, named, keys, _paths(joined, [foreign_key.name]), limit=limit)
                    for keys, limit in (
                        (None, SMALL_TABLE),
                        (queryset.order_by().values(foreign_key.attname), RELATED_NAMES_KEPT),
                    )
                )
                for foreign_key, named in related.items()
            }
            records = rows.iterator(chunk_size=EXPORT_CHUNK)
            while chunk := list(itertools.islice(records, EXPORT_CHUNK)):
                for foreign_key, named in related.items():
                    if not complete[foreign_key]:
                        if len(named) > RELATED_NAMES_KEPT:
                            named.clear()
                        keys = {getattr(row, foreign_key.attname) for row in chunk} - named.keys() - {None}
                        _read_names(foreign_key, named, keys, _paths(joined, [foreign_key.name]))
                yield from zip(*(column(chunk) for column in columns), strict=True)

        return generate()

    def _simple_column(self, field, model_field, kwargs):
        value_of = attrgetter(model_field.attname)
        if model_field.choices:
            labels = choice_labels(model_field)
            return lambda rows: map(labels.__getitem__, map(value_of, rows))
        masker = identity_masker(model_field)
        if masker and not self.full_identity:
            return lambda rows: map(masker, map(value_of, rows))
        # A date is written as 2024-03-01 or as a date: nothing Excel would run.
        return _rendered(field, model_field.attname, kwargs, text=not isinstance(model_field, models.DateField))


class Lookup(dict):
    """A dict that answers a key it lacks with `missing(key)`."""

    def __init__(self, missing, *args):
        super().__init__(*args)
        self.missing = missing

    def __missing__(self, key):
        return self.missing(key)


def choice_labels(model_field) -> Lookup:
    """{value: label} of a field's choices, once per export (get_FOO_display rebuilds them
    for every cell); a value not among them as itself, an empty one as a blank cell."""
    labels = {value: str(label) for value, label in model_field.flatchoices}
    return Lookup(lambda value: "" if value is None else str(value), labels)


def _paths(select_related, names) -> list[str]:
    """The paths of a queryset's joins (`query.select_related`) that start with one of
    `names`; a bare `select_related()` (True) names none."""
    if not isinstance(select_related, dict):
        return []
    paths = []
    for name, below in select_related.items():
        if name in names:
            paths.extend([f"{name}__{path}" for path in _paths(below, below)] or [name])
    return paths


def _related_name(attribute):
    def export(instance):
        related = getattr(instance, attribute)
        return neutralize(str(related)) if related is not None else ""

    return export


def _looked_up(attname, named):
    value_of = attrgetter(attname)
    return lambda rows: map(named.__getitem__, map(value_of, rows))


def _rendered(field, attname, kwargs, text=True):
    value_of, render = attrgetter(attname), field.widget.render
    if kwargs:
        render = functools.partial(render, **kwargs)
    if text:
        return lambda rows: neutralize_all(map(render, map(value_of, rows)))
    return lambda rows: map(render, map(value_of, rows))


def _plain_path(model, path: str) -> bool:
    """Whether `a__b__c` leads through relations to a concrete column that is no relation."""
    *relations, last = path.split("__")
    try:
        for name in relations:
            model = model._meta.get_field(name).related_model
            if model is None:
                return False
        field = model._meta.get_field(last)
    except FieldDoesNotExist:
        return False
    return field.concrete and not field.is_relation


# Names of related records kept at most (a roster names thirteen villages; a ledger could
# name 250,000 households): past it the names are read again for each chunk of rows.
RELATED_NAMES_KEPT = 50_000
# A table this small is read whole: cheaper than finding which of its records the rows name.
SMALL_TABLE = 1000


def _read_names(foreign_key, named: dict, keys, joins: list[str], limit: int | None = None) -> bool:
    """Read into `named` the names of the records whose keys are `keys` (a set, a
    subquery, or None for every record), with the joins their names use (a household is named with its head), or
    none if there are more than `limit`; return whether they were read."""
    if isinstance(keys, set) and not keys:  # (a subquery is not run here to be tested)
        return True
    target = foreign_key.target_field.attname
    below = [path.split("__", 1)[1] for path in joins if "__" in path]
    records = foreign_key.related_model._base_manager.all()
    if keys is not None:
        records = records.filter(**{f"{target}__in": keys})
    records = records.select_related(*below) if below else records
    records = list(records if limit is None else records[: limit + 1])
    if limit is not None and len(records) > limit:
        return False
    named.update((getattr(record, target), neutralize(str(record))) for record in records)
    return True
