"""The second factor (SECOND_FACTOR=on): superusers and holders of the full-identity permission
type a code from an authenticator app after their password, set up on their first login with a
QR code; a wrong code counts with the login throttle; a used code does not open again; a
superuser resets a lost phone with a reason logged; no URL opens before the code."""

import re
import uuid

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from federation.core.middleware import SECOND_FACTOR_OPEN
from federation.core.models import SecondFactorReset
from federation.core.second_factor import key_text, second_factor_reset
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"  # the factories' users'
ADDRESS = "10.0.0.1"
SETUP, VERIFY = "/admin/second-factor/", "/admin/second-factor/code/"


@pytest.fixture
def second_factor(settings):
    settings.SECOND_FACTOR = True


@pytest.fixture
def no_phone_wait(settings):
    """django-otp's own wait after a wrong code (1, 2, 4 … seconds, per phone) is tested on
    its own; the tests that type a right code just after a wrong one do without it."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def client_at(address=ADDRESS) -> Client:
    return Client(REMOTE_ADDR=address)


def password_login(client, user):
    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def code(device, drift=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def wrong_code(device) -> str:
    """A code the device takes at no time step near now."""
    near = {code(device, drift) for drift in range(-3, 4)}
    return next(candidate for candidate in ("000000", "111111", "222222", "333333") if candidate not in near)


def phone(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name=f"{user.username}@testserver", confirmed=True)


def verified_client(user, device=None) -> Client:
    device = device or phone(user)
    client = client_at()
    client.force_login(user)
    response = client.post(VERIFY, {"token": code(device)})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def send_code(client, token, next_url="/admin/"):
    return client.post(VERIFY, {"token": token, "next": next_url})


# The one gate: every URL ----------------------------------------------------------------

SAMPLES = {"int": "1", "path": "1", "slug": "start", "str": "1", "uuid": str(uuid.uuid4())}


def route_of(pattern) -> str:
    """A path the pattern matches: a sample value for each converter or group."""
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda match: SAMPLES[match.group(1) or "str"], text)
    text = text.removeprefix("^").removesuffix("$")
    text = re.sub(r"\(\?P<\w+>(\w+)(?:\|[\w|]+)?\)", r"\1", text)  # the admin's app index: its first app
    text = re.sub(r"\((?:\?P<\w+>)?(?:\[\^/\]\+|\.\*)\)", "1", text)  # a record's id, history's, the catch-all
    assert not re.search(r"[\^$()\[\]*+?|\\]", text), f"a pattern this test cannot fill: {pattern}"
    return text


def every_path(patterns=None, prefix="/"):
    for entry in get_resolver("config.urls").url_patterns if patterns is None else patterns:
        route = prefix + route_of(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from every_path(entry.url_patterns, route)
        else:
            yield route


def test_the_pages_open_before_the_code_are_the_second_factors_and_logging_out():
    assert SECOND_FACTOR_OPEN == {
        "admin:second_factor_setup",
        "admin:second_factor_verify",
        "admin:logout",
        "admin:jsi18n",
    }


@pytest.mark.parametrize("needs_setup", [False, True], ids=["verify", "set up"])
def test_no_url_of_the_project_opens_before_the_code(second_factor, town_admin, needs_setup):
    """Each URL pattern of config.urls, read and posted, as a town administrator who has given
    her password only: each one sends her to the second factor's page, or is not found."""
    if not needs_setup:
        phone(town_admin)
    client = client_at()
    client.force_login(town_admin)
    page = SETUP if needs_setup else VERIFY
    paths = sorted(set(every_path()))
    assert len(paths) > 400 and "/files/1" in paths and "/admin/reports/binder/" in paths
    opened = []
    for path in paths:
        if resolve(path).view_name in SECOND_FACTOR_OPEN:
            continue
        for method in (client.get, client.post):
            response = method(path)
            status, location = response.status_code, response.get("Location", "")
            if not (status == 302 and location.startswith(page) or status == 404):
                opened.append(f"{method.__name__.upper()} {path} → {status} {location}")
    assert opened == []
    assert client.get("/admin/federation/person/").url == f"{page}?next=%2Fadmin%2Ffederation%2Fperson%2F"


def test_a_superuser_and_a_holder_of_the_permission_itself_are_asked_too(second_factor, superuser, clerk):
    clerk.user_permissions.add(Permission.objects.get(codename="view_full_identity"))
    for user in (superuser, clerk):
        client = client_at()
        client.force_login(user)
        assert client.get("/admin/").url.startswith(SETUP)
        assert client.get("/admin/password_change/").url.startswith(SETUP)


def test_a_user_without_full_identity_is_never_asked(second_factor, clerk, county_reader):
    for user in (clerk, county_reader):
        client = client_at()
        password_login(client, user)
        assert client.get("/admin/").status_code == 200
        assert client.get(SETUP).url == "/admin/"  # nothing to set up: back where she was going
    assert not TOTPDevice.objects.exists()


def test_with_the_setting_off_nobody_is_asked(town_admin, superuser):
    for user in (town_admin, superuser):
        client = client_at()
        password_login(client, user)
        assert client.get("/admin/").status_code == 200
        assert client.get("/admin/federation/person/").status_code == 200


# Setting up the phone -------------------------------------------------------------------


def test_the_first_login_sets_up_the_phone_with_a_qr_code(second_factor, town_admin, no_phone_wait):
    client = client_at()
    password_login(client, town_admin)
    response = client.get("/admin/federation/person/")
    assert response.url == f"{SETUP}?next=%2Fadmin%2Ffederation%2Fperson%2F"
    page = client.get(response.url).content.decode()
    device = TOTPDevice.objects.get(user=town_admin)
    assert not device.confirmed and device.name == "town@testserver"
    assert "<svg" in page and "<?xml" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert key_text(device) in page and re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", key_text(device))
    assert "腾讯身份验证器" in page and 'name="next" value="/admin/federation/person/"' in page
    assert "otpauth://" not in page  # the key is in the picture and in letters, not in a link
    assert client.get(response.url).content.decode().count(key_text(device)) == 1  # the same device again
    assert TOTPDevice.objects.filter(user=town_admin).count() == 1

    refused = client.post(SETUP, {"token": wrong_code(device), "next": "/admin/federation/person/"})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/admin/").url.startswith(SETUP)

    done = client.post(SETUP, {"token": code(device), "next": "/admin/federation/person/"})
    assert done.status_code == 302 and done.url == "/admin/federation/person/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/admin/federation/person/").status_code == 200
    assert client.get(SETUP).url == "/admin/"


def test_the_qr_code_holds_the_key_its_user_and_the_workbench():
    device = TOTPDevice(user=UserFactory.build(username="wang"), key="00" * 20)
    assert device.config_url.startswith("otpauth://totp/%E5%A6%87%E8%81%94%E5%B7%A5%E4%BD%9C%E5%8F%B0%3Awang?")
    assert "secret=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" in device.config_url
    assert "issuer=%E5%A6%87%E8%81%94%E5%B7%A5%E4%BD%9C%E5%8F%B0" in device.config_url  # 妇联工作台


def test_a_password_alone_never_sets_up_another_phone(second_factor, town_admin):
    """Whoever knows her password cannot put his own phone in place of hers."""
    device = phone(town_admin)
    client = client_at()
    password_login(client, town_admin)
    assert client.get(SETUP).url == f"{VERIFY}?next=%2Fadmin%2F"
    client.post(SETUP, {"token": "123456"})
    assert list(TOTPDevice.objects.filter(user=town_admin)) == [device]


# Each later login -----------------------------------------------------------------------


def test_the_right_code_lets_her_in_for_the_session_only(second_factor, town_admin):
    device = phone(town_admin)
    client = client_at()
    password_login(client, town_admin)
    assert client.get("/admin/").url == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.get(VERIFY).status_code == 200
    response = send_code(client, code(device), "/admin/federation/person/")
    assert response.status_code == 302 and response.url == "/admin/federation/person/"
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")
    password_login(client, town_admin)
    assert client.get("/admin/").url.startswith(VERIFY)


def test_a_next_elsewhere_is_not_followed(second_factor, town_admin):
    device = phone(town_admin)
    client = client_at()
    password_login(client, town_admin)
    assert send_code(client, code(device), "https://evil.example/").url == "/admin/"


def test_a_wrong_code_is_refused_and_counted_as_a_wrong_password(second_factor, town_admin, no_phone_wait):
    device = phone(town_admin)
    client = client_at()
    password_login(client, town_admin)
    refused = send_code(client, wrong_code(device))
    assert refused.status_code == 200 and refused.context["form"].errors["token"]
    attempt = AccessAttempt.objects.get(username="town", ip_address=ADDRESS)
    assert attempt.failures_since_start == 1 and wrong_code(device) not in attempt.post_data
    assert client.get("/admin/").url.startswith(VERIFY)
    # Letters or too few digits are the form's error, no code checked.
    assert send_code(client, "12ab56").context["form"].errors["token"]
    # The right code next lets her in, and forgets no failure: not the address's, not hers.
    assert send_code(client, code(device)).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert AccessAttempt.objects.get(username="town", ip_address=ADDRESS).failures_since_start == 1


def test_too_many_wrong_codes_lock_her_out_even_with_the_right_one(second_factor, town_admin, settings):
    device = phone(town_admin)
    client = client_at()
    password_login(client, town_admin)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert send_code(client, wrong_code(device)).status_code == 200
    locked = send_code(client, wrong_code(device))
    assert locked.status_code == 429 and "密码错误次数过多" in locked.content.decode()
    last_t = TOTPDevice.objects.get(pk=device.pk).last_t
    assert send_code(client, code(device)).status_code == 429
    assert client.get(VERIFY).status_code == 429
    assert TOTPDevice.objects.get(pk=device.pk).last_t == last_t  # the right code was not even checked
    assert client.get("/admin/").url.startswith(VERIFY)
    # Her password from the same address is locked too, as after wrong passwords.
    assert client_at().post("/admin/login/", {"username": "town", "password": PASSWORD}).status_code == 429


def test_wrong_codes_count_for_the_address_across_users(second_factor, town_admin, superuser, settings):
    """Codes sprayed over several accounts from one address lock the address."""
    settings.AXES_FAILURE_LIMIT, settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3, 4
    devices = {user: phone(user) for user in (town_admin, superuser)}
    clients = {user: client_at() for user in devices}
    for user, client in clients.items():
        password_login(client, user)
    answers = [send_code(clients[user], wrong_code(devices[user])).status_code for user in (town_admin, superuser) * 2]
    assert answers == [200, 200, 200, 429]
    assert send_code(clients[town_admin], code(devices[town_admin])).status_code == 429


def test_a_used_code_does_not_open_again(second_factor, town_admin, no_phone_wait):
    device = phone(town_admin)
    used = code(device)
    first = client_at()
    password_login(first, town_admin)
    assert send_code(first, used).status_code == 302
    second = client_at("10.0.0.2")
    password_login(second, town_admin)
    replayed = send_code(second, used)
    assert replayed.status_code == 200 and replayed.context["form"].errors["token"]
    assert second.get("/admin/").url.startswith(VERIFY)
    assert send_code(second, code(device, drift=1)).status_code == 302  # the phone's next code


def test_after_a_wrong_code_the_phone_waits_before_another_is_checked(second_factor, town_admin):
    device = phone(town_admin)
    client = client_at()
    password_login(client, town_admin)
    send_code(client, wrong_code(device))
    assert send_code(client, code(device)).status_code == 200  # within the second: not checked
    assert client.get("/admin/").url.startswith(VERIFY)
    assert AccessAttempt.objects.get(username="town").failures_since_start == 2


# Resetting a lost phone -----------------------------------------------------------------


def reset_url(user) -> str:
    return f"/admin/auth/user/{user.pk}/second-factor-reset/"


def test_a_superuser_resets_a_lost_phone_with_a_reason_logged(second_factor, superuser, town_admin):
    lost = phone(town_admin)
    hers = verified_client(town_admin, lost)
    admin = verified_client(superuser)
    page = admin.get(f"/admin/auth/user/{town_admin.pk}/change/").content.decode()
    assert f'href="{reset_url(town_admin)}"' in page
    assert admin.get(reset_url(town_admin)).status_code == 200

    refused = admin.post(reset_url(town_admin), {"reason": "   "})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert TOTPDevice.objects.filter(pk=lost.pk).exists() and not SecondFactorReset.objects.exists()

    done = admin.post(reset_url(town_admin), {"reason": "手机丢失"})
    assert done.status_code == 302 and done.url == f"/admin/auth/user/{town_admin.pk}/change/"
    assert not TOTPDevice.objects.filter(user=town_admin).exists()
    record = SecondFactorReset.objects.get()
    assert (record.user, record.account, record.username, record.reason) == (superuser, town_admin, "town", "手机丢失")
    log = admin.get("/admin/federation/secondfactorreset/").content.decode()
    assert "手机丢失" in log
    assert admin.get(f"/admin/federation/secondfactorreset/{record.pk}/change/").status_code == 200
    # Her session verified by the lost phone is not any more: she sets up the new one.
    assert hers.get("/admin/").url.startswith(SETUP)


def test_the_reset_log_is_append_only_and_the_superusers_alone(second_factor, superuser, town_admin):
    second_factor_reset(user=town_admin, reason="换手机", by=superuser)
    record = SecondFactorReset.objects.get()
    admin = verified_client(superuser)
    assert admin.get("/admin/federation/secondfactorreset/add/").status_code == 403
    admin.post(f"/admin/federation/secondfactorreset/{record.pk}/delete/", {"post": "yes"})
    assert SecondFactorReset.objects.filter(pk=record.pk).exists()
    town = verified_client(town_admin)
    assert town.get("/admin/federation/secondfactorreset/").status_code == 403


def test_nobody_but_a_superuser_resets_a_phone(second_factor, town_admin, clerk, superuser):
    """Not even the town administrator, who manages her town's staff."""
    clerks_phone = phone(clerk)
    client = verified_client(town_admin)
    assert town_admin.has_perm("auth.change_user")
    page = client.get(f"/admin/auth/user/{clerk.pk}/change/").content.decode()
    assert "second-factor-reset" not in page
    assert client.get(reset_url(clerk)).status_code == 403
    assert client.post(reset_url(clerk), {"reason": "手机丢失"}).status_code == 403
    assert client.post(reset_url(town_admin), {"reason": "手机丢失"}).status_code == 403
    assert TOTPDevice.objects.filter(pk=clerks_phone.pk).exists() and TOTPDevice.objects.filter(user=town_admin)
    with pytest.raises(PermissionDenied):
        second_factor_reset(user=clerk, reason="手机丢失", by=town_admin)
    with pytest.raises(ValidationError):
        second_factor_reset(user=superuser, reason="", by=superuser)
    assert not SecondFactorReset.objects.exists()
