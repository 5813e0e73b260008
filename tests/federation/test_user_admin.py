"""Adding a staff member and setting her password: a password is always asked for, and the
pages say nothing about sign-in backends this town does not have."""

from django.contrib.auth import get_user_model

from tests.factories import UserFactory

PASSWORD = "Zhanerxiang-2024!"
NO_SCOPE = {"staff_scope-TOTAL_FORMS": "0", "staff_scope-INITIAL_FORMS": "0"}


def test_adding_a_user_asks_for_a_password_and_nothing_else(client_for, superuser):
    client = client_for(superuser)
    page = client.get("/admin/auth/user/add/").content.decode()
    assert 'name="password1"' in page
    assert 'name="usable_password"' not in page and "LDAP" not in page

    response = client.post("/admin/auth/user/add/", {"username": "liu", "password1": "", "password2": "", **NO_SCOPE})
    assert response.status_code == 200 and not get_user_model().objects.filter(username="liu").exists()

    response = client.post(
        "/admin/auth/user/add/",
        {"username": "liu", "password1": PASSWORD, "password2": PASSWORD, **NO_SCOPE},
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
