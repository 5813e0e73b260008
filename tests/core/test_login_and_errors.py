"""Login throttling (django-axes), where a login lands, and the Chinese error pages."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from tests.factories import UserFactory

PASSWORD = "zhanerxiang-demo"


@pytest.fixture
def staff(db):
    user = UserFactory(username="wang", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def login(client, password, *, address="10.0.0.1", username="wang"):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_login_without_next_lands_on_the_admin_home(client, staff):
    response = client.post("/admin/login/", {"username": "wang", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_five_wrong_passwords_lock_the_username_at_that_address_even_for_the_right_one(client, staff):
    for _ in range(4):
        assert login(client, "wrong-password").status_code == 200  # the form again, with its error
    locked = login(client, "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "密码错误次数过多" in page and "15 分钟" in page
    assert login(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address, or another username from the same address, is not locked.
    assert login(Client(), PASSWORD, address="10.0.0.2").status_code == 302


def test_wrong_passwords_from_changing_forwarded_addresses_still_lock(client, staff):
    for index in range(5):
        client.post(
            "/admin/login/",
            {"username": "wang", "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{index}",
        )
    assert login(client, PASSWORD).status_code == 429


def test_a_superuser_unlocks_a_user_from_the_user_list(client, staff, superuser):
    for _ in range(5):
        login(client, "wrong-password")
    admin = Client()
    admin.force_login(superuser)
    page = admin.get("/admin/auth/user/", {"q": "wang"}).content.decode()
    assert "登录已锁定" in page and 'alt="True"' in page
    response = admin.post("/admin/auth/user/", {"action": "unlock_login", "_selected_action": [staff.pk]}, follow=True)
    assert "已解除登录锁定" in response.content.decode()
    assert login(client, PASSWORD).status_code == 302


def test_a_successful_login_forgets_the_failures(client, staff):
    for _ in range(4):
        login(client, "wrong-password")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert login(client, "wrong-password").status_code == 200
    assert login(client, PASSWORD).status_code == 302


def assert_error_page(response, status, heading):
    assert response.status_code == status
    page = response.content.decode()
    assert heading in page
    assert "妇联工作台" in page and 'href="/admin/"' in page  # the admin's look, with a way back
    for english in ("Not Found", "Forbidden", "Server Error", "Bad Request", "Django"):
        assert english not in page


def test_404_is_a_chinese_page(client_for, clerk):
    client = client_for(clerk)
    assert_error_page(client.get("/admin/federation/person/999999/change/"), 404, "没有找到")
    assert_error_page(client.get("/no-such-page/"), 404, "没有找到")


def test_403_is_a_chinese_page(client_for, clerk):
    assert_error_page(client_for(clerk).get("/admin/auth/user/"), 403, "没有权限")


def test_400_is_a_chinese_page(client_for, clerk):
    assert_error_page(client_for(clerk).get("/admin/federation/person/", {"phone__startswith": "139"}), 400, "无法识别")


def test_expired_form_is_a_chinese_page(db):
    client = Client(enforce_csrf_checks=True)
    assert_error_page(client.post("/admin/login/", {"username": "x", "password": "y"}), 403, "表单已过期")


def test_500_is_a_chinese_page_that_needs_no_context():
    response = server_error(RequestFactory().get("/admin/"))
    assert_error_page(response, 500, "服务器出错")


def test_password_spraying_from_one_address_is_locked_across_names(client, staff, settings):
    """Issue 24: 42 wrong passwords over 14 names from one address were never throttled."""
    names = [f"guess{n}" for n in range(13)] + ["wang"]
    guesses = (names * 3)[: settings.LOGIN_ADDRESS_FAILURE_LIMIT]
    for name in guesses[:-1]:
        assert login(client, "wrong-password", username=name).status_code == 200
    assert login(client, "wrong-password", username=guesses[-1]).status_code == 429  # the limit-th
    locked = login(client, PASSWORD)  # the right password of a real user, from that address
    assert locked.status_code == 429
    assert "这台电脑的登录已被锁定" in locked.content.decode()
    # A name that does not exist gets the same page as one that does.
    stranger = login(client, "whatever", username="nobody-at-all")
    assert stranger.status_code == 429 and stranger.content == locked.content
    # Other addresses are not affected.
    assert login(client, PASSWORD, address="10.0.0.2").status_code == 302


def test_one_good_login_does_not_reset_an_addresss_spray(client, staff, settings):
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 2):
        login(client, "wrong-password", username=f"guess{n}")
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    assert login(client, "wrong-password", username="guess-a").status_code == 200
    assert login(client, "wrong-password", username="guess-b").status_code == 429
