"""Write roster files saved by LibreOffice Calc 7.4, for the import tests.

Each file is first written here as a flat ODS document (.fods, XML text) in a temporary
folder, then LibreOffice converts it headless (`soffice --headless --convert-to …`), so
the .xlsx, .xls, .ods and .txt files below are LibreOffice's own output: formulas carry the
values LibreOffice computed, filtered rows are hidden the way Calc hides them. Run it again
only to change them, from the project folder: `python tests/data/make_lo_files.py`
(it needs /usr/bin/soffice; no UNO). The two .csv files at the end are written by Python.
Every ID number is synthetic with a valid check character.
"""

import csv
import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run as a script: make `tests.data` importable

from tests.data.make_files import FENG, FENG_ROW, HEADER, LI, PEOPLE, WANG, ZHAO, id_number  # noqa: E402

# People only these files use. Odd serials are men, even serials women.
FENG_WIFE = id_number(date(1982, 4, 2), 102)  # 陈玉梅, 冯强's wife in 冯河
FENG_SON = id_number(date(2006, 9, 15), 111)  # 冯小军, their son
SUN = id_number(date(1985, 7, 7), 124)  # 孙丽, a woman of 太坝 in 赵桂兰's household
SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"
FULL_VILLAGE = {"太坝": "太坝村", "冯河": "冯河村"}


def roster_row(person: list) -> list:
    """A PEOPLE row with its village written in full, as LibreOffice files of the villages do."""
    row = list(person)
    row[5] = FULL_VILLAGE.get(row[5], row[5])
    return row


TAIBA = [roster_row(person) for person in PEOPLE]  # 王建国, 李秀英, 王小花, 赵桂兰
FENGHE = [
    roster_row(FENG_ROW),
    ["陈玉梅", FENG_WIFE, "女", "1982-04-02", "13800000006", "冯河村", "1组", FENG, "妻子"],
    ["冯小军", FENG_SON, "男", "2006-09-15", "", "冯河村", "1组", FENG, "儿子"],
]


class Formula(NamedTuple):
    """A formula in ODF syntax (of:=…, references like [.B2]); LibreOffice computes it."""

    expression: str


class Styled(NamedTuple):
    """A number or date cell with one of the cell styles of STYLES."""

    value: object
    style: str


class Span(NamedTuple):
    """Text merged across `columns` cells of its row."""

    text: str
    columns: int


# Cell styles: 户号 shown with five digits, dates shown as 2024-03-01.
STYLES = """
<number:number-style style:name="N_five"><number:number number:decimal-places="0" number:min-decimal-places="0"
 number:min-integer-digits="5"/></number:number-style>
<number:date-style style:name="N_date"><number:year number:style="long"/><number:text>-</number:text>
 <number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
<style:style style:name="five" style:family="table-cell" style:parent-style-name="Default"
 style:data-style-name="N_five"/>
<style:style style:name="date" style:family="table-cell" style:parent-style-name="Default"
 style:data-style-name="N_date"/>
"""


def cell(value) -> str:
    """One cell. Text is always a string cell: ID numbers and phones never become numbers."""
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, Formula):
        return f"<table:table-cell table:formula={quoteattr('of:' + value.expression)}/>"
    if isinstance(value, Span):
        covered = "<table:covered-table-cell/>" * (value.columns - 1)
        return (
            f'<table:table-cell table:number-columns-spanned="{value.columns}" table:number-rows-spanned="1"'
            f' office:value-type="string"><text:p>{escape(value.text)}</text:p></table:table-cell>{covered}'
        )
    style = ""
    if isinstance(value, Styled):
        style = f' table:style-name="{value.style}"'
        value = value.value
    if isinstance(value, str):
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'
    if isinstance(value, date):
        style = style or ' table:style-name="date"'
        return (
            f'<table:table-cell{style} office:value-type="date" office:date-value="{value:%Y-%m-%d}">'
            f"<text:p>{value:%Y-%m-%d}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell{style} office:value-type="float" office:value="{value}">'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def row(values: list, visibility: str = "") -> str:
    attribute = f' table:visibility="{visibility}"' if visibility else ""
    return f"<table:table-row{attribute}>{''.join(cell(v) for v in values)}</table:table-row>"


def table(name: str, rows: list, width: int, hidden_columns: tuple = ()) -> str:
    """A sheet of `width` columns; rows are lists of values or row() strings (for hidden rows)."""
    columns = "".join(
        '<table:table-column table:visibility="collapse"/>' if i in hidden_columns else "<table:table-column/>"
        for i in range(width)
    )
    body = "".join(r if isinstance(r, str) else row(r) for r in rows)
    return f"<table:table table:name={quoteattr(name)}>{columns}{body}</table:table>"


def fods(*tables: str, database_ranges: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>{STYLES}</office:automatic-styles>
<office:body><office:spreadsheet>{"".join(tables)}{database_ranges}</office:spreadsheet></office:body>
</office:document>
"""


def documents() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each file's name (without extension) → its flat ODS text and the formats to save."""
    docs = {}

    # 1. An autofilter showing 太坝村 only: the three 冯河村 rows are hidden by the filter.
    rows = [HEADER]
    for taiba, fenghe in zip(TAIBA[:3], FENGHE, strict=True):
        rows += [taiba, row(fenghe, "filter")]
    docs["lo_hidden_rows"] = (
        fods(
            table("花名册", rows, len(HEADER)),
            database_ranges='<table:database-ranges><table:database-range table:name="__Anonymous_Sheet_DB__0"'
            " table:target-range-address=\"'花名册'.A1:'花名册'.I7\" table:display-filter-buttons=\"true\">"
            '<table:filter><table:filter-condition table:field-number="5" table:value="太坝村" table:operator="="/>'
            "</table:filter></table:database-range></table:database-ranges>",
        ),
        ("xlsx", "xls", "ods"),
    )

    # 2. The 联系电话 column hidden, holding a wrong phone nobody sees.
    rows = [HEADER, *[[*person[:4], "00000000000", *person[5:]] for person in TAIBA]]
    docs["lo_hidden_column"] = (fods(table("花名册", rows, len(HEADER), hidden_columns=(4,))), ("xlsx",))

    # 3. Formulas whose values are errors: #N/A, #DIV/0!, #VALUE!, #REF!, #NAME?; 王建国's
    # VLOOKUP finds his head.
    lookup = "VLOOKUP([.A{}];[$'户主'.$A$2:.$B$3];2;0)"
    rows = [HEADER, *[list(person) for person in TAIBA]]
    rows[1][7] = Formula("=" + lookup.format(2))  # 王建国: found
    rows[2][4] = Formula("=1/0")  # 李秀英's phone: #DIV/0!
    rows[3][7] = Formula("=" + lookup.format(4))  # 王小花 is no head: #N/A
    rows[4][6] = Formula('="a"+1')  # 赵桂兰's group: #VALUE!
    # 孙丽: the head a reference to nothing (#REF!), the phone an unknown function (#NAME?).
    rows.append(["孙丽", SUN, "女", "1985-07-07", Formula("=NOSUCHFUNCTION(1)"), "太坝村", "2组",
                 Formula('=INDIRECT("ZZZ")'), "儿媳"])  # fmt: skip
    heads = [["姓名", "户主身份证号"], ["王建国", WANG], ["赵桂兰", ZHAO]]
    docs["lo_error_values"] = (
        fods(table("花名册", rows, len(HEADER)), table("户主", heads, 2)),
        ("xlsx", "xls", "ods"),
    )

    # 4. 性别 computed from the ID number, the formula copied down to row 30: rows 6–30 hold
    # formulas whose value is empty text.
    sex = '=IF([.$B{0}]="";"";IF(MOD(MID([.$B{0}];17;1);2)=1;"男";"女"))'
    rows = [HEADER]
    for number in range(2, 31):
        person = list(TAIBA[number - 2]) if number <= 5 else [None] * len(HEADER)
        person[2] = Formula(sex.format(number))
        rows.append(person)
    docs["lo_empty_text_formulas"] = (fods(table("花名册", rows, len(HEADER))), ("xlsx", "xls"))

    # 5. 户号 as number cells formatted 00000 (shown 02901), dates as date cells.
    rows = [["户号", "村(社区)", "积分事项", "分值", "日期", "备注"]]
    for number in (2901, 2902, 12345):
        rows.append([Styled(number, "five"), "太坝村", "庭院干净整洁", 10, date(2024, 3, 1), None])
    docs["lo_household_numbers"] = (fods(table("积分", rows, 6)), ("xlsx", "xls", "ods"))

    # 6. Dates typed as numbers into General cells: 3.15 and 11.2 (March 15th, November 2nd).
    rows = [["户主身份证号", "村(社区)", "积分事项", "分值", "日期"]]
    for when in (3.15, 11.2, date(2024, 3, 1)):
        rows.append([WANG, "太坝村", "庭院干净整洁", 10, when])
    docs["lo_date_numbers"] = (fods(table("积分", rows, 5)), ("xlsx",))

    # 6b. A screening list whose 筛查日期 are numbers: a year (2026) and yymmdd (260315).
    rows = [
        ["姓名", "身份证号", "筛查日期", "筛查项目", "筛查机构", "筛查结果"],
        ["李秀英", LI, 2026, "两癌", "县妇幼保健院", "未见异常"],
        ["赵桂兰", ZHAO, 260315, "宫颈癌", "县妇幼保健院", "未见异常"],
        ["李秀英", LI, date(2024, 5, 10), "乳腺癌", "县妇幼保健院", "未见异常"],
    ]
    docs["lo_screening_date_numbers"] = (fods(table("筛查", rows, 6)), ("xlsx",))

    # 7. A 说明 sheet first, a sheet a village, and a 汇总 sheet with another header.
    notes = [["填表说明："], ["1. 每个村一张工作表，身份证号一律设为文本格式。"], ["2. 汇总表自动计算，请勿修改。"]]
    totals = [
        ["村", "人数"],
        ["太坝村", Formula("=COUNTA([$'太坝村'.$B$2:.$B$100])")],
        ["冯河村", Formula("=COUNTA([$'冯河村'.$B$2:.$B$100])")],
    ]
    docs["lo_sheets_per_village"] = (
        fods(
            table("说明", notes, 1),
            table("太坝村", [HEADER, *TAIBA[:3]], len(HEADER)),
            table("冯河村", [HEADER, *FENGHE[:2]], len(HEADER)),
            table("汇总", totals, 2),
        ),
        ("xlsx",),
    )

    # 8. A paper form: 序号 typed down to 10, 以下空白, a note and the signatures under the data.
    width = len(HEADER) + 1
    rows = [["序号", *HEADER], *[[number, *person] for number, person in enumerate(TAIBA, start=1)]]
    rows += [[number] for number in range(5, 11)]
    rows += [["以下空白"], ["注：出生日期按身份证填写。"], []]
    rows += [["填表人：李梅", None, None, "审核人：王芳", None, None, "填表日期：2024年12月20日"]]
    rows += [["填报单位（盖章）：太坝村妇联"]]
    docs["lo_footer"] = (fods(table("花名册", rows, width)), ("xlsx",))

    # 8b. The roster as a named database range (a table in .xlsx) ending in a 汇总 row.
    rows = [HEADER, *TAIBA, ["汇总", Formula("=SUBTOTAL(103;[.B2:.B5])")]]
    docs["lo_table_total_row"] = (
        fods(
            table("花名册", rows, len(HEADER)),
            database_ranges='<table:database-ranges><table:database-range table:name="花名册表"'
            " table:target-range-address=\"'花名册'.A1:'花名册'.I6\" table:contains-header=\"true\""
            ' table:display-filter-buttons="true"/></table:database-ranges>',
        ),
        ("xlsx",),
    )

    # 9. A two-row header: 身份信息 over two columns and 户籍信息 over four, the single
    # headings (序号, 姓名, 出生日期, 联系电话) in the upper row only.
    upper = ["序号", "姓名", Span("身份信息", 2), "出生日期", "联系电话", Span("户籍信息", 4)]
    lower = [None, None, "公民身份号码", "性别", None, None, "村(社区)", "村民小组", "户主身份证号", "与户主关系"]
    rows = [upper, lower, *[[number, *person] for number, person in enumerate(TAIBA, start=1)]]
    docs["lo_two_level_header"] = (fods(table("花名册", rows, len(HEADER) + 1)), ("xlsx",))

    # 10. Excel's "Unicode 文本": UTF-16 little-endian with a BOM, cells separated by tabs.
    docs["unicode_text"] = (
        fods(table("花名册", [HEADER, *TAIBA], len(HEADER))),
        ("txt:Text - txt - csv (StarCalc):9,34,65535",),
    )
    return docs


def convert(docs: dict) -> None:
    """Let LibreOffice save every document in its formats, then move the files here."""
    with tempfile.TemporaryDirectory(prefix="lo-files-") as folder:
        folder = Path(folder)
        # A profile of our own: no lock shared with a LibreOffice that is open elsewhere.
        profile = (folder / "profile").as_uri()
        targets = {}
        for name, (text, formats) in docs.items():
            (folder / f"{name}.fods").write_text(text, encoding="utf-8")
            for target in formats:
                targets.setdefault(target, []).append(name)
        for target, names in targets.items():
            out = folder / "out"
            sources = [str(folder / f"{name}.fods") for name in names]
            command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target]
            done = subprocess.run(
                [*command, "--outdir", str(out), *sources], check=True, capture_output=True, text=True
            )
            extension = target.split(":")[0]
            for name in names:
                if not (out / f"{name}.{extension}").exists():  # soffice exits 0 even when it saved nothing
                    raise RuntimeError(f"soffice did not save {name}.{extension}: {done.stdout}{done.stderr}")
                shutil.move(out / f"{name}.{extension}", HERE / f"{name}.{extension}")


def write_csv(name: str, rows: list[list]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    (HERE / name).write_bytes(buffer.getvalue().encode("utf-8"))


def csv_files() -> None:
    # Dates as a spreadsheet prints date-times, points written with signs, full-width digits, 分.
    rows = [["户主身份证号", "村(社区)", "积分事项", "分值", "日期"]]
    points = [("＋５", "2024-03-11 0:00:00"), ("－５", "2024/3/12 0:00"), ("10分", "2024-03-13"),
              ("扣5分", "2024-03-14"), ("１０", "2024-03-15")]  # fmt: skip
    rows += [[WANG, "太坝村", "庭院干净整洁", score, when] for score, when in points]
    write_csv("datetimes_and_signs.csv", rows)
    # ID numbers typed with a leading apostrophe to keep Excel from making them numbers.
    rows = [[*person[:1], "'" + person[1], *person[2:7], "'" + person[7], person[8]] for person in PEOPLE]
    write_csv("people_apostrophe.csv", [HEADER, *rows])


def check() -> None:
    """LibreOffice saved computed values and hidden rows: fail loudly if a version does not."""
    with zipfile.ZipFile(HERE / "lo_hidden_rows.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert re.findall(r'<row r="(\d+)"[^>]* hidden="true"', sheet) == ["3", "5", "7"]
    with zipfile.ZipFile(HERE / "lo_error_values.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    for error in ("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?"):
        assert f"<v>{error}</v>" in sheet, error
    with zipfile.ZipFile(HERE / "lo_empty_text_formulas.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>男</v>" in sheet and "<v>女</v>" in sheet and "</f><v></v></c>" in sheet
    assert (HERE / "unicode_text.txt").read_bytes()[:2] == b"\xff\xfe"


def main() -> None:
    convert(documents())
    csv_files()
    check()


if __name__ == "__main__":
    main()
