"""The roles created by the data migration and what each may do."""

from django.contrib.auth.models import Group

from federation.core.roles import COUNTY_READER, TOWN_ADMIN, VILLAGE_CLERK


def perms(role):
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def test_roles_exist_with_their_permissions(db):
    town_admin, clerk, county = perms(TOWN_ADMIN), perms(VILLAGE_CLERK), perms(COUNTY_READER)
    assert {"add_person", "change_person", "delete_person", "view_full_identity", "add_village"} <= town_admin
    assert "add_town" not in town_admin and "delete_town" not in town_admin
    assert {"add_person", "change_person", "view_person", "add_household", "delete_activity"} <= clerk
    assert not {"delete_person", "delete_household", "view_full_identity", "add_village"} & clerk
    assert not any(code.endswith(("_person", "_household", "_activity", "_honor")) for code in county)


def test_clerk_cannot_delete_people_of_her_own_village(client_for, clerk, own_household):
    client = client_for(clerk)
    person = own_household.head
    assert client.get(f"/admin/federation/person/{person.pk}/delete/").status_code == 403
    assert client.post(f"/admin/federation/person/{person.pk}/delete/", {"post": "yes"}).status_code == 403
    person.refresh_from_db()


def test_county_reader_sees_no_records(client_for, county_reader, own_household):
    client = client_for(county_reader)
    assert client.get("/admin/").status_code == 200
    for model in ("person", "household", "activity", "honor"):
        assert client.get(f"/admin/federation/{model}/").status_code == 403


def test_household_page_links_to_adding_a_member(client_for, clerk, own_household):
    client = client_for(clerk)
    page = client.get(f"/admin/federation/household/{own_household.pk}/change/").content.decode()
    link = f"/admin/federation/person/add/?household={own_household.pk}&amp;village={own_household.village_id}"
    assert link in page
    form = client.get(link.replace("&amp;", "&")).context["adminform"].form
    assert form.initial["household"] == str(own_household.pk)
    assert own_household.head.name in page  # the members are listed on the household
