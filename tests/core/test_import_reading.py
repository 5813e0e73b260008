"""Reading workbooks as villages keep them (cover sheets, hidden sheets, merged cells) and
refusing sheets that would exhaust memory before calamine allocates them. Every bomb here is
refused before calamine sees it: a guard makes a lapse fail the test instead of aborting it."""

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import translation

from federation.core.importing import reading
from federation.core.importing.reading import ImportFileError, read_table, read_tables
from tests.data.make_files import LI, WANG, WANG_GIRL, ZHAO

DATA = Path(__file__).resolve().parents[1] / "data"


def load(name):
    return (DATA / name).read_bytes()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def calamine_guard(monkeypatch):
    """calamine that refuses to open an .xls or read a sheet named in `refused` (all by default)."""
    real = reading.python_calamine
    guard = SimpleNamespace(refused=None)

    class Book:
        def __init__(self, book):
            self.book = book
            self.sheets_metadata = book.sheets_metadata

        def get_sheet_by_name(self, name):
            if guard.refused is None or name in guard.refused:
                raise AssertionError(f"calamine was asked to read the sheet {name}")
            return self.book.get_sheet_by_name(name)

    def from_filelike(file):
        data = file.read()
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise AssertionError("calamine was asked to open the .xls")
        return Book(real.CalamineWorkbook.from_filelike(io.BytesIO(data)))

    monkeypatch.setattr(
        reading,
        "python_calamine",
        SimpleNamespace(
            CalamineWorkbook=SimpleNamespace(from_filelike=from_filelike),
            SheetVisibleEnum=real.SheetVisibleEnum,
            SheetTypeEnum=real.SheetTypeEnum,
        ),
    )
    return guard


def reaches(sheet, cell):
    return (
        f"The sheet “{sheet}” reaches cell {cell}; the limit is 100010 rows and 200 columns. "
        "Delete the empty rows and columns below and to the right of the data, or split the file."
    )


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ("reading_bomb_xfd.xlsx", "XFD1048576"),  # 2 KB; calamine would abort the process
        ("reading_bomb_z1m.xlsx", "Z1000000"),  # ~1 GB in calamine
        ("reading_bomb_positions.xlsx", "B1000000"),  # rows and cells without r="…"
    ],
)
def test_a_sheet_reaching_too_far_is_refused_before_calamine_reads_it(name, cell, calamine_guard):
    with pytest.raises(ImportFileError) as raised:
        read_table(load(name), name)
    assert str(raised.value) == reaches("Sheet1", cell)


def test_rows_and_columns_within_the_limits_but_too_many_cells_are_refused(calamine_guard):
    with pytest.raises(ImportFileError) as raised:
        read_table(load("reading_bomb_area.xlsx"), "reading_bomb_area.xlsx")
    assert str(raised.value) == (
        "The sheet “Sheet1” reaches cell AN60000, which makes 2400000 cells in the file; the limit is 2000000. "
        "Delete the empty rows and columns below and to the right of the data, or split the file."
    )


def test_an_xls_reaching_the_formats_last_cell_is_refused_before_calamine_opens_it(calamine_guard):
    with pytest.raises(ImportFileError) as raised:
        read_tables(load("reading_bomb.xls"), "reading_bomb.xls")
    assert str(raised.value) == reaches("花名册", "IV65536")


def test_the_column_limit_is_a_setting(settings):
    settings.IMPORT_MAX_COLUMNS = 10
    with pytest.raises(ImportFileError) as raised:
        read_table(load("people_title_rows.xlsx"), "people_title_rows.xlsx")
    assert "reaches cell K8; the limit is 100010 rows and 10 columns." in str(raised.value)


def test_borders_on_empty_cells_far_down_do_not_count():
    table = read_table(load("reading_formatting_far.xlsx"), "reading_formatting_far.xlsx")
    assert len(table.rows) == 2
    assert table.rows[1][:2] == ["王建国", WANG]


def test_one_table_per_visible_sheet_in_workbook_order():
    tables = read_tables(load("reading_cover_sheet.xlsx"), "reading_cover_sheet.xlsx")
    assert [table.sheet for table in tables] == ["说明", "花名册"]  # 下拉列表 hidden, 代码 very hidden
    assert read_table(load("reading_cover_sheet.xlsx"), "x.xlsx").sheet == "说明"
    tables = read_tables(load("reading_merged.xls"), "reading_merged.xls")
    assert [table.sheet for table in tables] == ["说明", "花名册"]
    assert read_table(load("people_utf8.csv"), "people_utf8.csv").sheet == ""


def test_formula_blanks_are_those_of_the_sheet_read():
    cover, roster = read_tables(load("reading_cover_sheet.xlsx"), "reading_cover_sheet.xlsx")
    assert cover.formula_blanks == set()
    assert roster.formula_blanks == {(5, 3)}  # D5 "=C4", saved by openpyxl without a value


def test_merged_cells_fill_down_their_first_column_only():
    roster = read_tables(load("reading_cover_sheet.xlsx"), "reading_cover_sheet.xlsx")[1]
    rows = roster.rows
    assert rows[0][0] == "太坝村人员花名册" and all(cell in ("", None) for cell in rows[0][1:])
    assert rows[1][2:4] == ["联系方式", ""]  # a header merged over two columns is not repeated
    assert [row[4] for row in rows[2:6]] == ["太坝"] * 4
    assert [row[5] for row in rows[2:6]] == [WANG, WANG, WANG, ZHAO]
    assert [row[1] for row in rows[2:6]] == [WANG, LI, WANG_GIRL, ZHAO]


def test_merged_cells_of_an_xls_fill_down():
    roster = read_tables(load("reading_merged.xls"), "reading_merged.xls")[1]
    assert [row[2:4] for row in roster.rows[1:]] == [["太坝", WANG], ["太坝", WANG], ["太坝", ZHAO]]


def test_only_the_sheets_asked_for_are_read(calamine_guard):
    calamine_guard.refused = {"Sheet2"}
    tables = read_tables(load("reading_bomb_second_sheet.xlsx"), "reading_bomb_second_sheet.xlsx")
    assert len(tables) == 2
    assert tables[0].rows == [["姓名"]]
    with pytest.raises(ImportFileError) as raised:
        tables[1]  # noqa: B018 - reading it is the point
    assert str(raised.value) == reaches("Sheet2", "XFD1048576")


def test_a_hidden_sheet_is_never_read(calamine_guard):
    calamine_guard.refused = {"隐藏"}
    tables = read_tables(load("reading_bomb_hidden_sheet.xlsx"), "reading_bomb_hidden_sheet.xlsx")
    assert [table.sheet for table in tables] == ["花名册"]


def test_a_sheet_calamine_cannot_read_is_a_file_error():
    tables = read_tables(load("reading_broken_second_sheet.xlsx"), "reading_broken_second_sheet.xlsx")
    assert tables[0].rows == [["姓名"]]
    with pytest.raises(ImportFileError) as raised:
        tables[1]  # noqa: B018 - reading it is the point
    assert str(raised.value).startswith("The file could not be read as an Excel workbook: ")


def test_an_unclosed_quotation_mark_is_a_file_error():
    with pytest.raises(ImportFileError) as raised:
        read_table(load("reading_unclosed_quote.csv"), "reading_unclosed_quote.csv")
    assert str(raised.value) == (
        "The CSV file could not be read near line 3: a quotation mark is not closed or a cell is too long. "
        "Save it again from Excel as CSV UTF-8."
    )


def test_a_cell_longer_than_the_csv_field_limit_is_a_file_error():
    content = ('姓名,备注\r\n王建国,1\r\n李秀英,"' + "长" * 200_000 + '"\r\n').encode()
    with pytest.raises(ImportFileError) as raised:
        read_table(content, "long.csv")
    assert "near line 3" in str(raised.value)


def test_a_nul_byte_is_read_into_its_cell():
    table = read_table(load("reading_nul.csv"), "reading_nul.csv")
    assert table.rows == [["姓名", "公民身份号码"], ["王\x00建国", WANG]]
