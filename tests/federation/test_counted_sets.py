"""Every model says once how it reaches its village; admin lists, reports and work lists use it.

Who may see a record follows where the woman or household is now (`scope_village_path`); a
record that keeps the village it was written in (`count_village_path`) counts there in the
figures, whoever sees it now."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from federation.core.models import ScopedModel, Village
from federation.core.registry import project_apps, registry
from federation.core.reporting import DateRange, ReportScope
from federation.core.scoping import EVERYTHING, Scope, counted_in, in_scope, is_scoped_model, scope_for, village_path
from federation.services import person_save
from health.models import Screening
from health.services import health_record_save
from points.models import PointEntry
from points.services import point_award
from tests.factories import HouseholdFactory, PersonFactory

YEAR = DateRange.year(2024)


def table(name, *villages):
    rs = ReportScope(scope=EVERYTHING, village_ids=[v.pk for v in villages], town_ids=[])
    return registry.reports[name].function(rs, YEAR)


def scoped_models():
    return sorted(
        (model for config in project_apps() for model in config.get_models() if is_scoped_model(model)),
        key=lambda model: model._meta.label,
    )


@pytest.mark.parametrize("model", scoped_models(), ids=lambda model: model._meta.label)
def test_every_scoped_model_reaches_a_village_that_the_database_understands(model, taiba):
    # A path that names no field would fail here, not in a report at the county; and a
    # scope of no village counts and shows nothing of any model, the town itself included.
    nowhere = Scope.of_villages([])
    assert not counted_in(model._default_manager.all(), nowhere).exists()
    assert not in_scope(model._default_manager.all(), nowhere).exists()
    assert counted_in(model._default_manager.all(), Scope.of_villages([taiba.pk])).count() >= 0
    if getattr(model.scope_q, "__func__", None) is ScopedModel.scope_q.__func__:
        for path in {model.scope_village_path, village_path(model)}:
            target = model
            for name in path.split("__"):
                target = target._meta.get_field(name).related_model
            assert target is Village, path


def test_no_report_picks_its_villages_by_hand():
    """Reports, figures and selectors pick records through `counted_in` (ReportScope.records,
    rs.chosen, per_village), never by a village path of their own."""
    by_hand = re.compile(r"\b(village|villages|village_id|village__id|pk)__in\s*=\s*rs\.|\w+__village(_id)?__in\s*=")
    offenders = []
    for config in project_apps():
        for name in ("reports.py", "selectors.py"):
            path = Path(config.path) / name
            if path.exists():
                offenders += [
                    f"{path.relative_to(settings.BASE_DIR)}:{number}"
                    for number, line in enumerate(path.read_text().splitlines(), 1)
                    if by_hand.search(line)
                ]
    assert offenders == []


@pytest.fixture
def moved_woman(taiba, fenghe, superuser):
    """A 太坝 woman screened in 2024 who then moved to 冯河."""
    woman = PersonFactory(village=taiba, name="搬家的", born=date(1970, 1, 1))
    health_record_save(
        record=Screening(
            person=woman,
            date=date(2024, 4, 1),
            institution="镇卫生院",
            consent_by=woman.name,
            consent_on=date(2024, 4, 1),
            result=Screening.Result.NORMAL,
        ),
        by=superuser,
    )
    woman.household = None  # she moves on her own
    woman.village = fenghe
    person_save(person=woman, by=superuser)
    return woman


def test_a_screening_counts_where_it_was_done_and_is_seen_where_she_lives(moved_woman, taiba, fenghe, clerk):
    screened = {row[0]: row[1] for row in table("screening_villages", taiba, fenghe).rows}
    assert screened == {"太坝村": 1, "冯河村": 0, "合计": 1}
    # Her file follows her: the 太坝 clerk no longer sees the screening, the 冯河 staff do.
    assert not in_scope(Screening.objects.all(), scope_for(clerk)).exists()
    assert in_scope(Screening.objects.all(), Scope.of_villages([fenghe.pk])).get().person == moved_woman


def test_a_ledger_line_counts_in_the_village_it_was_written_in(taiba, fenghe, superuser, town):
    from points.models import PointRule

    rule = PointRule.objects.create(town=town, category=PointRule.Category.SANITATION, description="整洁", points=30)
    household = HouseholdFactory(village=taiba, number="TB-9")
    point_award(household=household, rule=rule, day=date(2024, 6, 1), by=superuser)
    household.village = fenghe
    household.save()
    earned = {row[0]: row[2] for row in table("points_villages", taiba, fenghe).rows}
    assert earned == {"太坝村": 30, "冯河村": 0, "合计": 30}
    register = table("points_register", taiba, fenghe).rows
    assert [(row[1], row[2], row[6]) for row in register] == [("太坝村", "TB-9", 30)]
    assert PointEntry.objects.get().village == taiba


def test_a_ledger_line_stays_in_its_village_ledger_and_shows_on_the_household_page(
    taiba, fenghe, superuser, town, clerk, client_for
):
    """The ledger list shows each village the lines written in it (as its paper ledger and its
    register report do); the household's page shows all its lines wherever it lives now; and
    only its village now may reverse one, since that moves its balance."""
    from django.core.exceptions import ValidationError

    from points.models import PointRule
    from points.services import point_entry_reverse
    from tests.factories import UserFactory, give_scope

    rule = PointRule.objects.create(town=town, category=PointRule.Category.SANITATION, description="整洁", points=30)
    household = HouseholdFactory(village=taiba, number="TB-9")
    line = point_award(household=household, rule=rule, day=date(2024, 6, 1), by=superuser)
    type(household).objects.filter(pk=household.pk).update(village=fenghe)  # the family moves
    fenghe_clerk = UserFactory(username="fenghe", role="村妇联专干")
    give_scope(fenghe_clerk, town, villages=[fenghe])

    assert in_scope(PointEntry.objects.all(), scope_for(clerk)).get() == line
    assert not in_scope(PointEntry.objects.all(), scope_for(fenghe_clerk)).exists()
    page = client_for(fenghe_clerk).get(f"/admin/federation/household/{household.pk}/change/")
    assert page.status_code == 200 and "2024年6月1日" in page.content.decode()
    with pytest.raises(ValidationError, match="这户已迁到你不负责的村"):
        point_entry_reverse(entry=line, by=clerk, reason="记错了")
    point_entry_reverse(entry=line, by=fenghe_clerk, reason="记错了")
    household.refresh_from_db()
    assert household.points_balance == 0


def test_a_work_list_counts_what_the_user_sees_now(moved_woman, fenghe, taiba, client_for, town):
    from federation.core.roles import HEALTH_RECORDER, VILLAGE_CLERK
    from tests.factories import UserFactory, give_scope

    screening = Screening.objects.get()
    screening.result = Screening.Result.ABNORMAL
    screening.save()
    fenghe_clerk = UserFactory(username="fenghe", role=VILLAGE_CLERK)
    fenghe_clerk.groups.add(apps.get_model("auth", "Group").objects.get(name=HEALTH_RECORDER))
    give_scope(fenghe_clerk, town, villages=[fenghe])
    page = client_for(fenghe_clerk).get("/admin/")
    reminders = {label: count for label, count, _url in page.context["reminders"]}
    assert reminders["筛查异常、尚无复查结果"] == 1
