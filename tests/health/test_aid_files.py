"""Files of a two-cancer aid application (issue 26 item 13): the diagnosis certificate, invoices,
an ID copy, uploaded on the application's page, sent only to staff with the health role in the
woman's village, and kept as they were once the application is decided."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from federation.core.roles import HEALTH_RECORDER, VILLAGE_CLERK
from health.models import CancerAidApplication, CancerAidAttachment
from health.services import (
    cancer_aid_approve,
    cancer_aid_attachment_delete,
    cancer_aid_attachment_save,
    cancer_aid_submit,
    health_record_delete,
)
from tests.factories import UserFactory, give_scope

PDF = b"%PDF-1.4\n%%EOF\n"
DAY = date(2024, 5, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def application(woman):
    return cancer_aid_submit(
        application=CancerAidApplication(
            person=woman,
            diagnosis="宫颈癌晚期",
            hospital="省妇幼",
            medical_costs=Decimal("30000"),
            amount_requested=Decimal("10000"),
            submitted_on=DAY,
        ),
        by=None,
    )


def application_form(application, *files):
    data = {
        "person": application.person_id,
        "diagnosis": application.diagnosis,
        "hospital": application.hospital,
        "medical_costs": str(application.medical_costs),
        "amount_requested": str(application.amount_requested),
        "submitted_on": application.submitted_on.isoformat(),
        "notes": "",
        "attachments-TOTAL_FORMS": str(len(files)),
        "attachments-INITIAL_FORMS": "0",
    }
    for index, (kind, upload) in enumerate(files):
        prefix = f"attachments-{index}-"
        data |= {f"{prefix}kind": kind, f"{prefix}title": "", f"{prefix}file": upload}
    return data


def upload(client, application, name="诊断证明.pdf", kind="diagnosis"):
    return client.post(
        f"/admin/health/canceraidapplication/{application.pk}/change/",
        application_form(application, (kind, SimpleUploadedFile(name, PDF))),
    )


def test_the_health_clerk_attaches_the_diagnosis_and_only_the_villages_health_staff_open_it(
    client_for, health_clerk, fenghe, application, client
):
    assert upload(client_for(health_clerk), application).status_code == 302
    attachment = CancerAidAttachment.objects.get()
    assert (attachment.application, attachment.uploaded_by) == (application, health_clerk)
    assert str(attachment).startswith("诊断证明 ") and "宫颈癌" not in str(attachment)
    url = attachment.file.url
    assert url.startswith("/files/health/")
    assert url in client.get(f"/admin/health/canceraidapplication/{application.pk}/change/").content.decode()
    opened = client.get(url)
    assert opened.status_code == 200 and b"".join(opened.streaming_content) == PDF
    assert opened["Content-Disposition"].startswith("attachment") and opened["Cache-Control"] == "private, no-store"
    # Another village's health clerk, a clerk of her village without the health role (a second
    # clerk: health_clerk is the 太坝 clerk given the role), nobody.
    town = application.village.town
    clerk = UserFactory(username="taiba_plain", role=VILLAGE_CLERK)
    give_scope(clerk, town, villages=[application.village])
    stranger = UserFactory(username="fenghe_health", role=VILLAGE_CLERK)
    stranger.groups.add(Group.objects.get(name=HEALTH_RECORDER))
    give_scope(stranger, town, villages=[fenghe])
    for user in (stranger, clerk):
        client.force_login(user)
        assert client.get(url).status_code == 404, user.username
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_a_decided_application_keeps_its_files_as_they_were(client_for, town_admin, application):
    client = client_for(town_admin)
    assert upload(client, application).status_code == 302
    attachment = CancerAidAttachment.objects.get()
    cancer_aid_approve(application=application, amount=Decimal("8000"), day=date(2024, 6, 1), by=town_admin)
    message = "该申报目前为“审核通过”，不能再添加、修改或删除其附件。"
    new = CancerAidAttachment(application=application, kind="invoice", file=SimpleUploadedFile("票据.pdf", PDF))
    for write in (
        lambda: cancer_aid_attachment_save(attachment=new, by=town_admin),
        lambda: cancer_aid_attachment_delete(attachment=attachment, by=town_admin),
    ):
        with pytest.raises(ValidationError) as error:
            write()
        assert error.value.messages == [message]
    # Its page is read only: the file is shown as a link, no field takes another.
    page = client.get(f"/admin/health/canceraidapplication/{application.pk}/change/").content.decode()
    assert attachment.file.url in page and 'type="file"' not in page
    assert upload(client, application, "另一份.pdf").status_code == 403
    assert CancerAidAttachment.objects.count() == 1


def test_a_file_that_is_no_pdf_is_refused_in_chinese(client_for, health_clerk, application):
    response = upload(client_for(health_clerk), application, "诊断.png")
    assert response.status_code == 200 and "文件内容不是 PNG 格式。" in response.content.decode()
    assert not CancerAidAttachment.objects.exists()


def test_deleting_a_waiting_application_deletes_its_files_naming_who(client_for, town_admin, application):
    upload(client_for(town_admin), application)
    attachment = CancerAidAttachment.objects.get()
    health_record_delete(record=application, by=town_admin)
    assert not CancerAidAttachment.objects.exists()
    assert CancerAidAttachment.history.get(id=attachment.pk, history_type="-").history_user == town_admin
