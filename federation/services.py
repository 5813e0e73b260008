"""Writes of the federation registry that carry rules. Admin, import and demo call these."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from federation.core.dates import period_label, period_of
from federation.core.history import delete_with_history, save_with_history
from federation.core.models import PeriodSubmission, Town, Village
from federation.core.periods import PeriodLocked, PeriodRecords, approved_covering, is_unlocked, locked_error
from federation.core.scoping import scope_for
from federation.models import Activity, ActivityAttachment, Honor, Household, Person

APPROVED = PeriodSubmission.Status.APPROVED


@transaction.atomic
def person_save(*, person: Person, by=None) -> Person:
    """Validate (normalising the ID number, deriving sex and birth date) and save."""
    return save_with_history(person, by)


@transaction.atomic
def household_save(*, household: Household, by=None) -> Household:
    save_with_history(household, by)
    if household.head_id and household.head.relation_to_head != Person.Relation.SELF:
        head = household.head
        head.relation_to_head = Person.Relation.SELF
        person_save(person=head, by=by)
    return household


def activity_villages_check(*, town: Town | None, villages: Iterable[Village] | None, by=None) -> None:
    """An activity without villages is town-wide: only staff who see the whole town may record
    one (the admin form asks this too, before saving). `by=None` is the system (the demo)."""
    if by is None or town is None or villages is None or list(villages):
        return
    if not scope_for(by).covers_town(town.pk):
        raise ValidationError({"villages": _("Choose at least one of your villages.")})


@transaction.atomic
def activity_save(*, activity: Activity, villages: Iterable[Village] | None = None, by=None) -> Activity:
    """Validate and save an activity and, when given, its villages (none: town-wide). The
    admin passes the form's villages, which keep those its user cannot see."""
    if villages is not None:
        villages = list(villages)
    activity_villages_check(town=activity.town if activity.town_id else None, villages=villages, by=by)
    save_with_history(activity, by)
    if villages is not None:
        activity.villages.set(villages)  # the history row of the change names `by` too
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, by=None) -> None:
    """Delete an activity with its attachments, each deletion's history row naming `by`."""
    for attachment in activity.attachments.all():
        attachment_delete(attachment=attachment, by=by)
    delete_with_history(activity, by)


@transaction.atomic
def attachment_save(*, attachment: ActivityAttachment, by=None) -> ActivityAttachment:
    """Validate (a photo or a PDF, under the size cap) and save an activity's attachment."""
    return save_with_history(attachment, by)


@transaction.atomic
def attachment_delete(*, attachment: ActivityAttachment, by=None) -> None:
    """Delete an attachment's record. The file stays in storage: the history names it."""
    delete_with_history(attachment, by)


@transaction.atomic
def honor_save(*, honor: Honor, by=None) -> Honor:
    """Validate (a household award to a household, a person's to a person) and save."""
    return save_with_history(honor, by)


@transaction.atomic
def honor_delete(*, honor: Honor, by=None) -> None:
    delete_with_history(honor, by)


# --- The period lock of activities: held in several villages, or town-wide ---


class ActivityRecords(PeriodRecords):
    """Activities: one held in villages is locked when one of their periods is approved; a
    town-wide one when every village of the town has had that period approved (the town's
    own ledger closes with its villages')."""

    def __init__(self):
        super().__init__(Activity, "date", "villages")

    def in_period(self, village_ids, start: date, end: date):
        return Activity.objects.filter(
            pk__in=Activity.villages.through.objects.filter(
                village_id__in=village_ids, activity__date__range=(start, end)
            ).values("activity_id")
        )

    def check(self, record, *, deleting: bool = False, villages=None) -> None:
        stored = None if record.pk is None or record._state.adding else Activity.objects.filter(pk=record.pk).first()
        held = set(villages if villages is not None else ())
        if stored is not None:
            held |= set(stored.villages.values_list("pk", flat=True))
        days = {record.date} | ({stored.date} if stored is not None else set())
        town_id = record.town_id or (stored.town_id if stored is not None else None)
        _refuse_activity(town_id, held, days)

    def check_update(self, queryset, changes: dict) -> None:
        for activity in queryset.only("pk", "date", "town_id"):
            if "date" in changes and isinstance(changes["date"], date):
                self.check(Activity(pk=activity.pk, date=changes["date"], town_id=activity.town_id))
            self.check(activity)

    def check_form(self, form) -> None:
        chosen = form.cleaned_data.get("villages")
        self.check(form.instance, villages=[village.pk for village in chosen] if chosen is not None else None)

    def approved_q(self) -> Q:
        in_villages = PeriodSubmission.objects.filter(
            village__activities=OuterRef("pk"), status=APPROVED, start__lte=OuterRef("date"), end__gte=OuterRef("date")
        )
        unapproved_village = Village.objects.filter(town=OuterRef("town")).exclude(
            Exists(
                PeriodSubmission.objects.filter(
                    village=OuterRef("pk"),
                    status=APPROVED,
                    start__lte=OuterRef(OuterRef("date")),
                    end__gte=OuterRef(OuterRef("date")),
                )
            )
        )
        town_wide = ~Exists(Activity.villages.through.objects.filter(activity=OuterRef("pk")))
        return (
            Q(town__county_sees_approved_only=False)
            | Q(Exists(in_villages))
            | (Q(town_wide) & ~Q(Exists(unapproved_village)))
        )

    def history_in(self, submission: PeriodSubmission):
        held = Activity.villages.through.objects.filter(village_id=submission.village_id).values("activity_id")
        return Activity.history.filter(id__in=held, date__range=(submission.start, submission.end))


def _refuse_activity(town_id, village_ids, days) -> None:
    days = [day for day in days if day is not None]
    if village_ids:
        submission = approved_covering([(village, day) for village in village_ids for day in days])
        if submission is not None:
            raise locked_error(submission, "date")
        return
    for day in days:
        villages = Village.objects.filter(town_id=town_id)
        approved = PeriodSubmission.objects.filter(
            village__town_id=town_id, status=APPROVED, start__lte=day, end__gte=day
        ).values("village_id")
        if villages.exists() and not villages.exclude(pk__in=approved).exists():
            start, end = period_of(Town.objects.get(pk=town_id).submission_period, day)
            message = _(
                "%(period)s has been approved for every village and is locked: the town's own activities "
                "of the period cannot be added, changed or deleted. A town administrator can reopen a village's period."
            ) % {"period": period_label(start, end)}
            raise PeriodLocked({"date": message})


def activity_villages_changed(sender, instance, action, pk_set, **kwargs):
    """Villages added to or taken from an activity of a locked period."""
    if is_unlocked() or action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    villages = set(pk_set or ()) if action != "pre_clear" else set(instance.villages.values_list("pk", flat=True))
    if villages:
        submission = approved_covering([(village, instance.date) for village in villages])
        if submission is not None:
            raise locked_error(submission, "date")
