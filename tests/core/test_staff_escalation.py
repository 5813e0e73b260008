"""Staff management never escalates (issue 24, item 2): a manager of users who is not a
superuser grants no permission, role or scope she does not hold herself, cannot make anyone a
superuser, and cannot touch a superuser or an account with more rights than hers."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from federation.core.roles import TOWN_ADMIN, VILLAGE_CLERK
from federation.core.scoping import scope_for
from tests.factories import UserFactory, give_scope

User = get_user_model()
PASSWORD = "Zhanerxiang-2024!"
USER_PERMISSIONS = ("add_user", "change_user", "view_user")
SCOPE_PERMISSIONS = ("add_staffscope", "change_staffscope", "view_staffscope")


def permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def manager(town, taiba):
    """太坝村's clerk who also manages users (as a town administrator manages her clerks)."""
    user = UserFactory(username="manager", role=VILLAGE_CLERK)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename__in=USER_PERMISSIONS),
        *Permission.objects.filter(codename__in=SCOPE_PERMISSIONS),
    )
    give_scope(user, town, villages=[taiba])
    return User.objects.get(pk=user.pk)  # without cached permissions


def change_data(user, **changes):
    """The change form of `user` as the page posts it, with `changes`."""
    scope = getattr(user, "staff_scope", None)
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [p.pk for p in user.user_permissions.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "staff_scope-TOTAL_FORMS": "1",
        "staff_scope-INITIAL_FORMS": "1" if scope else "0",
        "staff_scope-MIN_NUM_FORMS": "0",
        "staff_scope-MAX_NUM_FORMS": "1",
        "staff_scope-0-user": user.pk,
    }
    if scope:
        data.update(
            {
                "staff_scope-0-id": scope.pk,
                "staff_scope-0-town": scope.town_id,
                "staff_scope-0-villages": [village.pk for village in scope.villages.all()],
            }
        )
        if scope.town_wide:
            data["staff_scope-0-town_wide"] = "on"
    data.update(changes)
    return data


def test_she_cannot_make_herself_or_a_clerk_a_superuser(manager, clerk, client_for):
    client = client_for(manager)
    page = client.get(f"/admin/auth/user/{manager.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    for user in (manager, clerk):
        response = client.post(f"/admin/auth/user/{user.pk}/change/", change_data(user, is_superuser="on"))
        assert response.status_code == 302, response.content.decode()[:2000]
        user.refresh_from_db()
        assert not user.is_superuser


def test_she_cannot_grant_herself_a_permission_she_lacks(manager, client_for):
    full_identity = permission("federation.view_full_identity")
    client = client_for(manager)
    page = client.get(f"/admin/auth/user/{manager.pk}/change/").content.decode()
    assert f'value="{full_identity.pk}"' not in page
    assert 'name="user_permissions"' not in page  # a manager never sees raw permissions
    held = [p.pk for p in manager.user_permissions.all()]
    client.post(
        f"/admin/auth/user/{manager.pk}/change/", change_data(manager, user_permissions=[*held, full_identity.pk])
    )
    assert not User.objects.get(pk=manager.pk).has_perm("federation.view_full_identity")


def test_she_cannot_join_a_role_with_more_rights(manager, client_for):
    town_admins = Group.objects.get(name=TOWN_ADMIN)
    clerks = Group.objects.get(name=VILLAGE_CLERK)
    client = client_for(manager)
    response = client.post(
        f"/admin/auth/user/{manager.pk}/change/", change_data(manager, groups=[clerks.pk, town_admins.pk])
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not manager.groups.filter(pk=town_admins.pk).exists()
    # A role she holds every permission of may be given (to a clerk she adds, say).
    assert client.post(f"/admin/auth/user/{manager.pk}/change/", change_data(manager)).status_code == 302


def test_she_cannot_widen_a_clerks_scope_beyond_hers(manager, clerk, fenghe, client_for):
    client = client_for(manager)
    response = client.post(
        f"/admin/auth/user/{clerk.pk}/change/",
        change_data(clerk, **{"staff_scope-0-town_wide": "on"}),
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    clerk.refresh_from_db()
    assert not clerk.staff_scope.town_wide
    assert fenghe.pk not in scope_for(User.objects.get(pk=clerk.pk)).village_ids
    response = client.post(
        f"/admin/auth/user/{clerk.pk}/change/",
        change_data(clerk, **{"staff_scope-0-villages": [fenghe.pk]}),
    )
    assert response.status_code == 200
    assert fenghe.pk not in scope_for(User.objects.get(pk=clerk.pk)).village_ids


def test_she_cannot_touch_a_superuser_or_an_account_with_more_rights(manager, superuser, town_admin, client_for):
    client = client_for(manager)
    for target in (superuser, town_admin):
        for url in (f"/admin/auth/user/{target.pk}/password/", f"/admin/auth/user/{target.pk}/delete/"):
            response = client.post(url, {"password1": PASSWORD, "password2": PASSWORD, "post": "yes"})
            assert response.status_code in (302, 403, 404)
            assert User.objects.filter(pk=target.pk).exists()
            assert not User.objects.get(pk=target.pk).check_password(PASSWORD)
        before = User.objects.get(pk=target.pk)
        client.post(f"/admin/auth/user/{target.pk}/change/", change_data(target, username="taken-over"))
        assert User.objects.get(pk=target.pk).username == before.username
    assert "root" not in client.get("/admin/auth/user/").content.decode()


def test_she_sets_the_password_of_a_clerk_of_her_village(manager, clerk, client_for):
    response = client_for(manager).post(
        f"/admin/auth/user/{clerk.pk}/password/", {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=clerk.pk).check_password(PASSWORD)


def test_a_role_with_more_rights_cannot_be_changed_by_her(manager, client_for):
    manager.user_permissions.add(permission("auth.change_group"), permission("auth.view_group"))
    manager = User.objects.get(pk=manager.pk)
    town_admins = Group.objects.get(name=TOWN_ADMIN)
    client = client_for(manager)
    response = client.post(f"/admin/auth/group/{town_admins.pk}/change/", {"name": "taken", "permissions": []})
    assert response.status_code == 403
    assert Group.objects.filter(name=TOWN_ADMIN).exists()


def test_the_town_administrator_may_give_her_clerks_every_village_role(town_admin):
    # Every app that adds a permission to a village role gives it to the town administrator too.
    from federation.admin import grantable_groups
    from federation.core.roles import CARE_RECORDER, HEALTH_RECORDER

    names = set(grantable_groups(town_admin).values_list("name", flat=True))
    assert {VILLAGE_CLERK, HEALTH_RECORDER, CARE_RECORDER} <= names
