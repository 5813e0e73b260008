"""Activity attachments: photos and PDFs, size-capped, served only to users with access."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from federation.core.roles import VILLAGE_CLERK
from federation.models import ActivityAttachment
from tests.factories import ACTIVITY_INLINES, ActivityFactory, UserFactory, give_scope

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def activity_form(activity, village, upload=None, **extra):
    data = {
        "kind": activity.kind,
        "title": activity.title,
        "date": "2024-05-01",
        "town": activity.town_id,
        "villages": [village.pk],
        "participants": 10,
        "beneficiaries": 0,
        "materials_distributed": 0,
        "consultations": 0,
        "attachments-TOTAL_FORMS": 1,
        "attachments-INITIAL_FORMS": 0,
        **ACTIVITY_INLINES,
        "attachments-0-title": "现场照片",
    }
    if upload is not None:
        data["attachments-0-file"] = upload
    return {**data, **extra}


def upload(client, activity, village, name, content):
    return client.post(
        f"/admin/federation/activity/{activity.pk}/change/",
        activity_form(activity, village, SimpleUploadedFile(name, content)),
    )


def test_clerk_attaches_a_photo_and_only_users_with_access_can_open_it(client_for, clerk, taiba, fenghe, client):
    activity = ActivityFactory(town=taiba.town, villages=[taiba])
    response = upload(client_for(clerk), activity, taiba, "照片.png", PNG)
    assert response.status_code == 302
    attachment = ActivityAttachment.objects.get(activity=activity)
    url = attachment.file.url
    assert url.startswith("/files/activities/")

    page = client.get(f"/admin/federation/activity/{activity.pk}/change/").content.decode()
    assert url in page
    opened = client.get(url)
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == PNG
    assert opened["Content-Type"] == "image/png"
    assert opened["Cache-Control"] == "private, no-store" and opened["X-Content-Type-Options"] == "nosniff"
    assert opened["Content-Disposition"].startswith("inline")
    from federation.core.models import RecordAccess

    logged = RecordAccess.objects.get(action="file")  # who took the file, and when
    assert (logged.record, logged.object_id) == ("federation.activityattachment", str(attachment.pk))

    stranger = UserFactory(username="fenghe_clerk", role=VILLAGE_CLERK)
    give_scope(stranger, taiba.town, villages=[fenghe])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_pdf_is_accepted_and_downloads_as_an_attachment(client_for, clerk, taiba):
    activity = ActivityFactory(town=taiba.town, villages=[taiba])
    client = client_for(clerk)
    assert upload(client, activity, taiba, "签到表.pdf", PDF).status_code == 302
    attachment = ActivityAttachment.objects.get(activity=activity)
    opened = client.get(attachment.file.url)
    assert opened.status_code == 200 and opened["Content-Disposition"].startswith("attachment")
    assert opened["Cache-Control"] == "private, no-store" and opened["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("病毒.exe", b"MZ" + b"\x00" * 10, "只能上传 JPEG、PNG 图片或 PDF 文件。"),
        ("假的.png", b"<html>not a png</html>", "文件内容不是 PNG 格式。"),
    ],
)
def test_wrong_files_are_refused_with_a_chinese_error(client_for, clerk, taiba, name, content, message):
    activity = ActivityFactory(town=taiba.town, villages=[taiba])
    response = upload(client_for(clerk), activity, taiba, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ActivityAttachment.objects.exists()


def test_a_file_over_the_cap_is_refused(client_for, clerk, taiba, settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    activity = ActivityFactory(town=taiba.town, villages=[taiba])
    client = client_for(clerk)
    response = upload(client, activity, taiba, "大.png", PNG.ljust(3 * 1024 * 1024, b"\x00"))
    # The file's size and the limit differ, so the message shows it names each.
    assert "文件大小为 3.0 MB，上限为 2 MB。" in response.content.decode()
    assert not ActivityAttachment.objects.exists()
    # A file of exactly the limit is taken.
    assert upload(client, activity, taiba, "刚好.png", PNG.ljust(2 * 1024 * 1024, b"\x00")).status_code == 302
    assert ActivityAttachment.objects.get().file.size == 2 * 1024 * 1024


def test_an_unknown_file_path_is_404(client_for, superuser):
    assert client_for(superuser).get("/files/activities/2024/01/none.png").status_code == 404


def test_a_deleted_records_file_leaves_the_disk_with_it(client_for, clerk, taiba, django_capture_on_commit_callbacks):
    from pathlib import Path

    from django.conf import settings

    from federation.core.history import delete_with_history

    activity = ActivityFactory(town=taiba.town, villages=[taiba])
    upload(client_for(clerk), activity, taiba, "照片.png", PNG)
    kept = ActivityAttachment.objects.create(
        activity=ActivityFactory(town=taiba.town), file=SimpleUploadedFile("留.png", PNG)
    )
    path = Path(settings.MEDIA_ROOT) / "protected" / ActivityAttachment.objects.get(activity=activity).file.name
    assert path.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        delete_with_history(activity, by=clerk)  # the activity, and with it its attachment
    assert not path.exists()
    assert (Path(settings.MEDIA_ROOT) / "protected" / kept.file.name).is_file()  # another's stays
