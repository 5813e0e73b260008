"""Adding a staff member and setting her password: a password is always asked for, and the
pages say nothing about sign-in backends this town does not have."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from federation.core.roles import HEALTH_RECORDER, VILLAGE_CLERK
from tests.factories import TownFactory, UserFactory, VillageFactory, give_scope

PASSWORD = "Zhanerxiang-2024!"
NO_SCOPE = {"staff_scope-TOTAL_FORMS": "0", "staff_scope-INITIAL_FORMS": "0"}


def test_adding_a_user_asks_for_a_password_and_nothing_else(client_for, superuser):
    client = client_for(superuser)
    page = client.get("/admin/auth/user/add/").content.decode()
    assert 'name="password1"' in page
    assert 'name="usable_password"' not in page and "LDAP" not in page

    clerk_role = Group.objects.get(name=VILLAGE_CLERK).pk
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "liu", "first_name": "刘芳", "groups": [clerk_role], "password1": "", "password2": "", **NO_SCOPE},
    )
    assert response.status_code == 200 and not get_user_model().objects.filter(username="liu").exists()

    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "liu",
            "first_name": "刘芳",
            "groups": [clerk_role],
            "password1": PASSWORD,
            "password2": PASSWORD,
            **NO_SCOPE,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert get_user_model().objects.get(username="liu").check_password(PASSWORD)


def test_changing_a_password_cannot_switch_passwords_off(client_for, superuser):
    user = UserFactory(username="wang", is_staff=True)
    client = client_for(superuser)
    url = f"/admin/auth/user/{user.pk}/password/"
    page = client.get(url).content.decode()
    assert 'name="usable_password"' not in page and "LDAP" not in page

    client.post(url, {"password1": "", "password2": "", "usable_password": "false"})
    user.refresh_from_db()
    assert user.has_usable_password()

    client.post(url, {"password1": PASSWORD, "password2": PASSWORD})
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_town_administrator_sets_up_a_clerk_in_one_form_and_she_signs_in(client_for, town_admin, taiba, fenghe):
    client = client_for(town_admin)
    page = client.get("/admin/auth/user/add/").content.decode()
    assert "健康档案录入" in page and 'name="user_permissions"' not in page
    roles = list(Group.objects.filter(name__in=[VILLAGE_CLERK, HEALTH_RECORDER]).values_list("pk", flat=True))
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "fenghe",
            "first_name": "冯丽",
            "groups": roles,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "staff_scope-TOTAL_FORMS": "1",
            "staff_scope-INITIAL_FORMS": "0",
            "staff_scope-0-town": str(fenghe.town_id),
            "staff_scope-0-villages": [str(fenghe.pk)],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    clerk = get_user_model().objects.get(username="fenghe")
    assert clerk.is_staff and clerk.first_name == "冯丽" and list(clerk.staff_scope.villages.all()) == [fenghe]
    # Her page shows no raw permissions; her manager resets a forgotten password.
    page = client.get(f"/admin/auth/user/{clerk.pk}/change/").content.decode()
    assert 'name="user_permissions"' not in page and 'name="is_superuser"' not in page
    url = f"/admin/auth/user/{clerk.pk}/password/"
    assert client.post(url, {"password1": PASSWORD + "x", "password2": PASSWORD + "x"}).status_code == 302

    browser = Client()
    signed_in = browser.post("/admin/login/", {"username": "fenghe", "password": PASSWORD + "x"})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    assert browser.get("/admin/health/screening/").status_code == 200
    assert browser.get("/admin/federation/person/").status_code == 200


def test_the_town_administrator_sees_only_her_towns_staff(client_for, town_admin, clerk):
    elsewhere = UserFactory(username="other", is_staff=True)
    other_village = VillageFactory(town=TownFactory(name="别的镇"))
    give_scope(elsewhere, other_village.town, villages=[other_village])
    names = client_for(town_admin).get("/admin/auth/user/").context["cl"].result_list
    assert {user.username for user in names} >= {"taiba"} and "other" not in {user.username for user in names}


def test_staff_appear_by_their_name_where_they_acted(client_for, clerk, town_admin, taiba):
    from datetime import date

    from federation.core.submissions import submission_submit

    clerk.first_name = "吴秀英"
    clerk.save()
    submission_submit(village=taiba, day=date(2024, 3, 1), note="三月无活动", by=clerk)
    page = client_for(town_admin).get("/admin/federation/periodsubmission/").content.decode()
    rows = page.split('id="result_list"')[1].split("</table>")[0]
    assert "吴秀英" in rows and ">taiba<" not in rows
    assert str(town_admin) == "town"  # without a name, the login name


def test_a_new_account_opens_with_its_scope_to_fill_and_no_view_site_link(client_for, town_admin):
    page = client_for(town_admin).get("/admin/auth/user/add/").content.decode()
    assert 'name="staff_scope-TOTAL_FORMS" value="1"' in page and 'name="staff_scope-0-town"' in page
    assert "查看站点" not in page


def test_an_accounts_page_says_a_password_is_set_not_its_hash(client_for, town_admin, clerk, superuser):
    for manager in (town_admin, superuser):
        page = client_for(manager).get(f"/admin/auth/user/{clerk.pk}/change/").content.decode()
        assert "已设置密码" in page and "重置密码" in page
        assert "pbkdf2" not in page and "盐" not in page and "哈希" not in page
