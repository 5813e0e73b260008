"""Retention (`manage.py purge`): what is due for removal, and its removal, in one place.

Due: people who moved out or died whose record last changed before the cut-off, with their
honours and what the apps register as theirs alone (registry.add_purge: health records, care
register entries); the apps' closed cases older than the cut-off; and the access, report
and import logs older than theirs. Every record goes with its history rows.

A person still named by a record that stays is kept, and the listing says by which kind of
record: a points-ledger line or a redemption (the ledger is append-only), an open case or
another's record (a case's parties are not hers alone to change). Households are never
removed: they hold the ledger.

The listing is the removal itself, rolled back, as the import preview is: what it lists is
what the removal removes, and the removal refuses to go on if that changed in between.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model

from federation.core import periods
from federation.core.identity import mask_id_number, years_before
from federation.core.models import ImportRecord, PurgeRecord, RecordAccess, ReportLog
from federation.core.registry import registry
from federation.core.scoping import village_path
from federation.models import Honor, Person

LOGS = (RecordAccess, ReportLog, ImportRecord)
BATCH = 500


@dataclass
class Removal:
    """What a purge removes: records per kind (model label), per village and kind, each
    record's name when asked for, and the people kept with the kinds of record naming them."""

    before: date
    logs_before: date
    counts: Counter = field(default_factory=Counter)
    villages: dict = field(default_factory=lambda: defaultdict(Counter))
    names: list = field(default_factory=list)  # (label, village, name)
    kept: dict = field(default_factory=dict)  # person id → {verbose name of the kind}


def cutoffs(before: date | None, today: date) -> tuple[date, date]:
    """The days before which records and logs are due. A --before earlier than the logs'
    own cut-off keeps the logs longer too; none makes a log go sooner."""
    logs = years_before(today, settings.LOG_RETENTION_YEARS)
    if before is None:
        return years_before(today, settings.RETENTION_YEARS), logs
    return before, min(before, logs)


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def due_people(before: date) -> QuerySet:
    """People who moved out or died whose record last changed before `before`. One without
    any history is kept: when she last changed is not known."""
    history = Person.history.model.objects.filter(id=OuterRef("pk"))
    return (
        Person.objects.filter(status__in=[Person.Status.MOVED_OUT, Person.Status.DECEASED])
        .filter(Exists(history))
        .exclude(Exists(history.filter(history_date__gte=_start(before))))
    )


def _selected(before: date, people: QuerySet) -> list[QuerySet]:
    """What goes before the people, in order: the apps' parts, then the people's honours."""
    parts = [select(before, people) for select in registry.purges.values()]
    return [*parts, Honor.objects.filter(person__in=people)]


def _naming(people: QuerySet, going: list[QuerySet]) -> dict[int, set[str]]:
    """Which of `people` a record that stays names, and the kinds of those records. A record
    naming her by PROTECT or RESTRICT keeps her; so does a many-to-many link (her removal would
    change another record); CASCADE would go with her and SET_NULL forgets her."""
    found = defaultdict(set)
    for relation in Person._meta.get_fields(include_hidden=True):
        if relation.concrete or not relation.auto_created:
            continue
        owner = relation.related_model
        if relation.many_to_many:
            rows = relation.through._base_manager.all()
            person, record = relation.field.m2m_reverse_field_name(), relation.field.m2m_field_name()
        elif relation.on_delete in (models.PROTECT, models.RESTRICT):
            rows = owner._base_manager.all()
            person, record = relation.field.name, "pk"
        else:
            continue
        rows = rows.filter(**{f"{person}__in": people})
        for queryset in going:
            if queryset.model is owner:
                rows = rows.exclude(**{f"{record}__in": queryset.values("pk")})
        column = rows.model._meta.get_field(person).attname
        for person_id in rows.order_by().values_list(column, flat=True).distinct():
            found[person_id].add(str(owner._meta.verbose_name_plural))
    return found


def people_to_remove(before: date) -> tuple[QuerySet, dict[int, set[str]]]:
    """The people due and not named by a record that stays, and those kept with why. Keeping
    one keeps what would have gone with her, which may name another: repeat until none more."""
    kept = {}
    while True:
        people = due_people(before).exclude(pk__in=list(kept))
        found = _naming(people, _selected(before, people))
        if not found:
            return people, kept
        kept.update(found)


def _village_names(model, pks: list) -> dict:
    try:
        path = village_path(model)
    except AttributeError:  # no village: an honour, a log
        return {}
    names = {}
    for start in range(0, len(pks), BATCH):
        rows = model._base_manager.filter(pk__in=pks[start : start + BATCH])
        names.update(
            (pk, f"{town} {village}")
            for pk, town, village in rows.values_list("pk", f"{path}__town__name", f"{path}__name")
        )
    return names


def _name(record) -> str:
    # A person by her name and masked number: two people of one name are told apart, and
    # a listing on a terminal is no place for a whole ID number.
    if isinstance(record, Person):
        return f"{record.name} {mask_id_number(record.id_number)}"
    return str(record)


def _remove(queryset: QuerySet, removal: Removal, named: bool) -> None:
    """Delete the records (and what CASCADE takes with them), then their history rows."""
    collector = Collector(using=queryset.db, origin=queryset)
    collector.collect(queryset)
    doomed = {model: [record.pk for record in records] for model, records in collector.data.items()}
    no_village = _("(no village)")
    for model, pks in doomed.items():
        label, villages = model._meta.label_lower, _village_names(model, pks)
        removal.counts[label] += len(pks)
        for pk in pks:
            removal.villages[villages.get(pk, no_village)][label] += 1
        if named:
            removal.names += [(label, villages.get(r.pk, no_village), _name(r)) for r in collector.data[model]]
    for fast in collector.fast_deletes:
        # The links of a many-to-many (a case's parties) are not records of their own.
        count = 0 if fast.model._meta.auto_created else fast.count()
        if count:
            removal.counts[fast.model._meta.label_lower] += count
            removal.villages[no_village][fast.model._meta.label_lower] += count
    collector.delete()
    for model, pks in doomed.items():
        _remove_history(model, pks)


def _remove_history(model, pks: list) -> None:
    try:
        history = get_history_model_for_model(model)
    except NotHistoricalModelError:
        return
    for start in range(0, len(pks), BATCH):
        rows = history._base_manager.filter(**{f"{model._meta.pk.attname}__in": pks[start : start + BATCH]})
        # The many-to-many history of those rows (a case's parties then) names people too.
        for relation in history._meta.related_objects:
            relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": rows.values("pk")}).delete()
        rows.delete()


def _purge(before: date, logs_before: date, named: bool) -> Removal:
    removal = Removal(before, logs_before)
    people, removal.kept = people_to_remove(before)
    for queryset in _selected(before, people):
        _remove(queryset, removal, named)
    _remove(people, removal, named)
    for model in LOGS:
        _remove(model.objects.filter(created_at__lt=_start(logs_before)), removal, named)
    return removal


def purge_preview(*, before: date, logs_before: date, named: bool = False) -> Removal:
    """What a purge would remove: the purge itself, rolled back."""
    with transaction.atomic():
        removal = _purge(before, logs_before, named)
        transaction.set_rollback(True)
    return removal


@transaction.atomic
def purge_run(*, before: date, logs_before: date, listed: Removal, account: str) -> PurgeRecord:
    """Remove what `listed` (the preview) listed, and record it. If the records changed since,
    remove nothing: what was confirmed is what goes."""
    with periods.unlocked():  # past years' periods were approved: their records go too
        removal = _purge(before, logs_before, named=False)
    if removal.counts != listed.counts or removal.kept.keys() != listed.kept.keys():
        raise ValidationError(_("The records changed since they were listed; nothing was removed. Run it again."))
    return PurgeRecord.objects.create(
        account=account,
        before=before,
        logs_before=logs_before,
        counts=dict(removal.counts),
        kept=len(removal.kept),
    )
