"""The 太坝 clerk (关爱帮扶录入) keeps her care files: she records a caring mother's visit to the
child she is paired with, and the pairing shows it as its latest visit; she registers a
neighbours' dispute found in the month's screening and records its mediation until it is
resolved."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.journey import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


def today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the server's today (TIME_ZONE)


def shown_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_clerk_records_a_visit_to_a_paired_child(journeys):
    taiba = journeys.open("taiba")
    page = taiba.page
    taiba.click(page.locator("#content-main a[href$='/aid/caretarget/']"), "care-targets")
    assert "留守儿童" in taiba.column("类别"), "the care register lists the village's left-behind children"
    taiba.manual_shot("care-targets")

    taiba.goto("/admin/", "home-again")
    taiba.click(page.locator("#content-main a[href$='/aid/pairing/']"), "pairings")
    mother, child = taiba.column("爱心妈妈")[0], taiba.column("孩子")[0]

    taiba.goto("/admin/", "home-again-2")
    taiba.click(page.locator("#content-main a[href$='/aid/carevisit/add/']"), "add-visit")
    # The child cared for, and her caring mother's pairing (a visit by staff has none).
    taiba.choose("id_target", child)
    taiba.choose("id_pairing", child)
    page.fill("#id_date", today().isoformat())
    page.select_option("#id_kind", label="走访")
    page.fill("#id_content", "上门看望，了解学习和生活情况，辅导数学作业")
    page.fill("#id_gifts", "书包一个、文具一套")
    taiba.snap("visit-filled")
    taiba.manual_shot("care-visit")
    taiba.click("input[name=_save]", "visit-saved")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    assert taiba.messages(), "saving says so"

    taiba.goto("/admin/aid/pairing/", "pairings-after")
    row = taiba.column("孩子").index(child)
    assert taiba.column("爱心妈妈")[row] == mother
    assert taiba.column("最近走访")[row] == shown_date(today())
    journeys.finish()


def record_step(journey, step: str, label: str, outcome: str = "", shot: bool = False) -> None:
    page = journey.page
    journey.click(page.locator("#content a[href$='/step/']"), f"{label}-step")
    assert page.locator("#id_day").input_value() == today().isoformat(), "the step's date is today's"
    page.check(f"input[name=step][value={step}]")
    if outcome:
        page.fill("#id_outcome", outcome)
    journey.snap(f"{label}-filled")
    if shot:
        journey.manual_shot("dispute-step")
    journey.click("form input[type=submit].default", label)
    assert journey.messages(), "the step says so"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_clerk_registers_a_dispute_and_records_its_mediation(journeys, viewport):
    taiba = journeys.open("taiba", DESKTOP if viewport == "desktop" else PHONE, viewport)
    page = taiba.page
    taiba.goto("/admin/federation/person/", "people")
    first, second = taiba.column("姓名")[:2]

    taiba.goto("/admin/", "home")
    taiba.click(page.locator("#content-main a[href$='/aid/disputecase/add/']"), "add-dispute")
    village = page.locator("#id_village")
    if village.input_value() == "":
        village.select_option(label="太坝村")
    page.select_option("#id_kind", label="邻里")
    page.select_option("#id_source", label="排查")
    page.fill("#id_found_on", today().isoformat())
    taiba.choose("id_parties", first)
    taiba.choose("id_parties", second)
    page.fill("#id_summary", "两家因门前排水沟堵塞互相指责，发生争吵")
    page.fill("#id_mediators", "村调解委员会")
    taiba.snap("dispute-filled")
    taiba.manual_shot("dispute-add")
    taiba.click("input[name=_save]", "dispute-saved")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()

    # The newest case is hers: registered, then mediated, then resolved.
    newest = page.locator("#result_list tbody tr").first
    if viewport == "desktop":  # a phone's list keeps the case number and village only
        assert first in newest.inner_text() and "登记" in newest.inner_text(), newest.inner_text()
    taiba.click(newest.locator("a[href*='/change/']"), "dispute")
    record_step(taiba, "mediate", "mediating")
    record_step(taiba, "resolve", "resolved", "双方同意共同清理水沟，当场和好", shot=viewport == "desktop")
    assert "已化解" in page.locator(".field-status").inner_text()
    journeys.finish()
