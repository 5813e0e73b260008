"""Break the glass (临时查阅): a user asks, with a reason, to open one file of her villages
that she may not see (a domestic-violence case, a child's care file: the apps declare which,
registry.add_glass); the town administrator approves or refuses it, or the town lets the
user's role open it at once (Town.glass_immediate_roles). Open, it lets her open that one file
and its records for settings.GLASS_HOURS, and every page she opens is logged under it
(RecordAccess.glass); then it is closed by itself, as `active_q` reads the clock. The town
reviews the month's accesses (glass_review).

The admin base asks `glass_open(request, record)` for the access that opens a record; the rest
of what she sees (lists, exports, reports, figures) does not change."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.core.history import status_step
from federation.core.models import GlassAccess
from federation.core.registry import Glass, registry
from federation.core.scoping import in_scope, scope_for

Status = GlassAccess.Status
APPROVE_PERMISSION = "federation.approve_glass"
# A reason is a sentence (为何此刻需要这份档案), not a word.
REASON_MIN_LENGTH = 6


def not_found() -> ValidationError:
    # A file outside her villages, one no glass opens and one that does not exist get the same
    # answer: the request page confirms nothing.
    return ValidationError(_("No file of your villages has this number."))


# The counted sets: a work list's number and the list it links to are both these.
def pending_q() -> Q:
    return Q(status=Status.REQUESTED)


def active_q(now=None) -> Q:
    return Q(status__in=GlassAccess.OPEN, ends_at__gt=now or timezone.now())


def to_review_q(today=None) -> Q:
    """Decided before this month and not yet reviewed: last month's (and any older left)."""
    first = (today or timezone.localdate()).replace(day=1)
    return ~pending_q() & Q(reviewed_at__isnull=True, created_at__date__lt=first)


def counts(user) -> dict[str, int]:
    """The town administrator's three numbers in her villages, in one query."""
    accesses = in_scope(GlassAccess.objects.all(), scope_for(user))
    return accesses.aggregate(
        pending=Count("pk", filter=pending_q()),
        active=Count("pk", filter=active_q()),
        review=Count("pk", filter=to_review_q()),
    )


def file_glass(model) -> Glass | None:
    glass = registry.glass.get(model)
    return glass if glass is not None and not glass.via else None


def holds(user, permissions) -> bool:
    return all(user.has_perm(permission) for permission in permissions)


def openable(glass: Glass, user):
    """The files of this kind a user may ask for: of her villages, of the kind a glass opens."""
    records = in_scope(glass.model._default_manager.all(), scope_for(user))
    return records.filter(glass.applies()) if glass.applies else records


def glass_find(*, user, text: str):
    """The file of the user's villages whose number is exactly `text` (a case's number, a
    child's ID number: each declared kind's `find` fields), or None. The newest when several."""
    text = (text or "").strip()
    if not text:
        return None
    for glass in registry.glass_files():
        if not glass.find:
            continue
        match = Q()
        for name in glass.find:
            match |= Q(**{f"{name}__iexact": text})
        record = openable(glass, user).filter(match).order_by("-pk").first()
        if record is not None:
            return record
    return None


def _check_approver(access, by) -> None:
    if by is None:
        return
    if by.pk == access.requester_id:
        raise ValidationError(_("A request cannot be decided by the person who made it."))
    if not (
        by.has_perm(APPROVE_PERMISSION)
        and scope_for(by).keeps_village(access.village_id)
        and holds(by, registry.glass_permissions(access.record))
    ):
        raise ValidationError(_("Only the town administrator, who may open such files herself, decides requests."))


def _window(now) -> dict:
    return {"opens_at": now, "ends_at": now + timedelta(hours=settings.GLASS_HOURS)}


@transaction.atomic
def glass_request(*, record, reason: str, by) -> GlassAccess:
    """Ask to open `record` (a declared file of the asker's villages) with a reason. Opened at
    once when the town lets one of her roles; else it waits for the town administrator."""
    glass = file_glass(type(record))
    if glass is None or not openable(glass, by).filter(pk=record.pk).exists():
        raise not_found()
    if holds(by, glass.permissions):
        raise ValidationError(_("You may open this file yourself: no request is needed."))
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError({"reason": _("Say in a sentence why you need this file now.")})
    label, object_id = glass.file_key(record)
    mine = GlassAccess.objects.filter(requester=by, record=label, object_id=object_id)
    if mine.filter(pending_q() | active_q()).exists():
        raise ValidationError(_("You have asked for this file already: see your requests."))
    village_id = type(record)._default_manager.filter(pk=record.pk).values_list(record.scope_village_path, flat=True)[0]
    access = GlassAccess(
        requester=by,
        record=label,
        object_id=object_id,
        record_label=str(glass.describe(record))[:200],
        village_id=village_id,
        reason=reason,
    )
    town = access.village.town
    if town.glass_immediate_roles.filter(pk__in=by.groups.values("pk")).exists():
        access.status = Status.IMMEDIATE
        access.__dict__.update(_window(timezone.now()))
    access.full_clean()
    access.save()
    return access


@transaction.atomic
def glass_approve(*, access, note: str = "", by) -> GlassAccess:
    """Approve a request: the file is open to its asker from now for settings.GLASS_HOURS."""
    _check_approver(access, by)
    now = timezone.now()
    return status_step(
        access,
        allowed=(Status.REQUESTED,),
        refused=_("Only a request awaiting approval can be approved; this one is %(status)s."),
        status=Status.APPROVED,
        decided_by=by,
        decided_at=now,
        decision_note=note.strip(),
        **_window(now),
    )


@transaction.atomic
def glass_refuse(*, access, note: str, by) -> GlassAccess:
    """Refuse a request, saying why: the asker reads it on her request's page."""
    _check_approver(access, by)
    if not (note or "").strip():
        raise ValidationError({"decision_note": _("Say why the request is refused: the asker reads it.")})
    return status_step(
        access,
        allowed=(Status.REQUESTED,),
        refused=_("Only a request awaiting approval can be refused; this one is %(status)s."),
        status=Status.REFUSED,
        decided_by=by,
        decided_at=timezone.now(),
        decision_note=note.strip(),
    )


@transaction.atomic
def glass_revoke(*, access, note: str = "", by) -> GlassAccess:
    """Close an open access before its time: by the town administrator, or by its asker once
    she is done."""
    access = GlassAccess.objects.select_for_update().get(pk=access.pk)  # as it stands now
    if by is not None and by.pk != access.requester_id:
        _check_approver(access, by)
    now = timezone.now()
    if access.ends_at is None or access.ends_at <= now:
        raise ValidationError(_("The access has ended already."))
    changes = {"status": Status.REVOKED, "ends_at": max(now, access.opens_at)}
    if by is not None and by.pk != access.requester_id:
        changes.update(decided_by=by, decided_at=now, decision_note=note.strip() or access.decision_note)
    return status_step(
        access,
        allowed=GlassAccess.OPEN,
        refused=_("Only an open access can be withdrawn; this one is %(status)s."),
        **changes,
    )


@transaction.atomic
def glass_review(*, accesses, by) -> int:
    """Mark the decided accesses among `accesses` as reviewed (the monthly review); return how
    many were marked. Requests still waiting are left for their decision."""
    if not (by.has_perm(APPROVE_PERMISSION)):
        raise ValidationError(_("Only the town administrator reviews the requests."))
    villages = scope_for(by)
    reviewed = accesses.exclude(pending_q()).filter(reviewed_at__isnull=True)
    if not villages.everything:
        reviewed = reviewed.filter(village_id__in=villages.village_ids)
    return reviewed.update(reviewed_by=by, reviewed_at=timezone.now())


def _open_accesses(request) -> dict:
    """The user's open accesses by (file label, id), read once per request."""
    cached = getattr(request, "_glass_open", None)
    if cached is None:
        user = request.user
        cached = {}
        if user.is_authenticated:
            for access in GlassAccess.objects.filter(active_q(), requester=user).order_by("ends_at"):
                cached[(access.record, access.object_id)] = access
        request._glass_open = cached
    return cached


def glass_open(request, obj) -> GlassAccess | None:
    """The user's open access to `obj`'s file (`obj` a declared file or one of its records)."""
    glass = registry.glass.get(type(obj)) if obj is not None and obj.pk is not None else None
    if glass is None:
        return None
    opened = _open_accesses(request)
    if not opened:
        return None
    return opened.get(glass.file_key(obj))


def glass_grants(request, obj, permission: str) -> bool:
    """Whether an open access to `obj`'s file stands in for `permission` on it."""
    glass = registry.glass.get(type(obj)) if obj is not None else None
    if glass is None or glass_open(request, obj) is None:
        return False
    return permission in registry.glass_permissions(glass.file_label)
