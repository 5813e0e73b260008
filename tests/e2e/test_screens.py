"""At 1366 px the home page uses the screen (Django's is 600 px wide). On a 375 px phone: the
home page's year of submissions fits the screen (village names on one
line, December in view), and a girl's new HPV dose shows every field as a card, where it showed
3 of its 6 columns and scrolled sideways."""

import pytest

from tests.e2e.journey import PHONE

pytestmark = pytest.mark.e2e
DOSE_FIELDS = ["dose_number", "date", "vaccine", "site", "consent_by", "consent_on"]


def inside_the_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1


def test_a_phone_shows_the_whole_submission_grid_and_every_field_of_a_dose(journeys):
    taiba = journeys.open("taiba", PHONE, "phone")
    page = taiba.page
    taiba.goto("/admin/?year=2024", "phone-home-2024")
    assert inside_the_screen(page.locator("#submissions-module table"))
    assert inside_the_screen(page.locator("#submissions-module tr").first.locator("th").last)  # 12
    village = page.locator("#submissions-module th[scope=row]").first
    assert village.bounding_box()["height"] < 2 * village.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") + 10

    taiba.goto("/admin/health/hpvgirl/", "phone-girls")
    taiba.click(page.locator("#result_list tbody tr th a, #result_list tbody tr td a").first, "phone-girl")
    page.locator("#hpvdose_set-group .add-row a").click()
    for name in DOSE_FIELDS:
        field = page.locator(f"#id_hpvdose_set-0-{name}")
        assert inside_the_screen(field), f"{name} is off the screen"
        label = field.locator("xpath=ancestor::td[1]").get_attribute("data-label")
        assert label, f"{name} has no label on its card"
    taiba.snap("phone-dose-card")


def test_the_home_page_uses_an_office_screen(journeys):
    town = journeys.open("town")
    width = town.page.locator("#dashboard").bounding_box()["width"]
    assert width > 0.6 * 1366, f"the home page is {width:.0f} px wide on a 1366 px screen"
    # Today's work, the figures and the submissions side by side, the charts folded below.
    tops = {town.page.locator(f"#{name}").bounding_box()["y"] for name in ("reminders-module", "figures-module")}
    assert len(tops) == 1
    assert town.page.locator("#charts-module").get_attribute("open") is None
