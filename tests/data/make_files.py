"""Write the roster files the import tests read. Run it again only to change them:
`python tests/data/make_files.py`. Every ID number is synthetic with a valid check character."""

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import xlwt

HERE = Path(__file__).resolve().parent
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(born: date, serial: int) -> str:
    first17 = f"621228{born:%Y%m%d}{serial:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


# Two households of 太坝, one of 冯河. Odd serials are men, even serials women.
WANG = id_number(date(1970, 5, 1), 11)  # 王建国, head
LI = id_number(date(1972, 8, 9), 22)  # 李秀英, his wife
WANG_GIRL = id_number(date(2012, 3, 1), 32)  # 王小花, their daughter (HPV age in 2024)
ZHAO = id_number(date(1958, 1, 20), 42)  # 赵桂兰, head of her own household
FENG = id_number(date(1980, 11, 11), 51)  # 冯强, head in 冯河
FENG_ROW = ["冯强", FENG, "男", "1980-11-11", "13800000005", "冯河", "1组", FENG, "户主"]

HEADER = ["姓名", "公民身份号码", "性别", "出生日期", "联系电话", "村(社区)", "村民小组", "户主身份证号", "与户主关系"]
PEOPLE = [
    ["王建国", WANG, "男", "1970-05-01", "13800000001", "太坝", "1组", WANG, "户主"],
    ["李秀英", LI, "女", "1972/8/9", "13800000002", "太坝村", "1组", WANG, "妻子"],
    ["王小花", WANG_GIRL, "女", "2012年3月1日", "", "太坝", "1组", WANG, "女儿"],
    ["赵桂兰", ZHAO, "女", "19580120", "0939-4123456", "太坝", "2组", ZHAO, "本人"],
]


def write_csv(name: str, rows: list[list], encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    (HERE / name).write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(name: str, rows: list[list], *, title: bool = False, text_columns=(), formats=None) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    offset = 0
    if title:
        sheet.append(["太坝村人员花名册"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
        sheet.append(["填报单位：太坝村妇联", None, None, None, "填报日期：2024年12月"])
        offset = 2
    for row in rows:
        sheet.append(row)
    for column in text_columns:
        for cell in sheet[column][offset:]:
            cell.number_format = "@"
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    book.save(HERE / name)


def main() -> None:
    roster_files()
    # The good files: the same four people in every format and spelling.
    write_csv("people_utf8.csv", [HEADER, *PEOPLE])
    write_csv("people_utf8_bom.csv", [HEADER, *PEOPLE], "utf-8-sig")
    write_csv("people_gbk.csv", [HEADER, *PEOPLE], "gbk")
    spellings = {
        "people_spelling_a.csv": ["姓名", "身份证号", "性别", "出生年月", "电话", "村", "组", "户主身份证号", "关系"],
        "people_spelling_b.csv": [
            "姓名",
            "身份证号码",
            "性别",
            "出生日期",
            "手机号",
            "所属村",
            "村民小组",
            "户主身份证号码",
            "与户主关系",
        ],
        "people_spelling_c.csv": [
            "姓 名",
            "身份证",
            "性别",
            "出生年月",
            "联系电话",
            "村居",
            "村民小组",
            "户主身份证",
            "与户主关系",
        ],
        "people_spelling_d.csv": [
            "姓名",
            "公民身份号码",
            "性别",
            "出生日期",
            "联系电话",
            "所属村(社区)",
            "村民小组",
            "户主身份证号",
            "与户主关系",
        ],
        # Spellings seen in real village files.
        "people_spelling_e.csv": [
            "姓名",
            "公民身份证号码",
            "性别",
            "出生日期",
            "联系电话（手机）",
            "所在村",
            "所在组",
            "户主公民身份证号码",
            "与户主关系",
        ],
    }
    for name, header in spellings.items():
        write_csv(name, [header, *PEOPLE])

    # Title rows above the header, a merged title, unknown columns, a blank row, an Excel
    # date serial, a birth date cell formatted as a date, a phone typed as a number.
    header = ["序号", *HEADER, "备注"]
    rows = [[index, *person, ""] for index, person in enumerate(PEOPLE, start=1)]
    rows[0][4] = 25689  # 1970-05-01 as an unformatted Excel serial
    rows[1][4] = date(1972, 8, 9)
    rows[1][5] = 13800000002  # a number cell: must come back without ".0"
    rows.insert(2, [None] * len(header))  # a blank row, skipped
    write_xlsx("people_title_rows.xlsx", [header, *rows], title=True, text_columns=("C", "I"))

    book = xlwt.Workbook()
    sheet = book.add_sheet("花名册")
    for r, row in enumerate([HEADER, *PEOPLE]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(HERE / "people.xls"))

    # A re-import in which one phone changed.
    changed = [list(person) for person in PEOPLE]
    changed[3][4] = "13900009999"
    write_csv("people_phone_changed.csv", [HEADER, *changed])

    # Bad files: each has one kind of mistake, on a row the test names.
    as_number = [list(person) for person in PEOPLE]
    as_number[1][1] = float(LI)  # Excel already rounded it
    write_xlsx("people_id_as_number.xlsx", [HEADER, *as_number])

    bad = [list(person) for person in PEOPLE]
    bad[2][1] = WANG_GIRL[:-1] + ("1" if WANG_GIRL[-1] != "1" else "2")
    write_csv("people_bad_check.csv", [HEADER, *bad])

    duplicate = [list(person) for person in PEOPLE] + [["王建民", WANG, "男", "", "", "太坝", "1组", WANG, "户主"]]
    write_csv("people_duplicate_id.csv", [HEADER, *duplicate])

    unknown = [list(person) for person in PEOPLE]
    unknown[3][5] = "不存在村"
    write_csv("people_unknown_village.csv", [HEADER, *unknown])

    contradicts = [list(person) for person in PEOPLE]
    contradicts[1][2] = "男"
    write_csv("people_sex_contradicts.csv", [HEADER, *contradicts])

    other_village = [*PEOPLE, ["冯强", FENG, "男", "", "13800000005", "冯河", "3组", FENG, "户主"]]
    write_csv("people_other_village.csv", [HEADER, *other_village])

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for person in PEOPLE:
        sheet.append(person)
    sheet["E3"] = "=A1&B1"  # a formula openpyxl saves without a computed value
    book.save(HERE / "people_formula_blank.xlsx")

    # Households: the two heads above, with numbers and addresses.
    write_xlsx(
        "households.xlsx",
        [
            ["户主身份证号", "户号", "村(社区)", "村民小组", "地址"],
            [WANG, "TB-0001", "太坝", "1组", "太坝村1组18号"],
            [ZHAO, "TB-0002", "太坝", "2组", "太坝村2组3号"],
        ],
        text_columns=("A",),
    )

    # A zip bomb: a tiny .xlsx whose sheet unpacks to 150 MB.
    with zipfile.ZipFile(HERE / "zip_bomb.xlsx", "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"<row><c><v>0</v></c></row>" * 40000
            for _ in range(150):
                member.write(chunk)
    health_files()
    value_files()
    reading_files()


def health_files() -> None:
    """The HPV roster and a screening list of the people above."""
    header = [
        "女童姓名",
        "身份证号",
        "剂次",
        "接种日期",
        "疫苗",
        "接种单位",
        "监护人",
        "同意日期",
        "未接种原因",
        "登记日期",
        "再次询问日期",
    ]
    write_xlsx(
        "hpv_roster.xlsx",
        [
            header,
            # Dose 2 before dose 1 in the file: the order is checked over the whole file.
            [
                "王小花",
                WANG_GIRL,
                "第2剂",
                "2024-11-20",
                "国产二价",
                "镇卫生院",
                "王建国",
                "2024-11-18",
                None,
                None,
                None,
            ],
            ["王小花", WANG_GIRL, 1, "2024/5/10", "国产二价", "镇卫生院", "王建国", "2024/5/8", None, None, None],
            ["赵桂兰", ZHAO, None, None, None, None, None, None, "感冒吃药", "2024-06-01", "2024-08-01"],
        ],
        title=True,
        text_columns=("B",),
    )
    write_xlsx(
        "hpv_roster_bad.xlsx",
        [
            header,
            ["王小花", WANG_GIRL, 1, "2011-05-10", "国产二价", "镇卫生院", "王建国", "2011-05-08", None, None, None],
            ["王建国", WANG, 1, "2024-05-10", "四价", "镇卫生院", "王建国", "2024-05-08", None, None, None],
            ["李秀英", LI, 1, "2024-05-10", "四价", "镇卫生院", "", "", None, None, None],
        ],
        title=True,
        text_columns=("B",),
    )
    write_csv(
        "screenings.csv",
        [
            ["姓名", "身份证号", "筛查日期", "筛查项目", "筛查机构", "是否免费", "知情同意人", "同意日期", "筛查结果"],
            ["李秀英", LI, "2024-04-18", "两癌", "县妇幼保健院", "是", "李秀英", "2024-04-18", "未见异常"],
            ["赵桂兰", ZHAO, "2024-04-18", "宫颈癌", "县妇幼保健院", "否", "", "", ""],
        ],
    )


# 陈德福's household of 太坝: one of each relation a clerk meets, written as households write them.
CHEN = id_number(date(1950, 3, 15), 71)
VALUES_PEOPLE = [
    # name, ID number, birth date, phone, relation
    ("陈德福", CHEN, "18337", "+86 138 0000 1001", "户主"),  # the birth date is an Excel serial kept as text
    ("刘桂香", id_number(date(1952, 6, 20), 82), "1952-06-20", "0086-138-0000-1002", "妻子"),
    ("陈建军", id_number(date(1975, 1, 8), 91), "", "024 2038 5104", "长子"),
    ("张丽", id_number(date(1977, 9, 9), 102), "", "(0939)4123456", "儿媳妇"),
    ("陈小宇", id_number(date(2005, 4, 4), 111), "", "１３８００００１００５", "孙子"),
    ("陈小梅", id_number(date(2008, 8, 8), 122), "", "", "孙女"),
    ("陈小红", id_number(date(1980, 12, 12), 142), "", "", "次女"),
    ("王大伟", id_number(date(1978, 2, 2), 131), "", "", "女婿"),
    ("王乐乐", id_number(date(2010, 10, 10), 151), "", "", "外孙"),
    ("王欢欢", id_number(date(2012, 12, 1), 162), "", "", "外孙女"),
    ("陈德贵", id_number(date(1955, 5, 5), 171), "", "", "弟弟"),
    ("陈德兰", id_number(date(1958, 8, 18), 182), "", "", "妹妹"),
    ("马秀珍", id_number(date(1928, 2, 2), 202), "", "", "母亲"),
    ("李秀莲", id_number(date(1965, 6, 6), 192), "", "", "保姆"),
]
# What copying from WeChat, web pages and Word leaves inside an ID number, one kind a person.
INVISIBLE = ["", "\u200b", "\u00a0", "\ufeff", "\u200c", "\u200d", "\u2060", "\u3000"]


def value_files() -> None:
    """Cells as households and other programs write them: odd phones, invisible characters,
    ID numbers Excel turned into numbers, control characters, names GBK could not hold."""
    header = ["姓名", "公民身份号码", "出生日期", "联系电话", "村", "户主身份证号", "与户主关系"]
    rows = []
    for index, (name, number, born, phone, relation) in enumerate(VALUES_PEOPLE):
        mark = INVISIBLE[index % len(INVISIBLE)]
        rows.append([name, number[:6] + mark + number[6:] + mark, born, phone, "太坝", CHEN, relation])
    write_csv("values_people.csv", [header, *rows])

    # Number cells: phones (one a landline whose leading 0 Excel dropped) and an 8-digit date.
    write_xlsx(
        "values_people.xlsx",
        [
            header,
            [*rows[0][:2], 19500315, 13800001001, "太坝", CHEN, "户主"],
            [*rows[1][:2], "1952/6/20", 9394123456, "太坝", CHEN, "妻"],
        ],
        text_columns=("B", "F"),
    )

    # A CSV saved from number cells holds what Excel showed: every form is the same error.
    write_csv(
        "values_id_numeric.csv",
        [
            header,
            ["王建国", "6.21228E+17", "", "", "太坝", "", "户主"],
            ["李秀英", "6.2122819800101e+17", "", "", "太坝", "", "户主"],
            ["赵桂兰", "621228197005010011.0", "", "", "太坝", "", "户主"],
        ],
    )

    # One wrong cell a row: a NUL in a name, unallocated mobile prefixes, a relation nobody uses.
    write_csv(
        "values_bad_cells.csv",
        [
            header,
            ["王\x00建国", WANG, "", "", "太坝", "", "户主"],
            ["李秀英", LI, "", "14012345678", "太坝", WANG, "妻子"],
            ["赵桂兰", ZHAO, "", "154 1234 5678", "太坝", "", "户主"],
            ["王小花", WANG_GIRL, "", "", "太坝", WANG, "邻居"],
        ],
    )

    # Saved as GBK (Excel's plain "CSV" on Chinese Windows): 䶮 and 𠮷 are not in GBK and become ?.
    lost = [["姓名", "公民身份号码", "村"], ["刘䶮", FENG, "太坝"], ["𠮷祥", ZHAO, "太坝"]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lost)
    (HERE / "values_gbk_lost.csv").write_bytes(buffer.getvalue().encode("gbk", errors="replace"))


def roster_files() -> None:
    """Files of the import's rules: village names, ledgers imported twice, totals, blanks."""
    # 站儿巷村 and 站儿巷社区 differ only by their suffix; 太平村 is no village of the town.
    header = ["姓名", "公民身份号码", "村(社区)", "户主身份证号", "与户主关系"]
    write_csv(
        "villages_suffix.csv",
        [
            header,
            ["王建国", WANG, "站儿巷村", WANG, "户主"],
            ["李秀英", LI, "站儿巷社区", LI, "户主"],
            ["赵桂兰", ZHAO, "站儿巷", ZHAO, "户主"],
            ["冯强", FENG, "太平村", FENG, "户主"],
        ],
    )
    write_csv(
        "villages_exact.csv",
        [header, ["王建国", WANG, "站儿巷村", WANG, "户主"], ["李秀英", LI, "站儿巷社区", LI, "户主"]],
    )
    # Point entries by the head's ID number; imported twice they must award once.
    write_csv(
        "point_entries.csv",
        [
            ["户主身份证号", "积分事项", "分值", "日期", "备注"],
            [WANG, "庭院干净整洁", "10", "2024-03-01", ""],
            [WANG, "庭院干净整洁", "10", "2024-04-01", ""],
            [ZHAO, "庭院干净整洁", "10", "2024-03-01", "春季评比"],
        ],
    )
    # A 合计 row that Excel counts with COUNTA under the data.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in PEOPLE:
        sheet.append(row)
    sheet.append(["合计", "=COUNTA(B2:B5)"])
    sheet["B6"].value = "=COUNTA(B2:B5)"
    book.save(HERE / "people_total_row.xlsx")
    _cache_formula_values(HERE / "people_total_row.xlsx", {"B6": "4"})
    # Blank cells in required columns of the screening list.
    write_csv(
        "screenings_blank_required.csv",
        [
            ["姓名", "身份证号", "筛查日期", "筛查项目", "筛查机构", "知情同意人", "同意日期", "筛查结果"],
            ["李秀英", LI, "", "两癌", "县妇幼保健院", "李秀英", "2024-04-18", "未见异常"],
            ["赵桂兰", ZHAO, "2024-04-18", "两癌", "", "", "", "未见异常"],
        ],
    )
    # 出生年月: a month, written the ways village files write it; 冯强's is a month off.
    months = ["1970.05", "1972年8月", "201203", "1958-01", "1980.12"]
    header = ["姓名", "公民身份号码", "出生年月", "村(社区)"]
    people = [[row[0], row[1], month, "太坝"] for row, month in zip([*PEOPLE, FENG_ROW], months, strict=True)]
    write_csv("people_birth_month.csv", [header, *people])
    # The same in number cells, as Excel keeps 1970.05 typed into a General cell.
    write_xlsx("people_birth_month.xlsx", [header, *[[*row[:2], float(row[2]), row[3]] for row in people[:1]]])
    # The people roster again with 王建国 renamed and 赵桂兰's phone changed.
    renamed = [list(row) for row in PEOPLE]
    renamed[0][0] = "王建华"
    renamed[3][4] = "13900009999"
    write_csv("people_renamed.csv", [HEADER, *renamed])


def _cache_formula_values(path: Path, values: dict[str, str]) -> None:
    """Give formula cells the cached values Excel and LibreOffice save (openpyxl saves none)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    for ref, value in values.items():
        start = sheet.index(f'r="{ref}"')
        end = sheet.index("</f>", start) + len("</f>")
        sheet = sheet[:end] + f"<v>{value}</v>" + sheet[end:]
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _raw_xlsx(name: str, sheets: dict[str, str], hidden: tuple = ()) -> None:
    """An .xlsx written by hand, sheet XML as given: openpyxl cannot write a bomb cheaply."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rels_ns = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    members = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>",
        "_rels/.rels": f'<Relationships {rels_ns}><Relationship Id="rId1" '
        f'Type="{kind}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {ns} xmlns:r="{kind}"><sheets>'
        + "".join(
            f'<sheet name="{title}" sheetId="{i}" r:id="rId{i}"' + (' state="hidden"' if title in hidden else "") + "/>"
            for i, title in enumerate(sheets, start=1)
        )
        + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f"<Relationships {rels_ns}>"
        + "".join(
            f'<Relationship Id="rId{i}" Type="{kind}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Relationships>",
    }
    for i, data in enumerate(sheets.values(), start=1):
        members[f"xl/worksheets/sheet{i}.xml"] = f"<worksheet {ns}><sheetData>{data}</sheetData></worksheet>"
    with zipfile.ZipFile(HERE / name, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in members.items():
            archive.writestr(zipfile.ZipInfo(member, date_time=(2024, 1, 1, 0, 0, 0)), text.encode())


def reading_files() -> None:
    """Workbooks as villages keep them, and sheets that reach far enough to exhaust memory."""
    # A 说明 cover sheet, hidden list sheets, then the roster: a title merged across, a header
    # merged over two columns, 村 and 户主身份证号 merged down over each family, and a formula
    # openpyxl saves without a value.
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "说明"
    cover.append(["填表说明：身份证号一律设为文本格式，同一户的户主身份证号可以合并单元格。"])
    choices = book.create_sheet("下拉列表")
    choices.append(["户主"])
    choices.sheet_state = "hidden"
    codes = book.create_sheet("代码")
    codes.append(["621228"])
    codes.sheet_state = "veryHidden"
    roster = book.create_sheet("花名册")
    roster.append(["太坝村人员花名册"])
    roster.merge_cells("A1:F1")
    roster.append(["姓名", "公民身份号码", "联系方式", None, "村(社区)", "户主身份证号"])
    roster.merge_cells("C2:D2")
    roster.append(["王建国", WANG, "13800000001", "手机", "太坝", WANG])
    roster.append(["李秀英", LI, "13800000002", "手机", None, None])
    roster.append(["王小花", WANG_GIRL, None, "=C4", None, None])
    roster.append(["赵桂兰", ZHAO, "0939-4123456", "座机", None, ZHAO])
    roster.merge_cells("E3:E6")
    roster.merge_cells("F3:F5")
    for cell in ("B3", "B4", "B5", "B6", "F3", "F6"):
        roster[cell].number_format = "@"
    book.save(HERE / "reading_cover_sheet.xlsx")

    book = xlwt.Workbook()
    book.add_sheet("说明").write(0, 0, "填表说明")
    choices = book.add_sheet("下拉列表")
    choices.write(0, 0, "户主")
    choices.visibility = 1
    roster = book.add_sheet("花名册")
    for c, value in enumerate(["姓名", "公民身份号码", "村(社区)", "户主身份证号"]):
        roster.write(0, c, value)
    for r, (name, number) in enumerate([("王建国", WANG), ("李秀英", LI), ("赵桂兰", ZHAO)], start=1):
        roster.write(r, 0, name)
        roster.write(r, 1, number)
    roster.write_merge(1, 3, 2, 2, "太坝")
    roster.write_merge(1, 2, 3, 3, WANG)
    roster.write(3, 3, ZHAO)
    book.save(str(HERE / "reading_merged.xls"))

    # Borders on empty cells of row 1,000,000: the file and what calamine reads stay small.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(PEOPLE[0])
    edge = openpyxl.styles.Side(style="thin")
    for column in range(1, 27):
        sheet.cell(row=1_000_000, column=column).border = openpyxl.styles.Border(top=edge)
    book.save(HERE / "reading_formatting_far.xlsx")

    # Bombs: calamine would allocate every cell up to the furthest one.
    first = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
    _raw_xlsx("reading_bomb_xfd.xlsx", {"Sheet1": first + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'})
    _raw_xlsx("reading_bomb_z1m.xlsx", {"Sheet1": first + '<row r="1000000"><c r="Z1000000"><v>1</v></c></row>'})
    # Within the rows and the columns, but 60,000 × 40 cells.
    _raw_xlsx("reading_bomb_area.xlsx", {"Sheet1": first + '<row r="60000"><c r="AN60000"><v>1</v></c></row>'})
    # Rows and cells without r="…": calamine puts each after the one before.
    _raw_xlsx(
        "reading_bomb_positions.xlsx",
        {"Sheet1": first + '<row r="999999"/><row><c s="1"/><c><v></v></c></row>'},
    )
    # The data on the first sheet, a bomb on the second: the first still reads.
    _raw_xlsx(
        "reading_bomb_second_sheet.xlsx",
        {"花名册": first, "Sheet2": first + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'},
    )
    # The same kind of bomb on a hidden sheet: never read.
    _raw_xlsx(
        "reading_bomb_hidden_sheet.xlsx",
        {"花名册": first, "隐藏": first + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'},
        hidden=("隐藏",),
    )
    book = xlwt.Workbook()
    sheet = book.add_sheet("花名册")
    sheet.write(0, 0, "姓名")
    sheet.write(65535, 255, 1)  # the format's last cell: 1 GB in calamine
    book.save(str(HERE / "reading_bomb.xls"))

    # A second sheet calamine cannot read: its cell points at a shared string that does not exist.
    _raw_xlsx(
        "reading_broken_second_sheet.xlsx", {"说明": first, "花名册": '<row r="1"><c r="A1" t="s"><v>7</v></c></row>'}
    )

    # A quotation mark never closed on line 3; a NUL inside a name on line 2.
    (HERE / "reading_unclosed_quote.csv").write_bytes(
        f'姓名,公民身份号码\r\n王建国,{WANG}\r\n"李秀英,{LI}\r\n赵桂兰,{ZHAO}\r\n'.encode()
    )
    (HERE / "reading_nul.csv").write_bytes(f"姓名,公民身份号码\r\n王\x00建国,{WANG}\r\n".encode())


if __name__ == "__main__":
    main()
