"""What a form says matches what it accepts: help that a clerk can follow, fields that follow
from the ID number said to, periods picked rather than typed."""

from django.utils import timezone


def test_the_activity_form_tells_a_clerk_to_tick_her_villages(client_for, clerk, town_admin, taiba):
    clerk_page = client_for(clerk).get("/admin/federation/activity/add/").content.decode()
    assert "请勾选活动所在的村(社区)" in clerk_page and "全镇性活动请留空" not in clerk_page
    admin_page = client_for(town_admin).get("/admin/federation/activity/add/").content.decode()
    assert "全镇性活动请留空" in admin_page


def test_a_new_person_shows_what_follows_from_the_id_number(client_for, clerk, taiba):
    page = client_for(clerk).get("/admin/federation/person/add/").content.decode()
    assert page.count("根据身份证号自动填写") == 2
    assert "icon-no" not in page.split('id="person_form"')[1]


def test_the_report_page_offers_quarters_and_months_to_pick(client_for, town_admin):
    client = client_for(town_admin)
    page = client.get("/admin/reports/").content.decode()
    year = timezone.localdate().year
    assert f'<option value="{year}Q1">{year}年第1季度</option>' in page
    assert '<option value="2024-03">2024年3月</option>' in page
    response = client.get("/admin/reports/?report=population&quarter=2024Q3")
    assert response.context["period"].label == "2024Q3"
