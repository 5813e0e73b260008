"""The audit lists speak the clerk's language: names of rosters, reports, kinds of record,
formats and filters in Chinese, and each record opened named and linked for those who may
open it."""

import re
from datetime import date

from django.contrib.auth.models import Permission

from federation.core.models import ImportRecord
from health.models import Screening
from health.services import health_record_save
from tests.factories import PersonFactory, UserFactory, give_scope


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1])


def test_the_import_and_report_logs_name_what_was_done(client_for, town_admin):
    ImportRecord.objects.create(user=town_admin, resource="people", file_name="花名册.xlsx", sha256="0" * 64)
    client = client_for(town_admin)
    client.get("/admin/reports/?report=annual_summary&year=2024")
    imports = client.get("/admin/federation/importrecord/").content.decode()
    assert "人员花名册" in imports and ">people<" not in imports
    logs = client.get("/admin/federation/reportlog/").content.decode()
    assert "年度工作汇总" in logs and "年度：2024" in logs and "网页" in logs
    assert "annual_summary" not in visible(logs) and "html" not in visible(logs)


def test_a_record_opened_is_named_and_linked_for_those_who_may_open_it(client_for, town_admin, town, taiba):
    woman = PersonFactory(village=taiba, name="李秀英", born=date(1975, 8, 1))
    screening = health_record_save(
        record=Screening(person=woman, date=date(2024, 4, 1), institution="县妇幼", consent_by="李秀英"),
        by=None,
    )
    client = client_for(town_admin)
    assert client.get(f"/admin/health/screening/{screening.pk}/change/").status_code == 200
    accesses = client.get("/admin/federation/recordaccess/").content.decode()
    assert f'href="/admin/health/screening/{screening.pk}/change/"' in accesses
    assert "李秀英" in accesses and "两癌筛查记录" in accesses and "打开档案" in accesses
    assert "health.screening" not in visible(accesses) and "view" not in visible(accesses)
    # An auditor reads the log of the town but opens no health record: no name, no link.
    auditor = UserFactory(username="auditor")
    auditor.user_permissions.add(Permission.objects.get(codename="view_recordaccess"))
    give_scope(auditor, town, town_wide=True)
    listing = client_for(auditor).get("/admin/federation/recordaccess/").content.decode()
    assert f"两癌筛查记录 #{screening.pk}" in listing and "李秀英" not in listing


def test_an_audit_records_own_page_speaks_chinese_too(client_for, town_admin, taiba):
    woman = PersonFactory(village=taiba, name="李秀英", born=date(1975, 8, 1))
    screening = health_record_save(
        record=Screening(person=woman, date=date(2024, 4, 1), institution="县妇幼", consent_by="李秀英"),
        by=None,
    )
    ImportRecord.objects.create(user=town_admin, resource="people", file_name="花名册.xlsx", sha256="0" * 64)
    client = client_for(town_admin)
    client.get(f"/admin/health/screening/{screening.pk}/change/")
    client.get("/admin/reports/?report=annual_summary&year=2024")
    pages = {
        "importrecord": ("人员花名册",),
        "reportlog": ("年度工作汇总", "年度：2024", "网页"),
        "recordaccess": ("两癌筛查记录 #", "李秀英", "打开档案"),
    }
    for model, words in pages.items():
        listing = client.get(f"/admin/federation/{model}/")
        record = listing.context["cl"].result_list[0]
        page = visible(client.get(f"/admin/federation/{model}/{record.pk}/change/").content.decode())
        assert all(word in page for word in words), (model, page[-1500:])
        for raw in ("people", "annual_summary", "health.screening", '"year"', "html", "view"):
            assert raw not in page.split("修改或查看列表链接")[-1], (model, raw)
