"""Every cell of every .xlsx and CSV the system writes goes through the one neutraliser
(issue 24, item 6): a town or village whose name starts with "=" never becomes a live formula
(HYPERLINK) on the binder's cover, a report's header or a template's list of villages."""

import csv
import io

import pytest
from openpyxl import load_workbook

from federation.core.registry import registry
from tests.factories import PersonFactory, VillageFactory, take_file

EVIL = '=HYPERLINK("http://evil.example/","点我")'
FORMULA_STARTS = ("=", "+", "-", "@")


@pytest.fixture
def evil_town(town_admin, town, taiba):
    town.name = EVIL
    town.save()
    VillageFactory(town=town, name="+1村")
    PersonFactory(village=taiba, name="@SUM(1)")
    return town


def cells_of_xlsx(data: bytes):
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        yield sheet.title, str(sheet.oddHeader.left.text or ""), "header"
        for row in sheet.iter_rows():
            for cell in row:
                yield sheet.title, cell.value, cell.data_type


def assert_inert(cells):
    seen = 0
    for where, value, data_type in cells:
        assert data_type != "f", (where, value)
        if isinstance(value, str):
            assert not value.startswith(FORMULA_STARTS), (where, value)
            seen += EVIL in value or "+1村" in value
    return seen


def test_the_binders_workbook_has_no_live_formula(evil_town, town_admin, client_for):
    response = take_file(client_for(town_admin), "/admin/reports/binder/", {"year": "2024", "format": "xlsx"})
    assert response.status_code == 200
    cells = list(cells_of_xlsx(b"".join(response.streaming_content)))
    assert assert_inert(cells) >= 2  # the cover and the page header name the town, as text
    assert any(str(value).startswith("'" + EVIL) for _sheet, value, _type in cells)


@pytest.mark.parametrize("name", sorted(registry.reports))
def test_every_reports_downloads_are_inert(name, evil_town, town_admin, client_for):
    client = client_for(town_admin)
    for kind in ("xlsx", "csv"):
        response = take_file(client, "/admin/reports/", {"report": name, "year": 2024, "format": kind})
        assert response.status_code == 200, (name, kind)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if kind == "xlsx":
            assert_inert(cells_of_xlsx(body))
        else:
            rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
            assert_inert((name, value, "s") for row in rows for value in row)


def test_an_import_templates_village_list_is_inert(evil_town, town_admin, client_for):
    response = client_for(town_admin).get("/admin/federation/person/import/template/")
    assert response.status_code == 200
    assert assert_inert(cells_of_xlsx(response.content)) >= 1


def test_the_neutraliser_doubles_a_printing_code_in_a_page_header():
    from federation.core.streams import header_text

    assert header_text("A&B镇") == "A&&B镇"
    assert header_text(EVIL).startswith("'=")
