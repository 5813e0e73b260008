"""The 太坝 clerk adds a person in the admin and imports a people roster (upload → preview →
confirm), then finds them by search: at 1366 px and on a 375 × 812 phone."""

from pathlib import Path

import pytest
from openpyxl import load_workbook

from federation.core.identity import check_character
from tests.e2e.journey import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parents[1] / "data"

# A new person each: an area code the demo town never uses (兰州市城关区), women (even sequence).
NEW_PEOPLE = {
    "desktop": ("苏梅", "62010219880715052", "13912340001"),
    "phone": ("苏兰", "62010219900302064", "13912340002"),
}


def open_people_list(journey):
    """From the home page to 人员, as a clerk finds it: the app list's link."""
    journey.click(journey.page.locator("#content-main a[href$='/federation/person/']"), "people-list")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_clerk_adds_a_person_and_finds_her(journeys, viewport):
    name, first17, phone = NEW_PEOPLE[viewport]
    number = first17 + check_character(first17)
    taiba = journeys.open("taiba", DESKTOP if viewport == "desktop" else PHONE, viewport)
    page = taiba.page
    open_people_list(taiba)
    taiba.click(page.locator(".object-tools a.addlink"), "add-person")

    page.fill("#id_name", name)
    page.fill("#id_id_number", number)
    page.fill("#id_phone", phone)
    village = page.locator("#id_village")
    if village.input_value() == "":
        village.select_option(label="太坝村")
    taiba.snap("add-person-filled")
    if viewport == "desktop":
        taiba.manual_shot("person-add")
    else:
        taiba.manual_shot("person-add-phone")
    taiba.click("input[name=_save]", "person-saved")

    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    assert any(name in message for message in taiba.messages()), taiba.messages()

    taiba.search(name, "search-by-name")
    assert taiba.column("姓名") == [name]
    assert taiba.column("村(社区)") == ["太坝村"]
    if viewport == "desktop":
        taiba.manual_shot("person-search")
    # The clerk sees the ID number masked: it is found by the whole number only.
    taiba.search(number, "search-by-id-number")
    assert taiba.column("姓名") == [name]
    assert taiba.column("公民身份号码")[0].startswith("620102") and number not in page.inner_text("#result_list")
    journeys.finish()


def test_clerk_imports_a_roster_and_finds_the_people(journeys, tmp_path):
    # The file a village keeps: title rows above the header (tests/data/make_files.py), saved
    # under a Chinese name with its sheet named in Chinese, as the preview shows both.
    roster = tmp_path / "太坝村人员花名册.xlsx"
    book = load_workbook(DATA / "people_title_rows.xlsx")
    book.active.title = "花名册"
    book.save(roster)
    taiba = journeys.open("taiba")
    page = taiba.page
    open_people_list(taiba)
    taiba.click(page.locator(".object-tools a[href$='/federation/person/import/']"), "import")

    page.set_input_files("#id_file", str(roster))
    taiba.manual_shot("import-upload")
    taiba.click("input[type=submit].default", "preview")
    taiba.manual_shot("import-preview")
    headers = page.locator(".import-counts th").all_inner_texts()
    counts = dict(zip(headers, page.locator(".import-counts td").all_inner_texts(), strict=True))
    assert page.locator(".import-errors").count() == 0, page.locator("#content").inner_text()
    names = taiba.column("姓名", ".import-sample")
    assert names, "the preview shows a sample of the rows"
    assert int(counts["新增"]) == len(names) and int(counts["错误"]) == 0, counts

    taiba.click("input[name=confirm]", "imported")
    assert taiba.messages(), "the confirm says what was imported"
    taiba.manual_shot("import-done")
    for index, name in enumerate(names):
        taiba.search(name, f"search-{index + 1}")
        assert "太坝村" in taiba.column("村(社区)")[taiba.column("姓名").index(name)]

    # The import is recorded under 导入记录: her file, newest first.
    taiba.goto("/admin/", "home-again")
    taiba.click(page.locator("#content-main a[href$='/federation/importrecord/']"), "import-records")
    newest = page.locator("#result_list tbody tr").first
    assert roster.name in newest.inner_text(), newest.inner_text()
    taiba.click(newest.locator("a[href*='/change/']"), "import-record")
    assert roster.name in page.locator("#content").inner_text()
    journeys.finish()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_clerk_finds_a_person_from_the_header_search(journeys, viewport):
    """From any page, the box in the header: a name typed, what was found by kind, the person
    opened; at 1366 px and on a phone, no wider than the screen."""
    size = DESKTOP if viewport == "desktop" else PHONE
    taiba = journeys.open("taiba", size, viewport)
    page = taiba.page
    open_people_list(taiba)
    name = taiba.column("姓名")[0]  # someone of her village
    box = page.locator("#site-search-q")
    assert box.is_visible()
    box.fill(name)
    with page.expect_navigation():
        box.press("Enter")
    taiba.snap("site-search")
    kinds = page.locator("#content-main .module h2").all_inner_texts()
    assert kinds[0] == "人员", kinds
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    people = page.locator("#content-main .module").first.locator("li a")
    assert all(text.startswith(name) for text in people.all_inner_texts()), people.all_inner_texts()
    taiba.click(people.first, "site-search-person")
    assert page.locator("#id_name").input_value() == name
    assert "/federation/person/" in page.url
    journeys.finish()
