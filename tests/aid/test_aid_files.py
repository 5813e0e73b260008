"""Files of charity aid (issue 26 item 13): uploaded on the aid's page (a photo or a PDF under
the size cap), kept in the protected store and sent only to staff who may see the aid; another
village's clerk and an anonymous visitor get nothing. The aid's name says whom, when, what."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aid.models import CharityAid, CharityAidAttachment
from aid.services import aid_record_delete, charity_aid_save
from federation.core.roles import VILLAGE_CLERK
from tests.factories import UserFactory, give_scope

PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def aid(own_household):
    return charity_aid_save(
        aid=CharityAid(
            household=own_household, date=date(2024, 9, 9), drive="99公益日", amount=Decimal("500"), reason="因病致困"
        )
    )


def aid_form(aid, *files):
    data = {
        "household": aid.household_id,
        "date": aid.date.isoformat(),
        "drive": aid.drive,
        "charity_drive": "",
        "amount": str(aid.amount),
        "goods": "",
        "reason": aid.reason,
        "attachments-TOTAL_FORMS": str(len(files)),
        "attachments-INITIAL_FORMS": "0",
    }
    for index, (kind, upload) in enumerate(files):
        data |= {
            f"attachments-{index}-kind": kind,
            f"attachments-{index}-title": "",
            f"attachments-{index}-file": upload,
        }
    return data


def test_the_clerk_attaches_files_and_only_staff_of_the_village_open_them(client_for, clerk, fenghe, aid, client):
    assert str(aid) == "太坝户主 2024-09-09 99公益日"
    url = f"/admin/aid/charityaid/{aid.pk}/change/"
    response = client_for(clerk).post(
        url,
        aid_form(
            aid,
            ("id_copy", SimpleUploadedFile("身份证.png", PNG)),
            ("receipt", SimpleUploadedFile("签收单.pdf", PDF)),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    photo, receipt = CharityAidAttachment.objects.order_by("pk")
    assert (photo.kind, photo.uploaded_by, photo.history.get().history_user) == ("id_copy", clerk, clerk)
    assert str(receipt).startswith("领取签收单 ")  # its kind and day, not its file's name
    assert photo.file.url.startswith("/files/aid/") and receipt.file.url.startswith("/files/aid/")
    assert photo.file.url in client.get(url).content.decode()
    opened = client.get(photo.file.url)
    assert opened.status_code == 200 and b"".join(opened.streaming_content) == PNG
    assert opened["Cache-Control"] == "private, no-store"
    downloaded = client.get(receipt.file.url)
    assert downloaded.status_code == 200 and downloaded["Content-Disposition"].startswith("attachment")
    # Another village's clerk, and nobody logged in.
    stranger = UserFactory(username="fenghe_clerk", role=VILLAGE_CLERK)
    give_scope(stranger, aid.village.town, villages=[fenghe])
    client.force_login(stranger)
    assert client.get(photo.file.url).status_code == 404
    client.logout()
    assert client.get(photo.file.url).status_code == 302  # to the login page


def test_a_file_of_another_kind_is_refused_in_chinese(client_for, clerk, aid):
    response = client_for(clerk).post(
        f"/admin/aid/charityaid/{aid.pk}/change/", aid_form(aid, ("other", SimpleUploadedFile("病毒.exe", b"MZ")))
    )
    assert response.status_code == 200 and "只能上传 JPEG、PNG 图片或 PDF 文件。" in response.content.decode()
    assert not CharityAidAttachment.objects.exists()


def test_deleting_aid_deletes_its_files_naming_who(client_for, town_admin, aid):
    client_for(town_admin).post(
        f"/admin/aid/charityaid/{aid.pk}/change/", aid_form(aid, ("photo", SimpleUploadedFile("照片.png", PNG)))
    )
    attachment = CharityAidAttachment.objects.get()
    aid_record_delete(record=aid, by=town_admin)
    assert not CharityAidAttachment.objects.exists()
    assert CharityAidAttachment.history.get(id=attachment.pk, history_type="-").history_user == town_admin
