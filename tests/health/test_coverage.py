"""HPV coverage: who is eligible on a date, who counts as vaccinated, and the reasons."""

from datetime import date

import pytest

from federation.core.identity import years_before
from federation.core.scoping import Scope
from federation.models import Person
from health.models import HPVDeferral
from health.selectors import eligible_girls, hpv_coverage, percent, total
from health.services import health_record_save
from tests.factories import PersonFactory
from tests.health.conftest import dose

ON = date(2024, 12, 31)


def coverage(village, on=ON):
    return hpv_coverage(Scope.of_villages([village.pk]), on)[village.pk]


def test_a_girl_counts_from_her_9th_birthday_to_the_day_before_her_15th(taiba):
    PersonFactory(village=taiba, name="九岁生日", born=date(2015, 12, 31))  # 9 today
    PersonFactory(village=taiba, name="明天九岁", born=date(2016, 1, 1))  # 8, 9 tomorrow
    PersonFactory(village=taiba, name="明天十五", born=date(2010, 1, 1))  # 14, 15 tomorrow
    PersonFactory(village=taiba, name="十五岁生日", born=date(2009, 12, 31))  # 15 today
    PersonFactory(village=taiba, name="男孩", born=date(2012, 5, 5), female=False)
    # Names, not a count: moving both ends by the same day would keep the count at 2.
    assert set(eligible_girls(Scope.of_villages([taiba.pk]), ON).values_list("name", flat=True)) == {
        "九岁生日",
        "明天十五",
    }
    assert coverage(taiba).eligible == 2  # the report counts the same girls


def test_29_february_birthdays_and_reference_dates():
    assert years_before(date(2024, 2, 29), 9) == date(2015, 2, 28)
    assert years_before(date(2025, 3, 1), 9) == date(2016, 3, 1)


def test_a_dose_after_the_date_does_not_count_yet(girl, taiba):
    dose(girl, 1, date(2025, 1, 5))
    assert (coverage(taiba).eligible, coverage(taiba).vaccinated) == (1, 0)
    assert coverage(taiba, date(2025, 1, 5)).vaccinated == 1


def test_a_moved_out_girl_is_not_eligible(girl, taiba):
    Person.objects.filter(pk=girl.pk).update(status=Person.Status.MOVED_OUT)
    assert coverage(taiba).eligible == 0


def test_a_deferral_then_a_dose_counts_as_vaccinated_and_reasons_split(girl, taiba):
    other = PersonFactory(village=taiba, born=date(2011, 1, 1))
    PersonFactory(village=taiba, born=date(2013, 1, 1))  # no reason recorded
    health_record_save(
        record=HPVDeferral(person=girl, reason=HPVDeferral.Reason.ILLNESS, recorded_on=date(2024, 4, 1)), by=None
    )
    health_record_save(
        record=HPVDeferral(person=other, reason=HPVDeferral.Reason.ILLNESS, recorded_on=date(2024, 3, 1)), by=None
    )
    health_record_save(
        record=HPVDeferral(person=other, reason=HPVDeferral.Reason.GUARDIAN_REFUSED, recorded_on=date(2024, 9, 1)),
        by=None,
    )
    dose(girl, 1, date(2024, 6, 1))
    result = coverage(taiba)
    assert (result.eligible, result.vaccinated, result.full_course) == (3, 1, 0)
    # The latest reason on or before the date counts.
    assert result.reasons == {"refused": 1, "": 1}
    assert coverage(taiba, date(2024, 5, 1)).reasons == {"illness": 2, "": 1}


def test_full_course_and_whole_percent_half_up(girl, taiba):
    dose(girl, 1, date(2024, 1, 10))
    dose(girl, 2, date(2024, 7, 10))
    assert coverage(taiba).full_course == 1
    assert coverage(taiba, date(2024, 7, 9)).full_course == 0
    assert percent(137, 200) == 69  # 68.5 rounds up
    assert percent(1, 3) == 33 and percent(2, 3) == 67 and percent(0, 0) is None


def test_villages_outside_the_question_are_not_counted(girl, taiba, fenghe):
    PersonFactory(village=fenghe, born=date(2012, 1, 1))
    result = hpv_coverage(Scope.of_villages([taiba.pk]), ON)
    assert list(result) == [taiba.pk] and total(result).eligible == 1


@pytest.mark.parametrize("born, eligible", [(date(2015, 2, 28), 1), (date(2015, 3, 1), 0)])
def test_on_29_february(taiba, born, eligible):
    PersonFactory(village=taiba, born=born)
    assert coverage(taiba, date(2024, 2, 29)).eligible == eligible
