"""The township's year: each village submits its ledgers a month (or a quarter, as the town
sets) at a time, the town approves or returns them, and an approved period is locked.

Locked means that no record an app registered (`registry.add_period_records`) dated in the
period in the village can be added, changed or deleted, by any path that saves a model —
the admin's forms and actions, the services, the demo — until a town administrator reopens
the period with a reason. The check is the models' pre_save and pre_delete signals, so that
no service needs to remember it (the rosters of these records write through the services,
so an import is refused row by row); the points ledger keeps the rule in the database too
(a trigger)."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, signals
from django.utils.translation import gettext as _

from federation.core.dates import period_label
from federation.core.models import PeriodSubmission
from federation.core.registry import registry

APPROVED = PeriodSubmission.Status.APPROVED


class PeriodLocked(ValidationError):
    """A write into an approved (locked) period."""


@dataclass(frozen=True)
class PeriodRecords:
    """An app's records that a period holds and locks: their model, the name of their date
    field and the path from them to their village: their own column ("village"), or that of a
    record which is registered too ("event__village"), never a person's or household's, who may
    move (registry's check)."""

    model: type
    date: str
    village: str
    # Fields that a later step of the record sets (a dispute's mediation and closing): a save
    # that changes only these is the work of the step's own date, checked against its period,
    # not against the period the record was found in. (Decided in issue 24: a case found in an
    # approved month is settled in the month it is settled in, without reopening the first.)
    later: tuple[str, ...] = ()

    def guard(self) -> None:
        """Check every write of the model from now on: its saves and deletions (the lock's
        receivers, below) and the queryset writes that send no signal. Called once, by
        registry.add_period_records."""
        signals.pre_save.connect(_before_save, sender=self.model, dispatch_uid=f"period-save-{self.model._meta.label}")
        signals.pre_delete.connect(
            _before_delete, sender=self.model, dispatch_uid=f"period-delete-{self.model._meta.label}"
        )
        guard_bulk_writes(self.model)

    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def value(self, record) -> tuple[int | None, date | None]:
        """(village id, date) of a record as it stands in memory."""
        return _walk(record, f"{self.village}_id"), _walk(record, self.date)

    def stored(self, record) -> tuple[int | None, date | None] | None:
        """(village id, date) of the record as the database holds it, None if it holds none."""
        if record.pk is None or record._state.adding:
            return None
        return self.model._base_manager.filter(pk=record.pk).values_list(self.village, self.date).first()

    def in_period(self, village_ids, start: date, end: date):
        return self.model._base_manager.filter(
            **{f"{self.village}__in": village_ids, f"{self.date}__range": (start, end)}
        )

    def list_params(self, village_id: int, start: date, end: date) -> dict:
        """The URL lookups of the record list that shows what the period holds in a village:
        the reviewer's links from a submission (the scoped admin accepts them)."""
        return {
            f"{self.date}__gte": start.isoformat(),
            f"{self.date}__lte": end.isoformat(),
            self.village_lookup: village_id,
        }

    @property
    def village_lookup(self) -> str:
        return f"{self.village}__id__exact"

    def check(self, record, *, deleting: bool = False) -> None:
        """Refuse a save that would put the record into a locked period or take it out of
        one, and a deletion of one in a locked period."""
        if not deleting and self.later and self._check_later_step(record):
            return
        pairs = [self.value(record)]
        if not deleting:
            stored = self.stored(record)
            if stored is not None:
                pairs.append(stored)
        submission = approved_covering(pairs)
        if submission is not None:
            raise locked_error(submission, None if "__" in self.date else self.date)

    def _check_later_step(self, record) -> bool:
        """If the save changes only `later` fields, check the dates it sets and say so."""
        if record.pk is None or record._state.adding:
            return False
        names = [field.attname for field in self.model._meta.concrete_fields]
        stored = self.model._base_manager.filter(pk=record.pk).values(*names).first()
        if stored is None:
            return False
        changed = {name for name in names if getattr(record, name) != stored[name]}
        if not changed or not changed <= set(self.later):
            return False
        village = stored[f"{self.village}_id"] if "__" not in self.village else self.value(record)[0]
        days = [getattr(record, name) for name in sorted(changed) if isinstance(getattr(record, name), date)]
        submission = approved_covering([(village, day) for day in days])
        if submission is not None:
            raise locked_error(submission)
        return True

    def check_form(self, form) -> None:
        self.check(form.instance)

    def check_update(self, queryset, changes: dict) -> None:
        """Refuse a queryset's update() that touches a record of a locked period, or moves one
        into a locked period (a new date or village given as a value)."""
        pairs = set(queryset.order_by().values_list(self.village, self.date).distinct())
        village_field, date_field = f"{self.village}_id", self.date
        new_village = changes.get(self.village, changes.get(village_field))
        new_village = getattr(new_village, "pk", new_village)
        new_date = changes.get(date_field)
        moved = {
            (new_village if isinstance(new_village, int) else village, new_date if isinstance(new_date, date) else day)
            for village, day in pairs
        }
        submission = approved_covering(pairs | moved)
        if submission is not None:
            raise locked_error(submission, None if "__" in self.date else self.date)

    def approved_q(self) -> Q:
        """The records of approved periods (what a county reader counts when the town says
        so), or of a town that shows the county all its records."""
        approved = PeriodSubmission.objects.filter(
            village=OuterRef(self.village),
            status=APPROVED,
            start__lte=OuterRef(self.date),
            end__gte=OuterRef(self.date),
        )
        return Q(**{f"{self.village}__town__county_sees_approved_only": False}) | Q(Exists(approved))

    def history_in(self, submission: PeriodSubmission):
        return self.model.history.filter(
            **{self.village: submission.village_id, f"{self.date}__range": (submission.start, submission.end)}
        )


def _walk(record, path: str):
    """The value at the end of a path of attributes ("pairing__child__village_id"), or None."""
    value = record
    for name in path.split("__"):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


# Set while `manage.py purge` removes records of past years, which approved periods hold,
# and while `seed_demo` runs again over its own approved year.
_unlocked = ContextVar("periods_unlocked", default=False)


@contextmanager
def unlocked():
    """Let records of approved periods be written and deleted: only the retention purge
    and the demo's second run do this (the ledger's trigger still refuses new lines)."""
    token = _unlocked.set(True)
    try:
        yield
    finally:
        _unlocked.reset(token)


def locked_error(submission: PeriodSubmission, field: str | None = None) -> PeriodLocked:
    """The refusal, on the record's date field when it has one of its own (a form shows it
    there, an import names its column)."""
    message = _(
        "%(period)s of %(village)s has been approved and is locked: its records cannot be added, "
        "changed or deleted. A town administrator can reopen it."
    ) % {"period": period_label(submission.start, submission.end), "village": submission.village}
    return PeriodLocked({field: message} if field else message)


def approved_covering(pairs) -> PeriodSubmission | None:
    """The approved submission that covers one of the (village id, date) pairs, if any: the
    villages' approved periods read in one query, the pairs (a bulk write's thousands) checked
    against them here."""
    days = {}
    for village_id, day in pairs:
        if village_id is not None and day is not None:
            days.setdefault(village_id, set()).add(day)
    if not days:
        return None
    approved = PeriodSubmission.objects.filter(village_id__in=days, status=APPROVED).select_related("village")
    for submission in approved.order_by("start", "pk"):
        if any(submission.start <= day <= submission.end for day in days[submission.village_id]):
            return submission
    return None


def ensure_open(village_id, day) -> None:
    """Refuse (PeriodLocked, naming the period) a write dated `day` in an approved period."""
    submission = approved_covering([(village_id, day)])
    if submission is not None:
        raise locked_error(submission)


def check_record(records: PeriodRecords, record, *, deleting: bool = False) -> None:
    records.check(record, deleting=deleting)


class LockedQuerySet:
    """Mixed into the querysets of every registered period model (`guard_bulk_writes`): the
    writes that send no pre_save signal — a queryset's update(), bulk_update(), bulk_create() —
    are checked against approved periods as a save is. (A queryset's delete() sends
    pre_delete for each record, which `_before_delete` checks.)"""

    def update(self, **kwargs):
        if not _unlocked.get():
            _records_of(self.model).check_update(self, kwargs)
        return super().update(**kwargs)

    update.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        if not _unlocked.get():
            records = _records_of(self.model)
            for record in objs:
                records.check(record)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    bulk_update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if not _unlocked.get():
            records = _records_of(self.model)
            submission = approved_covering(records.value(record) for record in objs)
            if submission is not None:
                raise locked_error(submission)
        return super().bulk_create(objs, *args, **kwargs)

    bulk_create.alters_data = True


def guard_bulk_writes(model) -> None:
    """Give the model's managers (and so its related managers, made from its default
    manager's class) a queryset that checks the writes no signal announces."""
    for manager in {*model._meta.managers, model._base_manager}:
        queryset_class = manager._queryset_class
        if issubclass(queryset_class, LockedQuerySet):
            continue
        locked = type(f"Locked{queryset_class.__name__}", (LockedQuerySet, queryset_class), {})
        manager.__class__ = type(manager.__class__.__name__, (manager.__class__,), {"_queryset_class": locked})


def _records_of(model) -> "PeriodRecords":
    return registry.period_records[model]


def is_unlocked() -> bool:
    return _unlocked.get()


# The lock is one pair of receivers, connected for each registered model (PeriodRecords.guard),
# which look the sender's records up in the registry: every path that saves or deletes a
# model instance (a form, an inline, an action, a service, a roster, the demo) sends these
# signals, so no service has to remember the check, and an app locks its records by
# registering them, nothing more. The writes that send no signal are the querysets'
# (LockedQuerySet above). A plain call from each service would hold only the paths someone
# remembered: the holes of issue 24 were such paths. (Not one receiver for every model: a
# model with a pre_delete receiver loses Django's fast delete of its cascades.)
def _before_save(sender, instance, raw=False, **kwargs):
    if not raw and not _unlocked.get():  # (raw: loading a fixture)
        check_record(registry.period_records[sender], instance)


def _before_delete(sender, instance, **kwargs):
    if not _unlocked.get():
        check_record(registry.period_records[sender], instance, deleting=True)


def holdings(village_ids, start: date, end: date) -> list[tuple[str, int]]:
    """(title, count) of what the period holds in the villages, for each registered kind."""
    return [(title, count) for title, count, _records in holdings_by_kind(village_ids, start, end)]


def holdings_by_kind(village_ids, start: date, end: date) -> list[tuple[str, int, PeriodRecords]]:
    """(title, count, records) of what the period holds in the villages, for each kind."""
    return [
        (records.title(), records.in_period(village_ids, start, end).count(), records)
        for records in registry.period_records.values()
    ]


# How the home page marks a month of a village: by its submission's status, or not submitted.
MARKS = {
    PeriodSubmission.Status.APPROVED: "✔",
    PeriodSubmission.Status.SUBMITTED: "●",
    PeriodSubmission.Status.RETURNED: "✖",
    PeriodSubmission.Status.REOPENED: "◐",
}
NOT_SUBMITTED = "·"


def completion(village_rows: list[tuple[int, str]], year: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """For the home page: each village's twelve months of `year` as (mark, status label),
    in one query; a quarter's submission marks its three months."""
    statuses = dict(PeriodSubmission.Status.choices)
    months = {}
    submissions = PeriodSubmission.objects.filter(
        village_id__in=[pk for pk, _name in village_rows], start__year=year
    ).values_list("village_id", "start", "end", "status")
    for village_id, start, end, status in submissions:
        for month in range(start.month, end.month + 1):
            months[(village_id, month)] = status
    not_submitted = _("not submitted")
    rows = []
    for pk, name in village_rows:
        cells = []
        for month in range(1, 13):
            status = months.get((pk, month))
            cells.append((MARKS[status], str(statuses[status])) if status else (NOT_SUBMITTED, not_submitted))
        rows.append((name, cells))
    return rows


def changes_while_open(submission: PeriodSubmission) -> list[tuple[str, int]]:
    """(title, count) of the changes made to the period's records since the town last
    reopened it: history rows where the records keep history, else records written since
    (a ledger line is never changed, only added). Shown on the submission."""
    reopened = (
        submission.events.filter(action=PeriodSubmission.Status.REOPENED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if reopened is None:
        return []
    changes = []
    for records in registry.period_records.values():
        history = getattr(records.model, "history", None)
        if history is not None:
            count = records.history_in(submission).filter(history_date__gte=reopened).count()
        elif any(field.name == "recorded_at" for field in records.model._meta.concrete_fields):
            in_period = records.in_period([submission.village_id], submission.start, submission.end)
            count = in_period.filter(recorded_at__gte=reopened).count()
        else:
            continue
        if count:
            changes.append((records.title(), count))
    return changes
