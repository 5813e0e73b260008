"""One rule path from cell to database: every constraint of every model a roster writes is
met by a roster row that breaks it with a row error naming the Excel row and column — no
crash, no partial write. And the silent wrong data of issue 11 stays impossible: villages
that differ by their suffix, ledgers imported twice, template rows, totals, blank cells."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from aid.models import CareTarget
from aid.resources import CareTargetsResource
from crafts.models import Craftswoman
from crafts.resources import CraftSalesResource
from federation.core.importing import IdNumberWidget, TextWidget, discover
from federation.core.models import ImportRecord
from federation.models import Household, Person
from federation.resources import HouseholdsResource, PeopleResource
from health.models import HPVDose, Screening
from health.resources import HPVRosterResource, ScreeningsResource
from organization.models import Committee, CommitteeMember
from organization.resources import CommitteeRosterResource
from points.models import PointEntry, PointRule
from points.resources import PointEntriesResource
from tests.data.make_files import FENG, LI, WANG, WANG_GIRL, ZHAO
from tests.factories import VillageFactory

DATA = Path(__file__).resolve().parents[1] / "data"
WRITTEN = (Person, Household, PointEntry, HPVDose, Screening, CareTarget)


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


def run(resource, name_or_content, *, user=None, dry_run=False, again=False):
    if isinstance(name_or_content, bytes):
        data, name = name_or_content, "roster.csv"
    else:
        data, name = (DATA / name_or_content).read_bytes(), name_or_content
    return resource(user=user).import_file(data, name, dry_run=dry_run, again=again)


def errors(report):
    return [(error.row, error.column, error.message) for error in report.errors]


def csv(*lines: str) -> bytes:
    return "\n".join(lines).encode()


@pytest.fixture
def litter(town):
    return PointRule.objects.create(
        town=town, category=PointRule.Category.SANITATION, description="乱堆乱放", points=-20
    )


# --- Villages that differ only by their suffix ---------------------------------------


@pytest.fixture
def zhanerxiang(town):
    return VillageFactory(town=town, name="站儿巷村", sort_order=1), VillageFactory(
        town=town, name="站儿巷社区", kind="community", sort_order=13
    )


def test_the_exact_village_name_wins_and_a_bare_name_must_be_unique(taiba, fenghe, zhanerxiang):
    village, community = zhanerxiang
    report = run(PeopleResource, "villages_suffix.csv", dry_run=True)
    assert errors(report) == [
        (4, "村(社区)", "“站儿巷”可能是站儿巷村、站儿巷社区，请写全称。"),
        (5, "村(社区)", "本镇没有“太平村”。本镇的村(社区)有：站儿巷村、太坝村、冯河村、站儿巷社区。"),
    ]
    report = run(PeopleResource, "villages_exact.csv")
    assert report.errors == [] and report.new == 2
    assert Person.objects.get(id_number=WANG).village == village
    assert Person.objects.get(id_number=LI).village == community
    # A bare name that names one village only is still that village.
    bare = run(PeopleResource, csv("姓名,公民身份号码,村(社区)", f"赵桂兰,{ZHAO},太坝"))
    assert bare.errors == [] and Person.objects.get(id_number=ZHAO).village == taiba


def test_the_systems_own_export_of_a_village_imports_unchanged(taiba, fenghe, zhanerxiang, superuser):
    village, community = zhanerxiang
    assert run(PeopleResource, "villages_exact.csv").errors == []
    households = dict(Household.objects.values_list("pk", "village_id"))
    exported = PeopleResource(user=superuser).export(Person.objects.filter(village=village)).export("csv")
    report = run(PeopleResource, exported.encode("utf-8"), user=superuser)
    assert (report.errors, report.new, report.updated, report.unchanged) == ([], 0, 0, 1)
    wang = Person.objects.get(id_number=WANG)
    assert wang.village == village and wang.household.head == wang
    assert dict(Household.objects.values_list("pk", "village_id")) == households
    assert Person.objects.count() == 2


def test_an_unknown_village_and_one_outside_the_scope_say_different_things(taiba, fenghe, clerk):
    content = csv("姓名,公民身份号码,村(社区)", f"冯强,{FENG},冯河村", f"赵桂兰,{ZHAO},太平村")
    report = run(PeopleResource, content, user=clerk, dry_run=True)
    assert errors(report) == [
        (2, "村(社区)", "村(社区)“冯河村”不在您负责的范围内。"),
        (3, "村(社区)", "本镇没有“太平村”。本镇的村(社区)有：太坝村、冯河村。"),
    ]


def test_the_command_matches_its_village_option_the_same_way(taiba, fenghe, zhanerxiang, capsys):
    with pytest.raises(CommandError, match="可能是站儿巷村、站儿巷社区"):
        call_command("import_data", "people", str(DATA / "people_utf8.csv"), "--village", "站儿巷")


# --- Ledgers imported twice ---------------------------------------------------------


def test_point_entries_imported_twice_award_once(people, yard, taiba):
    first = run(PointEntriesResource, "point_entries.csv")
    assert (first.errors, first.new) == ([], 3)
    record = ImportRecord.objects.get(resource="point_entries", applied=True)
    refused = run(PointEntriesResource, "point_entries.csv", dry_run=True)
    when = timezone.localtime(record.created_at).strftime("%Y-%m-%d %H:%M")
    assert errors(refused) == [
        (None, "", f"该文件已于{when}导入（导入记录 #{record.pk}）。如确需再次导入，请勾选“再次导入”。")
    ]
    again = run(PointEntriesResource, "point_entries.csv", again=True)
    assert (again.errors, again.new, again.unchanged) == ([], 0, 3)
    assert PointEntry.objects.count() == 3
    wang = Household.objects.get(head__id_number=WANG)
    assert wang.points_balance == 20
    # One more line beside the three held: only it is new.
    more = (DATA / "point_entries.csv").read_bytes() + f"{WANG},庭院干净整洁,10,2024-05-01,\r\n".encode()
    report = run(PointEntriesResource, more)
    assert (report.errors, report.new, report.unchanged) == ([], 1, 3)
    wang.refresh_from_db()
    assert wang.points_balance == 30


def test_the_hpv_roster_imported_twice_adds_no_reason(people):
    assert run(HPVRosterResource, "hpv_roster.xlsx").errors == []
    again = run(HPVRosterResource, "hpv_roster.xlsx", again=True)
    assert (again.errors, again.new, again.unchanged) == ([], 0, 3)
    assert apps.get_model("health", "HPVDeferral").objects.count() == 1


# --- Rows that are not data, blank required cells -----------------------------------


def test_a_total_row_is_skipped_and_listed(taiba, fenghe):
    report = run(PeopleResource, "people_total_row.xlsx")
    assert (report.errors, report.new, report.ignored_rows) == ([], 4, [(6, "合计行")])


def cell(column, blank: str) -> str:
    """A row whose only blank required cell is `blank` (a plain text cell keeps it a row)."""
    if column.attribute == blank:
        return ""
    if isinstance(column.widget, IdNumberWidget):
        return FENG
    return "1" if isinstance(column.widget, TextWidget) and not column.required else ""


def test_a_blank_required_cell_is_a_row_error_in_every_roster(people):
    report = run(ScreeningsResource, "screenings_blank_required.csv")
    assert errors(report) == [(2, "筛查日期", "筛查日期为必填项。"), (3, "筛查机构", "筛查机构为必填项。")]
    assert not Screening.objects.exists()
    for name, resource in discover().items():
        columns = resource().columns()
        header = ",".join(column.column_name for column in columns)
        for blank in (column.attribute for column in columns if column.required):
            row = ",".join(cell(column, blank) for column in columns)
            report = run(resource, csv(header, row), dry_run=True)
            column = next(c.column_name for c in columns if c.attribute == blank)
            # A row error on the blank column: not a crash, not a file error.
            assert (2, column) in [(error.row, error.column) for error in report.errors], (name, errors(report))


def test_import_data_checks_the_import_permission_and_names_ignored_columns(taiba, fenghe, county_reader, capsys):
    with pytest.raises(CommandError, match="没有导入"):
        call_command("import_data", "people", str(DATA / "people_utf8.csv"), "--user", "county")
    assert not Person.objects.exists()
    call_command("import_data", "people", str(DATA / "people_title_rows.xlsx"), "--dry-run")
    out = capsys.readouterr().out
    assert "未读取的列：序号、备注" in out


# --- Every constraint of every model a roster writes --------------------------------

# (roster, constraint, file, the (row, column) of the error)
CASES = [
    (
        PeopleResource,
        "federation_person_unique_id_number",
        csv("姓名,公民身份号码,村(社区)", f"王建国,{WANG},太坝", f"王建国,{WANG},太坝"),
        (3, "公民身份号码"),
    ),
    (
        PeopleResource,
        "federation_person_sex_matches_id",
        csv("姓名,公民身份号码,性别,村(社区)", f"冯强,{FENG},女,太坝"),
        (2, "性别"),
    ),
    (
        PeopleResource,
        "federation_person_birth_date_matches_id",
        csv("姓名,公民身份号码,出生日期,村(社区)", f"冯强,{FENG},1981-11-11,太坝"),
        (2, "出生日期"),
    ),
    (
        HouseholdsResource,
        "federation_household_unique_number",
        csv("户主身份证号,户号,村(社区)", f"{ZHAO},TAKEN,太坝"),
        (2, "户号"),
    ),
    (
        PointEntriesResource,
        "points_pointentry_balance_not_negative",
        csv("户主身份证号,积分事项,日期", f"{WANG},乱堆乱放,2024-03-01"),
        (2, "分值"),
    ),
    (
        HPVRosterResource,
        "health_hpvdose_unique_dose_number",
        csv(
            "身份证号,剂次,接种日期,疫苗,接种单位,监护人,同意日期",
            f"{WANG_GIRL},1,2024-05-10,国产二价,镇卫生院,王建国,2024-05-06",
            f"{WANG_GIRL},1,2024-06-10,国产二价,镇卫生院,王建国,2024-06-06",
        ),
        (3, "剂次"),
    ),
    (
        HPVRosterResource,
        "health_hpvdose_dose_number_range",
        csv(
            "身份证号,剂次,接种日期,疫苗,接种单位,监护人,同意日期",
            f"{WANG_GIRL},4,2024-05-10,四价,卫生院,王,2024-05-06",
        ),
        (2, "剂次"),
    ),
    (
        HPVRosterResource,
        "health_hpvdose_guardian_consent",
        csv(
            "身份证号,剂次,接种日期,疫苗,接种单位,监护人,同意日期",
            f"{WANG_GIRL},1,2024-05-10,四价,卫生院,王,2024-05-16",
        ),
        (2, "同意日期"),
    ),
    (
        ScreeningsResource,
        "health_screening_result_needs_consent",
        csv("身份证号,筛查日期,筛查机构,筛查结果", f"{LI},2024-04-18,县妇幼保健院,未见异常"),
        (2, "筛查结果"),
    ),
    (
        ScreeningsResource,
        "health_screening_recheck_after_result",
        csv("身份证号,筛查日期,筛查机构,复查结果", f"{LI},2024-04-18,县妇幼保健院,未见异常"),
        (2, "筛查结果"),
    ),
    (
        CareTargetsResource,
        "aid_caretarget_one_open_per_category",
        csv("身份证号,类别,纳入日期", f"{WANG_GIRL},留守儿童,2024-03-01", f"{WANG_GIRL},留守儿童,2024-03-01"),
        (3, "身份证号"),
    ),
    (
        CraftSalesResource,
        "crafts_craftsale_amount_not_negative",
        csv("身份证号,日期,渠道,金额", f"{LI},2024-05-10,直播带货,-120"),
        (2, "金额"),
    ),
    (
        CommitteeRosterResource,
        "organization_member_left_after_joined",
        csv("村(社区),姓名,身份证号,职务,任职日期,离任日期", f"太坝,李秀英,{LI},执委,2024-03-01,2023-03-01"),
        (2, "离任日期"),
    ),
    (
        CommitteeRosterResource,
        "organization_member_one_seat",
        csv(
            "村(社区),姓名,身份证号,职务,任职日期",
            f"太坝,李秀英,{LI},执委,2024-03-01",
            f"太坝,李秀英,{LI},副主席,2024-03-01",
        ),
        (3, "姓名"),
    ),
]
# Constraints no roster column can break, and why.
NOT_WRITTEN_BY_A_ROSTER = {
    "federation_household_balance_not_negative": "balances change only through the points services",
    "points_pointentry_points_not_zero": "a line's points are its rule's, and a rule of 0 points is refused",
    "points_pointentry_reversal_points_back": "rosters award and deduct; they never reverse",
    "aid_caretarget_until_after_since": "the care roster has no end-date column",
    "crafts_craftswoman_one_per_person": "the register roster updates a woman already on it (keyed by ID number)",
    "organization_member_person_or_name": "the committee roster's 姓名 is required",
}


def test_every_constraint_of_a_rostered_model_has_a_case():
    constraints = {
        constraint.name for resource in discover().values() for constraint in resource.Meta.model._meta.constraints
    }
    assert constraints == {case[1] for case in CASES} | set(NOT_WRITTEN_BY_A_ROSTER)


@pytest.mark.parametrize(("resource", "constraint", "content", "where"), CASES, ids=[case[1] for case in CASES])
def test_a_row_breaking_a_constraint_is_a_row_error_and_nothing_is_written(
    people, yard, litter, taiba, resource, constraint, content, where
):
    if resource is HouseholdsResource:  # 赵桂兰's household asks for the number 王建国's has
        Household.objects.filter(head__id_number=WANG).update(number="TAKEN")
    if resource is CraftSalesResource:  # a sale is of a woman on the register
        Craftswoman.objects.create(person=Person.objects.get(id_number=LI), joined_on="2024-01-01")
    if resource is CommitteeRosterResource:  # a member is seated on her village's committee
        Committee.objects.create(town=taiba.town, village=taiba, elected_on="2021-06-18", next_election_on="2026-06-18")
    before = [model.objects.count() for model in (*WRITTEN, CommitteeMember)]
    for dry_run in (True, False):
        report = run(resource, content, dry_run=dry_run)
        found = [(error.row, error.column) for error in report.errors]
        assert where in found, (constraint, errors(report))
        assert all(error.message for error in report.errors)
        assert [model.objects.count() for model in (*WRITTEN, CommitteeMember)] == before
    assert ImportRecord.objects.filter(applied=False).exists()


def test_each_row_updates_only_its_own_changed_columns(people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report = run(PeopleResource, "people_renamed.csv")
    assert (report.errors, report.updated, report.unchanged) == ([], 2, 2)
    # Each UPDATE statement sets the columns its rows change, never the union of all rows'.
    updates = [query["sql"] for query in queries if 'UPDATE "federation_person" SET' in query["sql"]]
    assignments = [re.split(r" FROM | WHERE ", update.split(" SET ", 1)[1])[0] for update in updates]
    columns = [set(re.findall(r'"(\w+)" = ', assignment)) for assignment in assignments]
    assert sorted(map(sorted, columns)) == [["name"], ["phone"]]


def test_a_workbook_with_a_cover_sheet_and_merged_household_cells(taiba, fenghe):
    report = run(PeopleResource, "reading_cover_sheet.xlsx")
    assert (report.errors, report.new, report.sheet, report.header_row) == ([], 4, "花名册", 2)
    wang, li, girl, zhao = (Person.objects.get(id_number=number) for number in (WANG, LI, WANG_GIRL, ZHAO))
    # 村 and 户主身份证号 merged down over a family: every member is in the household.
    assert wang.household == li.household == girl.household != zhao.household
    assert wang.household.head == wang and zhao.household.head == zhao
    assert {wang.village, li.village, girl.village, zhao.village} == {taiba}


def test_an_old_xls_with_merged_cells_too(taiba, fenghe):
    report = run(PeopleResource, "reading_merged.xls")
    assert (report.errors, report.new) == ([], 3)
    wang, li = Person.objects.get(id_number=WANG), Person.objects.get(id_number=LI)
    assert wang.household == li.household and wang.household.head == wang


@pytest.mark.parametrize("name", sorted(discover()))
def test_every_templates_example_row_shows_labels_and_is_never_imported(name, people, yard):
    import io

    import openpyxl

    from federation.core.importing import ChoiceWidget, build_template
    from federation.core.models import Village

    resource = discover()[name]
    content = build_template(resource, Village.objects.all())
    example = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(content)).active[4]]
    columns = resource().columns()
    for column, value in zip(columns, example, strict=False):
        if isinstance(column.widget, ChoiceWidget) and value:
            assert value in {str(label) for _code, label in column.widget.choices}, (column.column_name, value)
    assert example[len(columns)].startswith("示例")
    counts = [model.objects.count() for model in WRITTEN]
    report = run(resource, content)
    assert [str(error) for error in report.errors] == ["文件中只有示例行或合计行，没有数据行。"]
    assert counts == [
        model.objects.count() for model in (Person, Household, PointEntry, HPVDose, Screening, CareTarget)
    ]


def test_a_birth_month_is_compared_with_the_id_numbers_year_and_month(taiba, fenghe):
    report = run(PeopleResource, "people_birth_month.csv", dry_run=True)
    assert errors(report) == [(6, "出生年月", "出生日期与身份证号不符（身份证号显示为 1980-11-11）。")]
    good = run(PeopleResource, (DATA / "people_birth_month.csv").read_bytes().rsplit(b"\r\n", 2)[0] + b"\r\n")
    assert (good.errors, good.new) == ([], 4)
    assert Person.objects.get(id_number=WANG).birth_date.isoformat() == "1970-05-01"
    cells = run(PeopleResource, "people_birth_month.xlsx", again=True)
    assert (cells.errors, cells.unchanged) == ([], 1)


def test_someone_registered_in_another_village_is_told_what_to_do(taiba, fenghe, clerk):
    run(PeopleResource, csv("姓名,公民身份号码,村(社区)", f"冯强,{FENG},冯河"))
    report = run(PeopleResource, csv("姓名,公民身份号码,村(社区)", f"冯强,{FENG},太坝"), user=clerk)
    assert errors(report) == [
        (
            2,
            "公民身份号码",
            "该身份证号已登记在您不负责的村(社区)。如此人已迁入本村，请联系其原所在村(社区)的妇联"
            "将其标记为“已迁出”后再导入；否则请删除这一行。",
        )
    ]


def test_a_database_error_is_a_file_error_never_a_server_error(taiba, fenghe, monkeypatch):
    from django.db import DataError

    import federation.core.importing.writing as writing

    def refuse(*args, **kwargs):
        raise DataError("invalid byte sequence")

    monkeypatch.setattr(writing, "insert_rows", refuse)
    report = run(PeopleResource, "people_utf8.csv")
    assert [str(error) for error in report.errors] == [
        "文件未能导入，没有写入任何数据。请把文件和导入时间告诉系统管理员。"
    ]
    assert not Person.objects.exists() and ImportRecord.objects.get().applied is False


@pytest.mark.parametrize("name", sorted(discover()))
def test_an_old_templates_example_row_without_its_mark_is_skipped_and_listed(name, people, yard):
    """Issue 24: templates made before the example mark carry the same example (张秀英 and her
    fixed ID number); importing one must not create her. Old templates wrote choices as labels
    or as codes: both are the example."""
    import io

    import openpyxl

    from federation.core.importing import build_template
    from federation.core.models import Village

    resource = discover()[name]
    book = openpyxl.load_workbook(io.BytesIO(build_template(resource, Village.objects.filter(name="太坝村"))))
    sheet = book.active
    columns = resource().columns()
    sheet.cell(row=4, column=len(columns) + 1).value = None  # the mark, which old templates lacked
    buffer = io.BytesIO()
    book.save(buffer)
    counts = [model.objects.count() for model in WRITTEN]
    report = run(resource, buffer.getvalue())
    assert [str(error) for error in report.errors] == ["文件中只有示例行或合计行，没有数据行。"]
    assert report.ignored_rows == [(4, "示例行")]
    assert counts == [model.objects.count() for model in WRITTEN]
