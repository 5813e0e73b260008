"""The registry's services for activities, attachments and honours name who saved and who
deleted, and the admin's saves, deletions and inline rows go through them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from federation.core.history import delete_with_history
from federation.models import Activity, ActivityAttachment, Honor
from federation.services import (
    activity_delete,
    activity_save,
    attachment_delete,
    attachment_save,
    honor_delete,
    honor_save,
)
from tests.factories import ACTIVITY_INLINES, ActivityFactory, HonorFactory, PersonFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def new_activity(town, **extra) -> Activity:
    values = {"kind": Activity.Kind.PUBLICITY, "title": "反家暴宣传", "date": date(2024, 3, 8), **extra}
    return Activity(town=town, **values)


def attach(activity, by=None, title="现场照片") -> ActivityAttachment:
    upload = SimpleUploadedFile("照片.png", PNG, content_type="image/png")
    return attachment_save(attachment=ActivityAttachment(activity=activity, title=title, file=upload), by=by)


def deletion(model, pk):
    """The history row of the deletion of `model` #pk."""
    return model.history.get(id=pk, history_type="-")


def history_rows(record) -> list[tuple]:
    return [(row.history_type, row.history_user) for row in record.history.order_by("history_id")]


# Services


def test_an_activity_and_its_villages_name_who_saved_them(town, taiba, fenghe, clerk, town_admin):
    activity = activity_save(activity=new_activity(town), villages=[taiba], by=clerk)
    assert list(activity.villages.all()) == [taiba]
    # The row of the save, then the row of its villages.
    assert history_rows(activity) == [("+", clerk), ("~", clerk)]
    assert list(activity.history.latest().villages.values_list("village_id", flat=True)) == [taiba.pk]

    activity.participants = 40
    activity_save(activity=activity, villages=[taiba, fenghe], by=town_admin)
    activity.refresh_from_db()
    assert activity.participants == 40 and set(activity.villages.all()) == {taiba, fenghe}
    assert history_rows(activity)[2:] == [("~", town_admin), ("~", town_admin)]

    # Without villages, the service leaves them as they are.
    activity.title = "反家暴法宣传"
    activity_save(activity=activity, by=town_admin)
    assert set(activity.villages.all()) == {taiba, fenghe}


def test_an_activity_is_validated_before_it_is_saved(town, town_admin):
    with pytest.raises(ValidationError) as error:
        activity_save(activity=new_activity(town, title=""), villages=[], by=town_admin)
    assert error.value.message_dict == {"title": ["此字段不能为空。"]}
    assert not Activity.objects.exists()


def test_only_town_wide_staff_record_a_town_wide_activity(town, taiba, clerk, town_admin):
    with pytest.raises(ValidationError) as error:
        activity_save(activity=new_activity(town), villages=[], by=clerk)
    assert error.value.message_dict == {"villages": ["请至少选择一个您负责的村(社区)。"]}
    assert not Activity.objects.exists()
    town_wide = activity_save(activity=new_activity(town), villages=[], by=town_admin)
    assert list(town_wide.villages.all()) == []
    # The demo writes as the system (by=None): no one's scope to ask.
    assert activity_save(activity=new_activity(town, title="系统写入"), villages=[], by=None).pk


def test_deleting_an_activity_names_who_deleted_it_and_its_attachments(town, taiba, clerk, town_admin):
    activity = activity_save(activity=new_activity(town), villages=[taiba], by=clerk)
    photo, sheet = attach(activity, by=clerk), attach(activity, by=clerk, title="签到表")
    activity_pk = activity.pk
    activity_delete(activity=Activity.objects.get(pk=activity_pk), by=town_admin)
    assert not Activity.objects.filter(pk=activity_pk).exists() and not ActivityAttachment.objects.exists()
    assert deletion(Activity, activity_pk).history_user == town_admin
    for attachment in (photo, sheet):
        row = deletion(ActivityAttachment, attachment.pk)
        assert (row.history_user, row.title) == (town_admin, attachment.title)


def test_an_attachment_names_who_saved_and_deleted_it(town, clerk, town_admin):
    activity = ActivityFactory(town=town)
    attachment = attach(activity, by=clerk)
    attachment.title = "活动现场"
    attachment_save(attachment=attachment, by=town_admin)
    assert history_rows(attachment) == [("+", clerk), ("~", town_admin)]
    pk = attachment.pk
    attachment_delete(attachment=ActivityAttachment.objects.get(pk=pk), by=clerk)
    assert not ActivityAttachment.objects.filter(pk=pk).exists()
    assert deletion(ActivityAttachment, pk).history_user == clerk


def test_an_attachment_is_validated_before_it_is_saved(town, clerk):
    upload = SimpleUploadedFile("病历.docx", b"PK\x03\x04", content_type="application/msword")
    with pytest.raises(ValidationError) as error:
        attachment_save(attachment=ActivityAttachment(activity=ActivityFactory(town=town), file=upload), by=clerk)
    assert error.value.message_dict == {"file": ["只能上传 JPEG、PNG 图片或 PDF 文件。"]}
    assert not ActivityAttachment.objects.exists()


def test_an_honour_names_who_saved_and_deleted_it(taiba, clerk, town_admin):
    person = PersonFactory(village=taiba)
    honor = honor_save(honor=Honor(award=Honor.Award.BEST_VOLUNTEER, year=2024, person=person), by=clerk)
    honor.level = Honor.Level.COUNTY
    honor_save(honor=honor, by=town_admin)
    assert history_rows(honor) == [("+", clerk), ("~", town_admin)]
    pk = honor.pk
    honor_delete(honor=Honor.objects.get(pk=pk), by=clerk)
    assert not Honor.objects.filter(pk=pk).exists()
    row = deletion(Honor, pk)
    assert (row.history_user, row.level) == (clerk, Honor.Level.COUNTY)


def test_an_honour_is_validated_before_it_is_saved(taiba, clerk):
    person = PersonFactory(village=taiba)
    with pytest.raises(ValidationError) as error:
        honor_save(honor=Honor(award=Honor.Award.BEAUTIFUL_FAMILY, year=2024, person=person), by=clerk)
    assert error.value.message_dict == {"household": ["该表彰项目授予家庭。"]}
    assert not Honor.objects.exists()


def test_delete_with_history_by_the_system_names_no_one(taiba):
    honor = HonorFactory(person=PersonFactory(village=taiba))
    pk = honor.pk
    delete_with_history(honor, None)
    assert deletion(Honor, pk).history_user is None


# The admin


def activity_form(activity, villages, **extra) -> dict:
    data = {
        "kind": activity.kind,
        "title": activity.title,
        "date": "2024-05-01",
        "town": activity.town_id,
        "villages": [village.pk for village in villages],
        "participants": 10,
        "beneficiaries": 0,
        "materials_distributed": 0,
        "consultations": 0,
        "attachments-TOTAL_FORMS": 0,
        "attachments-INITIAL_FORMS": 0,
        **ACTIVITY_INLINES,
    }
    return {**data, **extra}


def test_the_admin_saves_an_activity_as_its_user(client_for, town_admin, taiba, no_history_middleware):
    activity = ActivityFactory(town=taiba.town, villages=[taiba])
    client = client_for(town_admin)
    response = client.post(f"/admin/federation/activity/{activity.pk}/change/", activity_form(activity, [taiba]))
    assert response.status_code == 302, response.content.decode()[:2000]
    activity.refresh_from_db()
    assert activity.participants == 10
    assert activity.history.latest().history_user == town_admin

    response = client.post(
        "/admin/federation/activity/add/", activity_form(Activity(kind="seminar", title="研讨会", town=taiba.town), [])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Activity.objects.get(title="研讨会")
    assert list(added.villages.all()) == []
    assert history_rows(added) == [("+", town_admin)]


def test_a_clerk_cannot_record_a_town_wide_activity_in_the_admin(client_for, clerk, taiba):
    activity = Activity(kind=Activity.Kind.SEMINAR, title="研讨会", town=taiba.town)
    response = client_for(clerk).post("/admin/federation/activity/add/", activity_form(activity, []))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"villages": ["请至少选择一个您负责的村(社区)。"]}
    assert not Activity.objects.exists()


def test_a_clerk_saving_a_shared_activity_keeps_the_village_she_cannot_see(
    client_for, clerk, taiba, fenghe, no_history_middleware
):
    activity = ActivityFactory(town=taiba.town, villages=[taiba, fenghe])
    response = client_for(clerk).post(
        f"/admin/federation/activity/{activity.pk}/change/", activity_form(activity, [taiba])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(activity.villages.all()) == {taiba, fenghe}
    assert activity.history.latest().history_user == clerk


@pytest.mark.parametrize("how", ["page", "action"])
def test_the_admin_deletes_an_activity_and_its_attachments_as_its_user(
    client_for, town_admin, taiba, fenghe, how, no_history_middleware
):
    activity = ActivityFactory(town=taiba.town, villages=[taiba, fenghe])
    attachment = attach(activity)
    client = client_for(town_admin)
    if how == "page":
        response = client.post(f"/admin/federation/activity/{activity.pk}/delete/", {"post": "yes"})
    else:
        action = {"action": "delete_selected", "_selected_action": [activity.pk], "post": "yes"}
        response = client.post("/admin/federation/activity/", action)
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert deletion(Activity, activity.pk).history_user == town_admin
    assert deletion(ActivityAttachment, attachment.pk).history_user == town_admin


def test_deleting_an_attachment_row_on_the_activity_page_goes_through_the_service(
    client_for, clerk, taiba, no_history_middleware
):
    activity = ActivityFactory(town=taiba.town, villages=[taiba])
    photo, sheet = attach(activity), attach(activity, title="签到表")
    rows = {
        "attachments-TOTAL_FORMS": 2,
        "attachments-INITIAL_FORMS": 2,
        **ACTIVITY_INLINES,
        "attachments-0-id": photo.pk,
        "attachments-0-activity": activity.pk,
        "attachments-0-title": photo.title,
        "attachments-0-DELETE": "on",
        "attachments-1-id": sheet.pk,
        "attachments-1-activity": activity.pk,
        "attachments-1-title": "签到表（补）",
    }
    response = client_for(clerk).post(
        f"/admin/federation/activity/{activity.pk}/change/", activity_form(activity, [taiba], **rows)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(activity.attachments.values_list("title", flat=True)) == ["签到表（补）"]
    assert deletion(ActivityAttachment, photo.pk).history_user == clerk
    assert sheet.history.latest().history_user == clerk


def honor_form(honor, **extra) -> dict:
    return {
        "award": honor.award,
        "title": "",
        "year": honor.year,
        "level": honor.level,
        "person": honor.person_id,
        **extra,
    }


def test_the_admin_saves_and_deletes_an_honour_as_its_user(client_for, town_admin, taiba, no_history_middleware):
    honor = HonorFactory(person=PersonFactory(village=taiba))
    client = client_for(town_admin)
    response = client.post(f"/admin/federation/honor/{honor.pk}/change/", honor_form(honor, level="county"))
    assert response.status_code == 302, response.content.decode()[:2000]
    honor.refresh_from_db()
    assert honor.level == "county" and honor.history.latest().history_user == town_admin

    response = client.post(f"/admin/federation/honor/{honor.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Honor.objects.filter(pk=honor.pk).exists()
    assert deletion(Honor, honor.pk).history_user == town_admin


def test_the_delete_action_deletes_each_honour_as_its_user(client_for, town_admin, taiba, no_history_middleware):
    honors = [HonorFactory(person=PersonFactory(village=taiba)) for _ in range(2)]
    action = {"action": "delete_selected", "_selected_action": [honor.pk for honor in honors], "post": "yes"}
    assert client_for(town_admin).post("/admin/federation/honor/", action).status_code == 302
    assert not Honor.objects.exists()
    assert [deletion(Honor, honor.pk).history_user for honor in honors] == [town_admin, town_admin]


def test_an_honour_the_rules_refuse_is_a_form_error(client_for, town_admin, taiba):
    honor = HonorFactory(person=PersonFactory(village=taiba))
    response = client_for(town_admin).post(
        f"/admin/federation/honor/{honor.pk}/change/", honor_form(honor, award=Honor.Award.BEAUTIFUL_FAMILY)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"household": ["该表彰项目授予家庭。"]}
    honor.refresh_from_db()
    assert honor.award == Honor.Award.BEST_VOLUNTEER


def test_a_rule_the_service_refuses_after_the_form_is_a_form_error_keeping_what_was_typed(
    client_for, town_admin, taiba, monkeypatch
):
    def refuse(**kwargs):
        raise ValidationError("活动已被他人修改，请重新打开。")

    monkeypatch.setattr("federation.admin.activity_save", refuse)
    activity = ActivityFactory(town=taiba.town, title="原标题", villages=[taiba])
    url = f"/admin/federation/activity/{activity.pk}/change/"
    response = client_for(town_admin).post(url, activity_form(activity, [taiba], title="新标题"))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == ["活动已被他人修改，请重新打开。"]
    assert 'value="新标题"' in response.content.decode()
    activity.refresh_from_db()
    assert activity.title == "原标题"
