"""The 太坝 clerk awards a household points for a rule and sees its balance rise; she redeems
goods for a household at a 兑换活动, sees the balance fall, and gets the Chinese message when the
household has too few points: at 1366 px and on a 375 × 812 phone."""

import re

import pytest

from tests.e2e.journey import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

GOODS_LABEL = re.compile(r"^(?P<name>.+?)（(?P<price>\d+) 分/")
HOUSEHOLD = re.compile(r"^(?P<number>\d+)（户主 (?P<head>[^，）]+)[^）]*）.*余额\s*(?P<balance>\d+)\s*分")


def open_redemption_page(journey) -> None:
    """兑换活动 → the latest session of 太坝 → its 兑换登记, as the README tells the clerk."""
    page = journey.page
    journey.click(page.locator("#content-main a[href$='/points/redemptionevent/']"), "sessions")
    journey.click(page.locator("#result_list tbody tr a[href*='/change/']").first, "session")
    if journey.viewport_name == "desktop":
        journey.manual_shot("redeem-session")
    redeem = page.locator("#content a[href$='/redeem/']")
    if redeem.count() == 0:
        journey.problem("the 兑换活动 page has no link to 兑换登记 (…/redeem/): the clerk cannot find where to redeem")
        journey.goto(page.url.split("?")[0].replace("/change/", "/redeem/"), "redeem-typed")
    else:
        journey.click(redeem, "redeem")


def goods_fields(page) -> list[tuple[str, int, str]]:
    """Each goods' (name, points per unit, input id) as the form labels them."""
    found = []
    for label in page.locator("form label[for^='id_goods_']").all():
        match = GOODS_LABEL.match(label.inner_text().strip())
        if match:
            found.append((match["name"], int(match["price"]), label.get_attribute("for")))
    return found


def household_with_points(journey, rank: int) -> tuple[str, str, int]:
    """The household picker answers with each household's head and balance: take the one of
    that rank by balance (0: the richest) among its first answers."""
    page = journey.page
    page.locator("#id_household + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("0")
    options = page.locator(".select2-container--open .select2-results__option", has_text="余额")
    options.first.wait_for()
    journey.snap("household-picker")
    shown = [HOUSEHOLD.match(text.strip()) for text in options.all_inner_texts()]
    assert all(shown), f"the picker shows each household's number, head and balance: {options.all_inner_texts()}"
    households = sorted(((m["number"], m["head"], int(m["balance"])) for m in shown), key=lambda h: -h[2])
    page.keyboard.press("Escape")
    return households[rank]


def fill_redemption(journey, number: str, head: str, quantities: dict[str, int], label: str) -> str:
    """Fill 兑换登记; return the household's choice as the picker showed it."""
    page = journey.page
    shown = journey.choose("id_household", number)
    # 兑换人 offers the chosen household's members only (each answer names its number).
    page.locator("#id_person + .select2 .select2-selection").click()
    offered = page.locator(
        ".select2-container--open .select2-results__option:not(.loading-results):not(.select2-results__message)"
    )
    offered.first.wait_for()
    assert all(number in text for text in offered.all_inner_texts()), offered.all_inner_texts()
    page.keyboard.press("Escape")
    journey.choose("id_person", head)
    for field_id, quantity in quantities.items():
        page.fill(f"#{field_id}", str(quantity))
    journey.snap(f"{label}-filled")
    return shown


def submit_redemption(journey, label: str) -> None:
    journey.click("form input[type=submit].default", label)


def balance_on_the_household_page(journey, number: str) -> int:
    """家庭 → search the number → the household's page, which shows 积分余额."""
    page = journey.page
    journey.goto("/admin/", "home-again")
    journey.click(page.locator("#content-main a[href$='/federation/household/']"), "households")
    journey.search(number, "household-search")
    journey.click(page.locator("#result_list a", has_text=number), "household")
    return int(page.locator(".field-points_balance .readonly").inner_text().strip())


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_clerk_redeems_for_a_household_and_is_stopped_when_points_run_short(journeys, viewport):
    taiba = journeys.open("taiba", DESKTOP if viewport == "desktop" else PHONE, viewport)
    page = taiba.page
    open_redemption_page(taiba)
    goods = sorted(goods_fields(page), key=lambda item: item[1])
    assert goods, "兑换登记 lists the goods with their points"
    _name, cheapest, cheapest_id = goods[0]
    # The richest household on desktop, the next on the phone, so that the two journeys spend
    # different households' points as far as the balances allow; each reads where it starts.
    number, head, balance = household_with_points(taiba, 0 if viewport == "desktop" else 1)
    assert balance >= cheapest, f"household {number} has {balance} points, the cheapest goods cost {cheapest}"

    shown = fill_redemption(taiba, number, head, {cheapest_id: 1}, "redeemed")
    if viewport == "desktop":
        taiba.manual_shot("redeem")
    else:
        taiba.manual_shot("redeem-phone")
    submit_redemption(taiba, "redeemed")
    assert number in shown, shown
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    after = balance - cheapest
    assert any(f"余额为 {after} 分" in message for message in taiba.messages()), taiba.messages()

    # Too many of the dearest goods: refused with the reason, in Chinese, and nothing taken.
    _name, price, dearest_id = goods[-1]
    too_many = after // price + 1
    fill_redemption(taiba, number, head, {dearest_id: too_many}, "overspent")
    submit_redemption(taiba, "overspent")
    error = page.locator(".errornote").inner_text().strip()
    assert re.search(rf"积分不足.*{too_many * price}.*{after}", error), error
    if viewport == "desktop":
        taiba.manual_shot("redeem-refused")

    assert balance_on_the_household_page(taiba, number) == after
    journeys.finish()


def test_clerk_awards_points_and_the_balance_rises(journeys):
    """积分登记台账 → 增加: a household, a rule of the 积分细则 and who earned it; the line shows
    the balance after it, and the household's page the new balance."""
    taiba = journeys.open("taiba")
    page = taiba.page
    taiba.click(page.locator("#content-main a[href$='/points/pointentry/']"), "ledger")
    taiba.click(page.locator(".object-tools a.addlink"), "award")
    # A household other than those the redemption test spends (the richest two).
    number, head, balance = household_with_points(taiba, 2)
    taiba.choose("id_household", number)
    rule = taiba.choose("id_rule", "庭院干净整洁")
    points = int(re.search(r"（\+(\d+)）", rule)[1])
    taiba.choose("id_person", head)
    taiba.snap("award-filled")
    taiba.manual_shot("points-award")
    taiba.click("input[name=_save]", "awarded")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    assert taiba.messages(), "saving says so"

    # The newest line of the ledger is hers, with the balance after it.
    taiba.search(number, "ledger-of-the-household")
    assert taiba.column("分值")[0] == str(points), taiba.rows()[0]
    assert taiba.column("变动后余额")[0] == str(balance + points), taiba.rows()[0]
    taiba.manual_shot("points-ledger")

    assert balance_on_the_household_page(taiba, number) == balance + points
    taiba.manual_shot("household")
    journeys.finish()
