"""Writes of the federation registry that carry rules. Admin, import and demo call these."""

from django.db import transaction

from federation.models import Household, Person


@transaction.atomic
def person_save(*, person: Person, by=None) -> Person:
    """Validate (normalising the ID number, deriving sex and birth date) and save."""
    person.full_clean()
    if by is not None:
        person._history_user = by
    person.save()
    return person


@transaction.atomic
def household_save(*, household: Household, by=None) -> Household:
    household.full_clean()
    if by is not None:
        household._history_user = by
    household.save()
    if household.head_id and household.head.relation_to_head != Person.Relation.SELF:
        head = household.head
        head.relation_to_head = Person.Relation.SELF
        person_save(person=head, by=by)
    return household
