"""The inspection binder (issue 16): `manage.py ledger_binder` and the button on 统计报表 print
the year's ledgers as one PDF (and .xlsx) — cover, contents by the county's inspection
categories, each ledger paginated under its header with its own page numbers — read with the
reader's permissions. The PDF's text is read back with pypdf."""

import io
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from openpyxl import load_workbook

from federation.core import binder as ledger_binder
from federation.core.models import ReportLog, StaffScope, Town, Village
from federation.core.registry import BinderSection, registry
from federation.core.reporting import DateRange, ReportScope, Table
from federation.core.roles import TOWN_ADMIN, VILLAGE_CLERK
from federation.models import Activity
from tests.factories import UserFactory, pdf_pages, take_file

CATEGORIES = ["组织建设", "思想引领", "巾帼建功", "维权关爱", "家庭建设", "儿童工作"]


@pytest.fixture
def demo(demo_town, db):
    return Town.objects.get()


def pdf_text(data: bytes) -> tuple[list[str], int]:
    pages = pdf_pages(data)
    return pages, len(pages)


def staff(username, role, village=None, *extra):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    town = Town.objects.get()
    scope = StaffScope.objects.create(user=user, town=town, town_wide=village is None)
    if village is not None:
        scope.villages.add(village)
    for codename in extra:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_the_command_prints_the_demo_towns_year(demo, tmp_path):
    out = tmp_path / "binder.pdf"
    call_command("ledger_binder", "--year", "2024", "--purpose", "检查备档", "-o", str(out), stdout=io.StringIO())
    pages, count = pdf_text(out.read_bytes())
    text = "\n".join(pages)
    # Cover: the unit, the year and the signature lines.
    assert "站儿巷镇妇联" in pages[0] and "2024年度" in pages[0] and "盖章" in pages[0]
    # Contents: the six inspection categories in the county's order, each ledger with its page.
    contents = "\n".join(page for page in pages if "台账目录\u3000第" in page)
    assert contents.startswith("台账目录")
    positions = [contents.index(name) for name in CATEGORIES]
    assert positions == sorted(positions)
    for section in registry.binder_sections.values():
        assert section.title() in contents
    # The ledgers' headings and figures: the annual summary's 兑换积分 18510, an activity.
    assert "年度工作汇总" in text and "18510" in text
    first = Activity.objects.filter(date__year=2024).order_by("date", "pk").first()
    assert first.title in text
    # Each ledger's pages are numbered on their own, and the whole binder too.
    assert "第 1 页 共" in text
    assert f"总第 {count} 页 共 {count} 页" in pages[-1]
    # The contents' page number of a ledger is the page it starts on.
    titles = re.findall(r"^\s*\d+\. (\S+)$", contents, re.M)
    numbers = [int(n) for n in re.findall(r"^(\d+)$", contents, re.M)]
    assert len(titles) == len(numbers) == len(registry.binder_sections)
    for title, number in zip(titles, numbers, strict=True):
        assert title in pages[number - 1].splitlines()[0:3] or title in pages[number - 1], title
    assert numbers == sorted(numbers)
    assert ReportLog.objects.filter(report="ledger_binder", format="command-pdf").exists()


def test_a_long_ledger_repeats_its_header_on_every_page(db):
    header = ["日期", "户号", "户主", "事项", "积分"]
    rows = [["2024-01-01", f"TB-{n:04d}", "张三", "庭院整洁" * (1 + n % 7), n] for n in range(600)]
    section = BinderSection("long", lambda: "长台账", "family", 1, ())
    binder = ledger_binder.Binder(
        unit="站儿巷镇妇联",
        period=DateRange.year(2024),
        printed_on=DateRange.year(2024).end,
        chapters=[("家庭建设", [ledger_binder.Ledger(section, [("长台账", Table(header=header, rows=rows))])])],
    )
    buffer = io.BytesIO()
    count = ledger_binder.write_pdf(binder, buffer)
    pages, read = pdf_text(buffer.getvalue())
    assert count == read and count > 5
    ledger_pages = pages[2:]
    assert all("户号" in page and "户主" in page for page in ledger_pages)
    assert f"长台账\u3000第 {len(ledger_pages)} 页 共 {len(ledger_pages)} 页" in pages[-1]
    # Every row is printed once, none lost between pages.
    numbers = re.findall(r"TB-(\d{4})", "\n".join(ledger_pages))
    assert sorted(set(numbers)) == [f"{n:04d}" for n in range(600)]
    assert binder.rows == 600


def test_a_village_binder_holds_her_village_only(demo, tmp_path):
    taiba = Village.objects.get(name="太坝村")
    out = tmp_path / "taiba.pdf"
    call_command(
        "ledger_binder",
        "--year",
        "2024",
        "--purpose",
        "检查备档",
        "--village",
        "太坝村",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    pages, _count = pdf_text(out.read_bytes())
    text = "\n".join(pages)
    assert "站儿巷镇太坝村妇联" in pages[0]
    theirs = Activity.objects.filter(date__year=2024, villages__isnull=False).exclude(villages=taiba).first()
    ours = Activity.objects.filter(date__year=2024, villages=taiba).first()
    assert ours.title in text
    assert theirs.title not in text


def test_the_report_page_prints_the_binder_for_its_user(demo, client):
    admin = staff("binder_admin", TOWN_ADMIN)
    client.force_login(admin)
    page = client.get("/admin/reports/", {"report": "annual_summary", "year": "2024"})
    assert "/admin/reports/binder/?" in page.content.decode()
    response = take_file(client, "/admin/reports/binder/", {"year": "2024", "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pages, _count = pdf_text(response.content)
    assert "台账目录" in pages[1]
    log = ReportLog.objects.get(report="ledger_binder", user=admin)
    assert (log.format, log.filters["year"]) == ("pdf", ["2024"]) and log.rows > 0

    sheet = take_file(client, "/admin/reports/binder/", {"year": "2024", "format": "xlsx"})
    book = load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames[:2] == ["封面", "台账目录"]
    activities = book["活动记录"]
    assert activities.print_title_rows == "$1:$3"
    assert activities.page_setup.orientation == "landscape"
    assert activities.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert [cell.value for cell in activities[3]][:2] == ["日期", "标题"]


def test_a_bad_period_goes_back_to_the_form_and_a_stranger_is_refused(demo, client):
    client.force_login(staff("binder_admin", TOWN_ADMIN))
    response = take_file(client, "/admin/reports/binder/", {"year": "二〇二四", "format": "pdf"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/reports/?")
    assert take_file(client, "/admin/reports/binder/", {"year": "2024", "format": "docx"}).status_code == 404
    client.force_login(UserFactory(username="nobody", is_staff=True))
    assert client.get("/admin/reports/binder/", {"year": "2024"}).status_code == 403


def test_a_clerk_without_a_ledgers_permission_gets_it_left_out(demo, client):
    taiba = Village.objects.get(name="太坝村")
    clerk = staff("binder_clerk", VILLAGE_CLERK, taiba)
    clerk.groups.get(name=VILLAGE_CLERK).permissions.remove(Permission.objects.get(codename="view_honor"))
    client.force_login(clerk)
    response = take_file(client, "/admin/reports/binder/", {"year": "2024", "format": "pdf"})
    pages, _count = pdf_text(response.content)
    assert "站儿巷镇太坝村妇联" in pages[0]
    assert "未列入" in pages[1] and "表彰名单" in pages[1]


def test_the_binders_queries_do_not_grow_with_its_pages(demo, django_assert_max_num_queries):
    rs = ReportScope.of_user(UserFactory(is_superuser=True))
    with django_assert_max_num_queries(60 + 3 * len(registry.binder_sections)):
        binder = ledger_binder.compile_binder(rs, DateRange.year(2024), ledger_binder.unit_name(rs))
        ledger_binder.write_pdf(binder, io.BytesIO())


def test_id_numbers_are_masked_without_the_full_identity_permission(demo, tmp_path):
    from federation.core.identity import mask_id_number
    from federation.core.roles import CARE_RECORDER, HEALTH_RECORDER
    from health.models import Screening

    taiba = Village.objects.get(name="太坝村")
    screened = Screening.objects.filter(village=taiba, date__year=2024).select_related("person").first()
    number = screened.person.id_number
    clerk = staff("binder_health", VILLAGE_CLERK, taiba)
    clerk.groups.add(Group.objects.get(name=HEALTH_RECORDER), Group.objects.get(name=CARE_RECORDER))
    assert not clerk.has_perm("federation.view_full_identity")
    out = tmp_path / "clerk.pdf"
    call_command(
        "ledger_binder",
        "--year",
        "2024",
        "--purpose",
        "检查备档",
        "--user",
        clerk.username,
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    text = "\n".join(pdf_text(out.read_bytes())[0])
    assert screened.person.name in text and mask_id_number(number) in text
    assert number not in text
    # Not a digit of anyone's number past the region code, in any ledger of her binder.
    assert not re.search(r"\d{6}[0-9]{8}[0-9Xx]{4}", text)

    town = staff("binder_town", TOWN_ADMIN)
    out = tmp_path / "town.pdf"
    call_command(
        "ledger_binder",
        "--year",
        "2024",
        "--purpose",
        "检查备档",
        "--user",
        town.username,
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    assert number in "\n".join(pdf_text(out.read_bytes())[0])


def test_a_domestic_violence_case_prints_its_number_village_kind_and_status_only(demo, tmp_path):
    from aid.models import DisputeCase

    case = DisputeCase.objects.filter(kind=DisputeCase.Kind.DOMESTIC_VIOLENCE).first()
    parties = [person.name for person in case.parties.all()]
    out = tmp_path / "binder.pdf"
    call_command(
        "ledger_binder", "--year", "2024", "--purpose", "检查备档", "-o", str(out), stdout=io.StringIO()
    )  # the shell sees all
    # The ledger's own pages (each names it in its footer); the parties may be in other ledgers.
    pages = [page for page in pdf_text(out.read_bytes())[0] if "婚姻家庭矛盾纠纷排查化解台账\u3000第" in page]
    text = "\n".join(pages)
    assert case.number in text and "家庭暴力" in text
    assert parties and not any(name in text for name in parties)
    assert case.summary[:8] not in text
