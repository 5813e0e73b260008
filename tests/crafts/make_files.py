"""Write the 巾帼建功 roster files the import tests read (tests/data/crafts_*.xlsx). Run it
again only to change them: `python tests/crafts/make_files.py`. The women are those of
tests/data/people_utf8.csv."""

import sys
from datetime import date
from pathlib import Path

import openpyxl

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))
from make_files import LI, WANG, ZHAO  # noqa: E402


def write(name: str, title: str, rows: list[list], text_columns: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])  # a title row above the header, as village files have
    for row in rows:
        sheet.append(row)
    for column in text_columns:  # ID numbers as text, as the template has them
        for cell in sheet[column][1:]:
            cell.number_format = "@"
    book.save(DATA / name)


REGISTER = ["姓名", "身份证号", "村(社区)", "手艺", "合作社/工坊", "加入日期", "备注"]
SALES = ["身份证号", "姓名", "日期", "渠道", "金额（元）", "件数", "备注"]

if __name__ == "__main__":
    write(
        "crafts_register.xlsx",
        "太坝村巧手妇女名册",
        [
            REGISTER,
            ["李秀英", LI, "太坝", "手工编织", "太坝巧手编织合作社", date(2024, 3, 1), ""],
            ["赵桂兰", ZHAO, "太坝村", "刺绣", None, 45383, "老手艺人"],  # an Excel serial: 2024-04-01
        ],
        "B",
    )
    write(
        "crafts_sales.xlsx",
        "巧手妇女销售台账",
        [
            SALES,
            [LI, "李秀英", date(2024, 6, 18), "直播带货", 360, 12, "抖音直播"],
            [LI, "李秀英", "2024/7/2", "电商平台", "1,280.50", 30, None],
            [ZHAO, "赵桂兰", date(2024, 8, 8), "线下", 90, None, "集市"],
        ],
        "A",
    )
    write(
        "crafts_sales_bad.xlsx",
        "巧手妇女销售台账",
        [
            SALES,
            [LI, "李秀英", date(2024, 6, 18), "直播带货", 360, 12, "这一行没有错"],
            [LI, "李秀英", "2024-13-01", "直播带货", 100, 2, None],
            [LI, "李秀英", date(2024, 6, 20), "微信", 100, 2, None],
            [ZHAO, "赵桂兰", date(2024, 6, 21), "线下", -50, 1, None],
            [WANG, "王建国", date(2024, 6, 22), "线下", 80, 1, None],
            [LI, "李秀英", date(2024, 6, 23), "电商", "一百元", 1, None],
        ],
        "A",
    )
