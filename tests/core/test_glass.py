"""Break the glass (临时查阅): a clerk who may not see a domestic-violence case or a child's
care file of her village asks for it with a reason; the town administrator approves it; the
clerk opens that one file for settings.GLASS_HOURS, each page logged under the access; then it
closes by itself. Everything else she sees stays as it was."""

from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from aid.models import CareTarget, DisputeCase
from federation.core import glass
from federation.core.glass import glass_approve, glass_refuse, glass_request, glass_review, glass_revoke
from federation.core.models import GlassAccess, RecordAccess
from federation.core.roles import CARE_RECORDER
from tests.aid.conftest import on_register, register_case
from tests.factories import PersonFactory

ADD = "/admin/federation/glassaccess/add/"
LIST = "/admin/federation/glassaccess/"
NOT_FOUND = "No file of your villages has this number."
# The home page's lines (compared as the catalog says them, translated or not yet).
PENDING = "Requests to open a file, awaiting approval"
ACTIVE = "Files open by request now"
REVIEW = "Past months' file requests to review"


def case_page(case, page="change"):
    return f"/admin/aid/disputecase/{case.pk}/{page}/"


@pytest.fixture
def care_clerk(clerk):
    """The 太坝 clerk who keeps care files and ordinary disputes, not domestic violence."""
    clerk.groups.add(Group.objects.get(name=CARE_RECORDER))
    return clerk


@pytest.fixture
def violence(taiba):
    return register_case(taiba, kind=DisputeCase.Kind.DOMESTIC_VIOLENCE)


@pytest.fixture
def other_violence(taiba, violence):
    return register_case(taiba, kind=DisputeCase.Kind.DOMESTIC_VIOLENCE)


def ask(client, number, reason="当事人今晚来村委会求助，需要查看既往调解情况"):
    return client.post(ADD, {"number": number, "reason": reason})


def step(client, access, what, note=""):
    return client.post(f"{LIST}{access.pk}/step/", {"step": what, "note": note})


def test_a_request_needs_a_reason(care_clerk, violence, client_for):
    client = client_for(care_clerk)
    response = ask(client, violence.number, reason="")
    assert response.status_code == 200 and not GlassAccess.objects.exists()
    assert "reason" in response.context["adminform"].form.errors
    with pytest.raises(ValidationError):
        glass_request(record=violence, reason="看看", by=care_clerk)


def test_approved_the_clerk_opens_that_one_case_for_two_hours(
    care_clerk, town_admin, violence, other_violence, client_for, client, django_user_model
):
    clerk_client = client_for(care_clerk)
    assert clerk_client.get(case_page(violence)).status_code == 404
    response = ask(clerk_client, violence.number)
    access = GlassAccess.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{access.pk}/change/")
    assert access.status == GlassAccess.Status.REQUESTED and access.requester == care_clerk
    assert access.record_label.startswith(violence.number) and "家庭暴力" in access.record_label
    assert clerk_client.get(case_page(violence)).status_code == 404  # not before approval

    # The town administrator sees it on her home page and approves it from its page.
    client.force_login(town_admin)
    reminders = {label: (count, url) for label, count, url in client.get("/admin/").context["reminders"]}
    assert reminders[gettext(PENDING)] == (1, f"{LIST}?list=pending")
    page = client.get(f"{LIST}{access.pk}/change/").content.decode()
    assert 'name="step" value="approve"' in page and "csrfmiddlewaretoken" in page
    assert step(client, access, "approve", "同意，限查阅本案").status_code == 302
    access.refresh_from_db()
    assert access.status == GlassAccess.Status.APPROVED and access.decided_by == town_admin
    assert access.ends_at - access.opens_at == timedelta(hours=2)

    # The clerk opens the case, its history and its next step; each page is logged under it.
    client.force_login(care_clerk)
    assert client.get(case_page(violence)).status_code == 200
    assert client.get(case_page(violence, "history")).status_code == 200
    assert client.get(case_page(violence, "step")).status_code == 200
    pages = RecordAccess.objects.filter(glass=access)
    assert sorted(pages.values_list("action", flat=True)) == ["history", "step", "view"]
    assert set(pages.values_list("object_id", flat=True)) == {str(violence.pk)}
    # Her request's page lists them, and links to the file.
    mine = client.get(f"{LIST}{access.pk}/change/").content.decode()
    assert case_page(violence) in mine and mine.count("#" + str(violence.pk)) == 3

    # Another violence case, the list and the export are as before.
    assert client.get(case_page(other_violence)).status_code == 404
    listing = client.get("/admin/aid/disputecase/").content.decode()
    assert "＊＊＊" in listing and "当事人甲" not in listing

    # Two hours later it has closed by itself.
    later = access.ends_at - access.opens_at + timedelta(seconds=1)
    GlassAccess.objects.filter(pk=access.pk).update(opens_at=F("opens_at") - later, ends_at=F("ends_at") - later)
    assert client.get(case_page(violence)).status_code == 404
    assert client.get(case_page(violence, "history")).status_code == 404


def test_a_file_of_another_village_is_not_found_as_a_missing_one(care_clerk, fenghe, client_for):
    elsewhere = register_case(fenghe, kind=DisputeCase.Kind.DOMESTIC_VIOLENCE)
    client = client_for(care_clerk)
    outside = ask(client, elsewhere.number).context["adminform"].form.errors["number"]
    missing = ask(client, "ZZ-9999-999").context["adminform"].form.errors["number"]
    assert outside == missing == [gettext(NOT_FOUND)]
    with pytest.raises(ValidationError, match=gettext(NOT_FOUND)):
        glass_request(record=elsewhere, reason="需要查看该案的调解记录", by=care_clerk)
    assert not GlassAccess.objects.exists()


def test_an_ordinary_case_needs_no_glass_and_an_administrator_no_request(care_clerk, town_admin, taiba, violence):
    marriage = register_case(taiba)
    with pytest.raises(ValidationError, match=gettext(NOT_FOUND)):  # no glass opens an ordinary case
        glass_request(record=marriage, reason="需要查看该案的调解记录", by=care_clerk)
    with pytest.raises(ValidationError, match=gettext("You may open this file yourself: no request is needed.")):
        glass_request(record=violence, reason="需要查看该案的调解记录", by=town_admin)


def test_nobody_decides_her_own_request_and_a_clerk_decides_none(care_clerk, clerk, town_admin, violence, client_for):
    access = glass_request(record=violence, reason="需要查看该案的调解记录", by=care_clerk)
    with pytest.raises(ValidationError):
        glass_approve(access=access, by=care_clerk)
    response = step(client_for(care_clerk), access, "approve")
    assert response.status_code == 403
    # Nor can anything else write it: the database refuses a request decided by its asker.
    with pytest.raises(IntegrityError), transaction.atomic():
        GlassAccess.objects.filter(pk=access.pk).update(decided_by=F("requester"))
    access.refresh_from_db()
    assert access.status == GlassAccess.Status.REQUESTED


def test_a_refused_request_opens_nothing(care_clerk, town_admin, violence, client_for):
    access = glass_request(record=violence, reason="需要查看该案的调解记录", by=care_clerk)
    with pytest.raises(ValidationError):
        glass_refuse(access=access, note="", by=town_admin)
    client = client_for(town_admin)
    assert step(client, access, "refuse", "请联系镇妇联当面了解").status_code == 302
    access.refresh_from_db()
    assert access.status == GlassAccess.Status.REFUSED and access.decision_note == "请联系镇妇联当面了解"
    client.force_login(care_clerk)
    assert client.get(case_page(violence)).status_code == 404
    assert "请联系镇妇联当面了解" in client.get(f"{LIST}{access.pk}/change/").content.decode()


def test_an_immediate_role_opens_at_once_and_the_town_still_sees_it(care_clerk, town, town_admin, violence, client):
    town.glass_immediate_roles.add(Group.objects.get(name=CARE_RECORDER))
    client.force_login(care_clerk)
    ask(client, violence.number)
    access = GlassAccess.objects.get()
    assert access.status == GlassAccess.Status.IMMEDIATE and access.decided_by is None
    assert client.get(case_page(violence)).status_code == 200
    assert RecordAccess.objects.filter(glass=access).count() == 1
    client.force_login(town_admin)
    reminders = {label: (count, url) for label, count, url in client.get("/admin/").context["reminders"]}
    assert reminders[gettext(ACTIVE)][0] == 1
    listed = client.get(reminders[gettext(ACTIVE)][1]).context["cl"].result_list
    assert list(listed) == [access]
    # She closes it early from its page; it is closed for the clerk at once.
    assert step(client, access, "revoke", "已电话了解").status_code == 302
    client.force_login(care_clerk)
    assert client.get(case_page(violence)).status_code == 404


def test_the_clerks_home_page_shows_her_requests_and_links_the_open_file(care_clerk, town_admin, violence, client):
    access = glass_request(record=violence, reason="需要查看该案的调解记录", by=care_clerk)
    client.force_login(care_clerk)
    labels = [label for label, _count, _url in client.get("/admin/").context["reminders"]]
    assert any(access.record_label in label for label in labels)
    glass_approve(access=access, by=town_admin)
    urls = [url for _label, _count, url in client.get("/admin/").context["reminders"]]
    assert case_page(violence) in urls
    # The masked row of her list leads to the file while it is open, else to a request.
    assert case_page(violence) in client.get("/admin/aid/disputecase/").content.decode()
    glass_revoke(access=access, by=care_clerk)
    assert f"{ADD}?{urlencode({'number': violence.number})}" in client.get("/admin/aid/disputecase/").content.decode()


def test_the_monthly_review(care_clerk, town_admin, violence, client_for):
    access = glass_request(record=violence, reason="需要查看该案的调解记录", by=care_clerk)
    glass_approve(access=access, by=town_admin)
    last_month = timezone.now().replace(day=1) - timedelta(days=3)
    GlassAccess.objects.filter(pk=access.pk).update(created_at=last_month)
    assert glass.counts(town_admin)["review"] == 1
    with pytest.raises(ValidationError):
        glass_review(accesses=GlassAccess.objects.all(), by=care_clerk)
    client = client_for(town_admin)
    reminders = {label: url for label, _count, url in client.get("/admin/").context["reminders"]}
    assert client.get(reminders[gettext(REVIEW)]).context["cl"].result_count == 1
    response = client.post(LIST, {"action": "mark_reviewed", "_selected_action": [access.pk]})
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.reviewed_by == town_admin and glass.counts(town_admin)["review"] == 0


def test_the_clerk_sees_her_own_requests_only(care_clerk, town, taiba, violence, client_for):
    from federation.core.roles import VILLAGE_CLERK
    from tests.factories import UserFactory, give_scope

    mine = glass_request(record=violence, reason="需要查看该案的调解记录", by=care_clerk)
    colleague = UserFactory(username="colleague", role=VILLAGE_CLERK)
    colleague.groups.add(Group.objects.get(name=CARE_RECORDER))
    give_scope(colleague, town, villages=[taiba])
    client = client_for(colleague)
    assert list(client.get(LIST).context["cl"].result_list) == []
    assert client.get(f"{LIST}{mine.pk}/change/").status_code == 404


def test_a_childs_care_file_for_a_clerk_without_the_care_role(clerk, town_admin, taiba, client_for):
    child = PersonFactory(village=taiba, name="王小宝", born=date(2014, 6, 1), female=False)
    target = on_register(child)
    other = on_register(PersonFactory(village=taiba, name="李小妹", born=date(2015, 2, 1)))
    woman = on_register(PersonFactory(village=taiba), category=CareTarget.Category.LEFT_BEHIND_WOMAN)
    client = client_for(clerk)
    assert client.get(f"/admin/aid/caretarget/{target.pk}/change/").status_code == 403
    assert ask(client, woman.person.id_number).context["adminform"].form.errors["number"] == [gettext(NOT_FOUND)]
    assert ask(client, child.id_number).status_code == 302
    access = GlassAccess.objects.get()
    assert "王小宝" in access.record_label and "太坝村" in access.record_label
    glass_approve(access=access, note="", by=town_admin)
    page = client.get(f"/admin/aid/caretarget/{target.pk}/change/")
    assert page.status_code == 200 and "奶奶" in page.content.decode()
    assert client.get(f"/admin/aid/caretarget/{other.pk}/change/").status_code == 403
    assert client.get("/admin/aid/caretarget/").status_code == 403  # no list for her
    assert RecordAccess.objects.filter(glass=access, record="aid.caretarget").count() == 1


def test_the_request_list_keeps_its_query_count(care_clerk, town_admin, taiba, client_for):
    def grow(n):
        for _ in range(n):
            case = register_case(taiba, kind=DisputeCase.Kind.DOMESTIC_VIOLENCE)
            access = glass_request(record=case, reason="需要查看该案的调解记录", by=care_clerk)
            glass_approve(access=access, by=town_admin)
            RecordAccess.objects.create(user=care_clerk, record="aid.disputecase", object_id=str(case.pk), glass=access)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(town_admin)
    grow(1)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    grow(5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(few) == len(many) <= 16, [query["sql"][:100] for query in many.captured_queries]
    assert response.context["cl"].result_count == 6
    assert [access.page_count for access in response.context["cl"].result_list] == [1] * 6
