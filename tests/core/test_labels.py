"""Our catalog must not relabel Django's own words: a generic msgid ("active", "name",
"Date:") that one of our pages needs in another sense carries a context (pgettext)."""

import re

from tests.factories import UserFactory


def test_the_user_admin_keeps_djangos_labels(client_for, superuser):
    client = client_for(superuser)
    listing = client.get("/admin/auth/user/").content.decode()
    assert "有效" in listing and "结对中" not in listing  # is_active's filter
    user = UserFactory(username="someone")
    page = client.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    assert "上次登录" in page and "加入日期" in page and "日期：" in page
    assert "填报日期" not in page and "结对中" not in page
    group = client.get("/admin/auth/group/add/").content.decode().split('id="content-main"')[1]
    assert "名称" in group and "姓名" not in group


def test_our_pages_keep_their_own_words(client_for, superuser, taiba):
    client = client_for(superuser)
    assert "结对中" in client.get("/admin/aid/pairing/").content.decode()
    person = client.get("/admin/federation/person/add/").content.decode()
    assert "姓名" in person
    # The form's own words, not the header's search box (姓名、身份证号…).
    town = client.get(f"/admin/federation/town/{taiba.town_id}/change/").content.decode().split('id="content-main"')[1]
    label = re.search(r'<label[^>]*for="id_name"[^>]*>([^<]*)<', town).group(1)
    assert "名称" in label and "姓名" not in label


def test_every_permission_is_named_in_chinese(client_for, superuser):
    import re

    from django.contrib.auth.models import Permission

    from federation.admin import NOT_OFFERED_APPS, permission_label

    latin = re.compile(r"\b(?!HPV\b|ID\b)[A-Za-z]{3,}\b")
    offered = Permission.objects.exclude(content_type__model__startswith="historical").exclude(
        content_type__app_label__in=NOT_OFFERED_APPS
    )
    english = {label for label in map(permission_label, offered) if latin.search(label)}
    assert english == set()
    page = client_for(superuser).get("/admin/auth/group/add/").content.decode()
    assert "可以查看关爱对象" in page and "Can view" not in page
