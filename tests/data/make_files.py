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


if __name__ == "__main__":
    main()
