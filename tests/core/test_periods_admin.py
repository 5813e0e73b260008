"""台账报送 in the admin (issue 16): the clerk submits a month, the town administrator returns
it with a comment that the clerk reads on her home page, approves it, and from then on the
month's records refuse every change in their forms and on the delete page."""

from datetime import date

import pytest
from django.utils import timezone

from federation.core.models import PeriodSubmission
from health.models import Screening
from health.services import health_record_save
from tests.factories import PersonFactory

LIST = "/admin/federation/periodsubmission/"
MARCH = date(2024, 3, 12)


@pytest.fixture
def screening(taiba):
    woman = PersonFactory(village=taiba, name="李秀英")
    return health_record_save(
        record=Screening(person=woman, date=MARCH, institution="县妇幼", consent_by="李秀英", consent_on=MARCH),
        by=None,
    )


def step(client, submission, step, text="", **extra):
    if step == "approve":
        extra.setdefault("lock", "on")
    return client.post(f"{LIST}{submission.pk}/step/", {"step": step, "text": text, **extra})


def test_the_year_runs_through_the_admin(client_for, clerk, town_admin, taiba, screening):
    client = client_for(clerk)
    page = client.get(f"{LIST}add/").content.decode()
    assert "期间内任一日期" in page
    response = client.post(f"{LIST}add/", {"village": taiba.pk, "day": "2024-03-31", "note": "三月台账"})
    assert response.status_code == 302
    submission = PeriodSubmission.objects.get()
    assert (submission.start, submission.status, submission.submitted_by) == (date(2024, 3, 1), "submitted", clerk)
    page = client.get(f"{LIST}{submission.pk}/change/").content.decode()
    assert "两癌筛查：1" in page and "已报送" in page and "三月台账" in page  # the clerk may not open it
    assert client.get(f"{LIST}{submission.pk}/step/").status_code == 403  # the clerk does not review

    client = client_for(town_admin)
    assert step(client, submission, "return", "缺少知情同意书").status_code == 302
    client = client_for(clerk)
    assert "太坝村 2024年3月被退回：缺少知情同意书" in client.get("/admin/").content.decode()
    assert step(client, submission, "submit", "已补").status_code == 302

    client = client_for(town_admin)
    assert step(client, submission, "approve").status_code == 302
    submission.refresh_from_db()
    assert submission.status == "approved"
    assert "已审核" in client.get(LIST).content.decode()

    # The month is locked: the health recorder's form says so and saves nothing.
    url = f"/admin/health/screening/{screening.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "person": screening.person_id,
        "kind": screening.kind,
        "date": "2024-03-12",
        "institution": "乡卫生院",
        "consent_by": "李秀英",
        "consent_on": "2024-03-12",
        "result": screening.result,
    }
    page = client.post(url, data).content.decode()
    assert "2024年3月（太坝村）已审核锁定" in page
    assert Screening.objects.get().institution == "县妇幼"
    page = client.get(f"/admin/health/screening/{screening.pk}/delete/").content.decode()
    assert "已审核锁定" in page
    client.post(f"/admin/health/screening/{screening.pk}/delete/", {"post": "yes"})
    assert Screening.objects.exists()

    # Reopened with a reason, the record can be mended; the reason stays on the log.
    assert step(client, submission, "reopen", "更正医院名称").status_code == 302
    client.post(url, data)
    assert Screening.objects.get().institution == "乡卫生院"
    page = client.get(f"{LIST}{submission.pk}/change/").content.decode()
    assert "更正医院名称" in page
    changed = page.split("重新打开后的修改")[1].split("报送记录")[0]
    assert "两癌筛查：1" in changed, changed


def test_a_clerk_sees_and_submits_only_her_villages(client_for, clerk, taiba, fenghe):
    PeriodSubmission.objects.create(village=fenghe, start=date(2024, 3, 1), end=date(2024, 3, 31))
    client = client_for(clerk)
    assert "冯河村" not in client.get(LIST).content.decode()
    # Another village's April, which nobody has submitted: the form's village choice refuses it.
    page = client.post(f"{LIST}add/", {"village": fenghe.pk, "day": "2024-04-30"}).content.decode()
    assert "errorlist" in page
    assert not PeriodSubmission.objects.filter(village=fenghe, start=date(2024, 4, 1)).exists()


def test_the_home_page_shows_each_villages_months(client, db):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    for username, villages in (("town", 13), ("taiba", 1)):
        client.force_login(get_user_model().objects.get(username=username))
        page = client.get("/admin/", {"year": 2024}).content.decode()
        module = page.split('id="submissions-module"')[1].split("</table>")[0]
        assert "2024年台账报送情况" in page
        rows = module.split("<tr>")[2:]
        assert len(rows) == villages and "太坝村" in module
        assert [row.count('title="已审核"') for row in rows] == [11] * villages
        assert [row.count('title="已报送"') for row in rows] == [1] * villages
        if username == "town":  # December waits for her in all 13 villages (and last month in
            # 站儿巷, of the current year), and the link lists them
            waiting = PeriodSubmission.objects.filter(status="submitted")
            assert waiting.filter(start=date(2024, 12, 1)).count() == 13 and waiting.count() <= 14
            reminders = page.split('id="reminders-module"')[1].split("</table>")[0]
            assert "待审核的台账报送" in reminders and f'<td class="figure">{waiting.count()}</td>' in reminders
            listed = client.get(f"{LIST}?status__exact=submitted").content.decode()
            result = listed.split('id="result_list"')[1].split("</table>")[0]
            assert result.count("已报送") == waiting.count() and "已审核" not in result
    client.force_login(get_user_model().objects.get(username="county"))
    assert 'id="submissions-module"' in client.get("/admin/").content.decode()


def test_approving_is_chosen_and_confirmed_and_its_comment_is_kept(client_for, clerk, town_admin, taiba, screening):
    client = client_for(clerk)
    client.post(f"{LIST}add/", {"village": taiba.pk, "day": "2024-03-31", "note": "三月台账"})
    submission = PeriodSubmission.objects.get()
    client = client_for(town_admin)
    page = client.get(f"{LIST}{submission.pk}/step/").content.decode()
    assert "checked" not in page  # neither step is chosen for her
    refused = step(client, submission, "approve", "已核对，同意。", lock="")
    assert refused.status_code == 200 and "审核通过会锁定本期记录" in refused.content.decode()
    assert step(client, submission, "approve", "已核对，同意。").status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.comment) == ("approved", "已核对，同意。")
    assert "已核对，同意。" in client_for(clerk).get(f"{LIST}{submission.pk}/change/").content.decode()


def test_a_returned_months_page_leads_to_submitting_it_again(client_for, clerk, town_admin, taiba, screening):
    client_for(clerk).post(f"{LIST}add/", {"village": taiba.pk, "day": "2024-03-31", "note": "三月台账"})
    submission = PeriodSubmission.objects.get()
    step(client_for(town_admin), submission, "return", "缺少知情同意书")
    client = client_for(clerk)
    page = client.get(f"{LIST}{submission.pk}/change/").content.decode()
    assert f'href="{LIST}{submission.pk}/step/" class="step-link">重新报送' in page
    assert "<h1>重新报送</h1>" in client.get(f"{LIST}{submission.pk}/step/").content.decode()


def test_a_refused_submission_keeps_the_note_typed(client_for, clerk, taiba):
    today = timezone.localdate()
    response = client_for(clerk).post(
        f"{LIST}add/", {"village": taiba.pk, "day": today.isoformat(), "note": "本月台账，已核对"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "尚未结束" in page
    assert "本月台账，已核对" in page and not PeriodSubmission.objects.exists()


def test_the_reviewer_opens_what_the_month_holds(client_for, clerk, town_admin, taiba, fenghe, screening):
    other = PersonFactory(village=fenghe, name="冯河的人")
    health_record_save(
        record=Screening(person=other, date=MARCH, institution="县妇幼", consent_by="冯河的人", consent_on=MARCH),
        by=None,
    )
    client_for(clerk).post(f"{LIST}add/", {"village": taiba.pk, "day": "2024-03-31", "note": "三月台账"})
    submission = PeriodSubmission.objects.get()
    client = client_for(town_admin)
    page = client.get(f"{LIST}{submission.pk}/change/").content.decode()
    url = page.split('两癌筛查：<a href="')[1].split('"')[0].replace("&amp;", "&")
    assert "date__gte=2024-03-01" in url and f"village__id__exact={taiba.pk}" in url
    listed = client.get(url)
    assert listed.status_code == 200  # a lookup the list refused would redirect to ?e=1
    rows = listed.content.decode().split('id="result_list"')[1].split("</table>")[0]
    assert "李秀英" in rows and "冯河的人" not in rows


def test_every_period_list_accepts_its_submission_links(rf, superuser):
    from django.contrib import admin

    from federation.core.registry import registry

    request = rf.get("/")
    request.user = superuser
    for model, records in registry.period_records.items():
        model_admin = admin.site._registry[model]
        for lookup, value in records.list_params(1, MARCH, MARCH).items():
            assert model_admin.lookup_allowed(lookup, str(value), request), (model, lookup)


def test_an_empty_month_is_submitted_with_a_word(client_for, clerk, taiba):
    client = client_for(clerk)
    response = client.post(f"{LIST}add/", {"village": taiba.pk, "day": "2024-04-30", "note": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "没有太坝村的任何记录" in page and "2024-04-30" in page
    assert not PeriodSubmission.objects.exists()
    response = client.post(f"{LIST}add/", {"village": taiba.pk, "day": "2024-04-30", "note": "本月未开展工作"})
    assert response.status_code == 302 and PeriodSubmission.objects.get().note == "本月未开展工作"
