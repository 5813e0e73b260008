"""The town administrator gives a new village clerk her account in one form — login, name, roles
(the village clerk's with the health and care recorders'), first password and her village — and
the clerk signs in and finds her village's people, health records and care register only."""

import pytest

pytestmark = pytest.mark.e2e

NEW_CLERK = "mazhuang"  # tests/e2e/journey.py allows the login name, as it does the others
NEW_VILLAGE = "马庄村"


def test_town_admin_adds_a_village_clerk_who_sees_her_village(journeys):
    town = journeys.open("town")
    page = town.page
    town.click(page.locator("#content-main a[href$='/auth/user/']"), "users")
    town.manual_shot("staff-list")
    town.click(page.locator(".object-tools a.addlink"), "add-user")
    page.fill("#id_username", NEW_CLERK)
    page.fill("#id_first_name", f"{NEW_VILLAGE}妇联")
    for role in ("村妇联专干", "健康档案录入", "关爱帮扶录入"):
        page.locator("#id_groups label", has_text=role).locator("input").check()
    page.fill("#id_password1", journeys.password)
    page.fill("#id_password2", journeys.password)
    town.manual_shot("staff-add")

    # Her villages: the scope below the form, open to fill on a new account.
    town_field = page.locator("#id_staff_scope-0-town")
    if town_field.input_value() == "":
        town_field.select_option(label="站儿巷镇")
    page.select_option("#id_staff_scope-0-villages_from", label=NEW_VILLAGE)
    page.locator("#id_staff_scope-0-villages_add").click()
    town.snap("user-filled")
    town.manual_shot("staff-scope", "#staff_scope-group")
    town.click("input[name=_save]", "user-saved")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    assert town.messages(), "saving says so"

    town.goto("/admin/auth/user/", "users-after")
    row = town.column("用户名").index(NEW_CLERK)
    assert "村妇联专干" in town.column("角色")[row]
    assert town.column("范围")[row] == NEW_VILLAGE

    # She signs in with the password she was given and sees her village only.
    clerk = journeys.open(NEW_CLERK)
    clerk.goto("/admin/federation/person/", "her-people")
    assert set(clerk.column("村(社区)")) == {NEW_VILLAGE}
    for path, label in (("/admin/health/screening/", "her-screenings"), ("/admin/aid/caretarget/", "her-care")):
        clerk.goto(path, label)  # her health and care pages open (200), her village's rows only
        assert set(clerk.column("村(社区)")) <= {NEW_VILLAGE}
    journeys.finish()
