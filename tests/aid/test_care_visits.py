"""Care visits to anyone on the register (issue 26, item 9): a clerk's own visit to a left-behind
woman, an elderly person or a child without a caring mother is recorded from the person's
register page; a caring mother's visit keeps its pairing; the visit record lists them all."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from aid import selectors
from aid.models import CareTarget, CareVisit, Pairing
from aid.services import aid_record_save, care_visit_save, pairing_save
from federation.core.reporting import DateRange, ReportScope, discover
from federation.models import Person
from tests.aid.conftest import on_register
from tests.factories import PersonFactory

ADD = "/admin/aid/carevisit/add/"


@pytest.fixture
def left_behind_woman(taiba):
    person = PersonFactory(village=taiba, name="吴欢", born=date(1990, 4, 2))
    return on_register(person, CareTarget.Category.LEFT_BEHIND_WOMAN, since=date(2024, 1, 1))


@pytest.fixture
def fenghe_elder(fenghe):
    person = PersonFactory(village=fenghe, name="冯老汉", born=date(1948, 1, 1), female=False)
    return on_register(person, CareTarget.Category.LEFT_BEHIND_ELDERLY, since=date(2024, 1, 1))


def visit_form(target, **extra):
    return {
        "target": target.pk,
        "pairing": "",
        "visitor": "",
        "date": "2024-03-11",
        "kind": "visit",
        "content": "入户了解生活情况",
        "gifts": "",
        **extra,
    }


def test_the_taiba_clerk_records_her_visit_to_a_left_behind_woman(client_for, care_clerk, left_behind_woman, taiba):
    care_clerk.first_name = "王专干"
    care_clerk.save()
    client = client_for(care_clerk)
    # The woman's register page leads to the visit form, with her chosen.
    page = client.get(f"/admin/aid/caretarget/{left_behind_woman.pk}/change/").content.decode()
    link = f"{ADD}?target={left_behind_woman.pk}"
    assert "记录走访" in page and link in page and "尚无关爱记录。" in page
    form = client.get(link).context["adminform"].form
    assert str(form.initial["target"]) == str(left_behind_woman.pk)
    assert (
        f'<option value="{left_behind_woman.pk}" selected>吴欢（留守妇女）</option>'
        in client.get(link).content.decode()
    )
    # Without a pairing and without a name, the visit is hers.
    response = client.post(link, visit_form(left_behind_woman))
    assert response.status_code == 302, response.context["adminform"].form.errors
    visit = CareVisit.objects.get()
    assert (visit.target, visit.pairing, visit.visitor, visit.village, visit.recorded_by) == (
        left_behind_woman,
        None,
        "王专干",
        taiba,
        care_clerk,
    )
    assert str(visit) == "吴欢 2024-03-11 走访"
    # Her register page lists the visit, linked to its own page, with who visited.
    page = client.get(f"/admin/aid/caretarget/{left_behind_woman.pk}/change/").content.decode()
    assert f"/admin/aid/carevisit/{visit.pk}/change/" in page and "王专干" in page and "入户了解生活情况" in page
    # A visitor she names is kept as typed.
    response = client.post(ADD, visit_form(left_behind_woman, date="2024-04-02", visitor="镇妇联李主席"))
    assert response.status_code == 302
    assert CareVisit.objects.get(date=date(2024, 4, 2)).visitor == "镇妇联李主席"


def test_she_cannot_record_a_visit_for_fenghe(client_for, care_clerk, fenghe_elder):
    client = client_for(care_clerk)
    assert client.get(f"/admin/aid/caretarget/{fenghe_elder.pk}/change/").status_code == 404
    # A guessed preselection shows nothing of him, and posting it is a form error.
    page = client.get(f"{ADD}?target={fenghe_elder.pk}").content.decode()
    assert "冯老汉" not in page
    response = client.post(ADD, visit_form(fenghe_elder))
    assert response.status_code == 200 and "target" in response.context["adminform"].form.errors
    assert not CareVisit.objects.exists()
    # Nor does the picker offer him.
    picker = {"app_label": "aid", "model_name": "carevisit", "field_name": "target", "term": "冯"}
    assert client.get("/admin/autocomplete/", picker).json()["results"] == []


def test_a_visit_without_a_pairing_names_who_visited(left_behind_woman, care_clerk):
    with pytest.raises(ValidationError) as error:
        care_visit_save(visit=CareVisit(target=left_behind_woman, date=date(2024, 3, 11), kind="call", content="x"))
    assert error.value.message_dict == {"visitor": ["请填写走访人：未选择结对的，不是爱心妈妈走访。"]}
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        CareVisit.objects.create(
            target=left_behind_woman,
            village=left_behind_woman.person.village,
            date=date(2024, 3, 11),
            kind="call",
            content="x",
        )


def test_a_visit_keeps_to_the_register_and_to_its_pairing(left_behind_woman, child, mother):
    before = CareVisit(target=left_behind_woman, visitor="王专干", date=date(2023, 12, 1), kind="visit", content="x")
    with pytest.raises(ValidationError) as error:
        aid_record_save(record=before)
    assert error.value.message_dict == {"date": ["吴欢 在该日不在关爱对象名册上。"]}
    pairing = pairing_save(pairing=Pairing(mother=mother, child=child, start=date(2024, 3, 1)))
    wrong = CareVisit(target=left_behind_woman, pairing=pairing, date=date(2024, 3, 11), kind="visit", content="x")
    with pytest.raises(ValidationError) as error:
        aid_record_save(record=wrong)
    assert error.value.message_dict == {"pairing": ["该结对不是吴欢的结对。"]}


def test_a_caring_mothers_visit_finds_the_childs_register_entry(taiba, child, mother):
    """The pairing page's visits (and the demo's, and the roster's) name no register entry."""
    pairing = pairing_save(pairing=Pairing(mother=mother, child=child, start=date(2024, 3, 1)))
    visit = aid_record_save(record=CareVisit(pairing=pairing, date=date(2024, 3, 5), kind="study_desk", content="作业"))
    assert visit.target == CareTarget.objects.get(person=child) and visit.visitor == ""
    assert (visit.visited_by, visit.village) == ("爱心妈妈", taiba)


def test_the_visit_record_lists_every_visit_and_the_mothers_figures_only_theirs(
    taiba, town_admin, left_behind_woman, child, mother
):
    pairing = pairing_save(pairing=Pairing(mother=mother, child=child, start=date(2024, 3, 1)))
    aid_record_save(record=CareVisit(pairing=pairing, date=date(2024, 3, 5), kind="study_desk", content="作业"))
    aid_record_save(
        record=CareVisit(
            target=left_behind_woman, visitor="王专干", date=date(2024, 3, 11), kind="visit", content="谈心"
        )
    )
    rs, year = ReportScope.of_user(town_admin), DateRange.year(2024)
    table = discover()["care_visits_ledger"].function(rs, year)
    assert [str(cell) for cell in table.header] == [
        "日期",
        "村(社区)",
        "关爱对象",
        "走访人",
        "类型",
        "关爱内容",
        "赠送物品",
    ]
    assert list(table.rows) == [
        ["2024-03-05", "太坝村", "王小宝", "爱心妈妈", "周末小课桌", "作业", ""],
        ["2024-03-11", "太坝村", "吴欢", "王专干", "走访", "谈心", ""],
    ]
    # The caring mothers' figures (their report and the home page's chart) count theirs.
    assert selectors.mother_visits_in(rs.chosen, year.start, year.end).count() == 1
    pairs = discover()["pairings_villages"].function(rs, year)
    assert pairs.rows[0][:5] == ["太坝村", 1, 1, 1, 1]


def test_the_visit_list_tells_who_visited_and_filters_by_it(client_for, town_admin, left_behind_woman, child, mother):
    pairing = pairing_save(pairing=Pairing(mother=mother, child=child, start=date(2024, 3, 1)))
    aid_record_save(record=CareVisit(pairing=pairing, date=date(2024, 3, 5), kind="call", content="电话"))
    aid_record_save(
        record=CareVisit(target=left_behind_woman, visitor="王专干", date=date(2024, 3, 11), kind="visit", content="x")
    )
    client = client_for(town_admin)

    def listed(**params):
        response = client.get("/admin/aid/carevisit/", params)
        assert response.status_code == 200
        return [(visit.target.person.name, visit.visited_by) for visit in response.context["cl"].result_list]

    assert listed() == [("吴欢", "王专干"), ("王小宝", "爱心妈妈")]
    assert listed(by="mother") == [("王小宝", "爱心妈妈")]
    assert listed(by="others") == [("吴欢", "王专干")]
    assert listed(q="王专干") == [("吴欢", "王专干")]


def test_the_register_page_lists_visits_newest_first_in_a_flat_number_of_queries(
    client_for, town_admin, left_behind_woman
):
    client = client_for(town_admin)
    url = f"/admin/aid/caretarget/{left_behind_woman.pk}/change/"

    def visit(day, content):
        aid_record_save(
            record=CareVisit(target=left_behind_woman, visitor="王专干", date=day, kind="visit", content=content)
        )

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return response.content.decode(), len(captured)

    visit(date(2024, 3, 1), "第一次")
    client.get(url)
    _page, few = count()
    for day in range(2, 12):
        visit(date(2024, 4, day), f"第{day}次")
    page, many = count()
    assert many == few
    assert page.index("第11次") < page.index("第2次") < page.index("第一次")  # newest first


def test_a_visits_history_names_it_in_a_flat_number_of_queries(client_for, town_admin, left_behind_woman):
    visit = aid_record_save(
        record=CareVisit(target=left_behind_woman, visitor="王专干", date=date(2024, 3, 11), kind="visit", content="1")
    )
    client = client_for(town_admin)
    url = f"/admin/aid/carevisit/{visit.pk}/history/"

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200 and "吴欢 2024-03-11 走访" in response.content.decode()
        return len(captured)

    client.get(url)
    few = count()
    for n in range(2, 7):
        visit.content = str(n)
        aid_record_save(record=visit, by=town_admin)
    assert count() == few


def test_the_purge_takes_the_visits_of_a_register_entry_it_removes(left_behind_woman):
    aid_record_save(
        record=CareVisit(target=left_behind_woman, visitor="王专干", date=date(2024, 3, 11), kind="visit", content="x")
    )
    left_behind_woman.until = date(2024, 6, 1)
    aid_record_save(record=left_behind_woman)
    cutoff = date(2030, 1, 1)
    nobody = Person.objects.none()
    assert selectors.purgeable_visits(cutoff, nobody).count() == 1
    assert list(selectors.purgeable_care_targets(cutoff, nobody)) == [left_behind_woman]
