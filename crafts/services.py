"""Every write of the craftswomen register and their sales. The admin, the rosters and the
demo call these; each names `by` as who wrote (on the record and its history row)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crafts.models import CraftSale, Craftswoman
from federation.core.history import delete_with_history, save_with_history
from federation.models import Activity


def craft_trainings_check(trainings: Iterable[Activity]) -> None:
    """A craftswoman's trainings are craft-skills trainings: the form offers no other, and
    this refuses any other a roster or a script gives."""
    wrong = [training.title for training in trainings if training.kind != Activity.Kind.CRAFT_TRAINING]
    if wrong:
        raise ValidationError(
            {"trainings": _("Not a craft skills training: %(titles)s.") % {"titles": "、".join(wrong)}}
        )


def _save_craftswoman(craftswoman: Craftswoman, trainings, by) -> Craftswoman:
    if trainings is not None:
        trainings = list(trainings)
        craft_trainings_check(trainings)
    save_with_history(craftswoman, by)
    if trainings is not None:
        craftswoman.trainings.set(trainings)  # the history row of the change names `by` too
    return craftswoman


@transaction.atomic
def craftswoman_register(*, craftswoman: Craftswoman, trainings: Iterable[Activity] | None = None, by) -> Craftswoman:
    """Put a woman on the register (once: the database holds it too), with the trainings she
    attended."""
    if craftswoman.pk is not None:
        raise ValidationError(_("This craftswoman is on the register already."))
    if by is not None and by.pk:
        craftswoman.recorded_by = by
    return _save_craftswoman(craftswoman, trainings, by)


@transaction.atomic
def craftswoman_update(*, craftswoman: Craftswoman, trainings: Iterable[Activity] | None = None, by) -> Craftswoman:
    """Change a register entry; `trainings`, when given, replaces those she attended (an
    admin form's keep those its user cannot see)."""
    if craftswoman.pk is None:
        raise ValidationError(_("This craftswoman is not on the register yet."))
    return _save_craftswoman(craftswoman, trainings, by)


@transaction.atomic
def craftswoman_delete(*, craftswoman: Craftswoman, by) -> None:
    """Take a woman off the register; one with sales stays (her sales keep her)."""
    if craftswoman.sales.exists():
        raise ValidationError(
            _("%(name)s has sales on record and stays on the register.") % {"name": craftswoman.person.name}
        )
    delete_with_history(craftswoman, by)


def _save_sale(sale: CraftSale, by) -> CraftSale:
    # The sale counts in the village the woman lives in when it is recorded (see the model).
    if sale.craftswoman_id:
        sale.village_id = sale.craftswoman.person.village_id
    return save_with_history(sale, by)


@transaction.atomic
def craft_sale_record(*, sale: CraftSale, by) -> CraftSale:
    """Record a sale; an approved period refuses it (federation.core.periods)."""
    if sale.pk is not None:
        raise ValidationError(_("This sale is recorded already."))
    if by is not None and by.pk:
        sale.recorded_by = by
    return _save_sale(sale, by)


@transaction.atomic
def craft_sale_update(*, sale: CraftSale, by) -> CraftSale:
    """Change a sale. It stays in the village it was recorded in unless it is moved to
    another craftswoman."""
    current = CraftSale.objects.select_for_update().filter(pk=sale.pk).values_list("craftswoman_id", flat=True)
    stored = current.first()
    if stored is None:
        raise ValidationError(_("This sale is not recorded yet."))
    if stored == sale.craftswoman_id:
        return save_with_history(sale, by)
    return _save_sale(sale, by)


@transaction.atomic
def craft_sale_delete(*, sale: CraftSale, by) -> None:
    delete_with_history(sale, by)
