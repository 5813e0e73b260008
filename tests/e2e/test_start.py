"""A new clerk's first minutes: she signs in on the login page, finds today's work on the home
page, and opens 帮助 from the header of the page she is on: the manual opens at that page's
section, its pictures shown. On a phone the main menu leads to the manual too."""

import os

import pytest

from tests.e2e.journey import PHONE

pytestmark = pytest.mark.e2e


def header_help(journey, label: str) -> None:
    """The 帮助 link of the header (the user links), as on every page."""
    journey.click(journey.page.locator("#user-tools a", has_text="帮助"), label)


def pictures_shown(journey) -> None:
    """Every picture of the manual's page is loaded (none broken). Not while `make manual`
    takes them anew: a picture may be written by a test that runs later."""
    if os.environ.get("MANUAL_SHOTS"):
        return
    pictures = journey.page.locator(".manual img")
    assert pictures.count() > 0, "the section has pictures of its pages"
    # Loaded first: the manual's pictures are lazy, and those below the window load only when
    # scrolled to (a longer section put the redemption's pictures there).
    broken = pictures.evaluate_all(
        """images => Promise.all(images.map(image => {
                image.loading = 'eager';
                return image.decode().catch(() => null);
            })).then(() => images.filter(image => !image.naturalWidth).map(image => image.src))"""
    )
    assert broken == [], broken


def test_clerk_signs_in_and_opens_the_manual_where_she_is(journeys):
    taiba = journeys.anonymous("taiba")
    page = taiba.page
    taiba.goto("/admin/", "login")
    assert page.locator("#id_username").count() == 1, "the address of the workbench leads to its login page"
    page.fill("#id_username", "taiba")
    page.fill("#id_password", journeys.password)
    taiba.manual_shot("login")
    taiba.click("input[type=submit]", "home")
    assert page.url.rstrip("/").endswith("/admin"), page.url
    assert page.locator("#reminders-module").count() == 1, "the home page lists today's work"
    taiba.manual_shot("home")

    # 帮助 on the home page: the section about the home page.
    header_help(taiba, "help-home")
    assert page.url.endswith("/admin/help/start/"), page.url
    assert page.locator("h1").inner_text() == "登录与首页"
    pictures_shown(taiba)

    # On a list: the section of that list's work.
    taiba.goto("/admin/", "home-again")
    taiba.click(page.locator("#content-main a[href$='/points/pointentry/']"), "points-ledger")
    header_help(taiba, "help-points")
    assert page.url.endswith("/admin/help/points/"), page.url
    pictures_shown(taiba)

    # The contents: every section, hers first.
    taiba.click(page.locator(".breadcrumbs a", has_text="帮助"), "help-contents")
    sections = page.locator(".manual-contents a").all_inner_texts()
    assert "积分超市：积分登记和兑换" in sections and "名词解释" in sections, sections
    journeys.finish()


def test_on_a_phone_the_main_menu_leads_to_the_manual(journeys):
    taiba = journeys.open("taiba", PHONE, "phone")
    page = taiba.page
    taiba.manual_shot("home-phone")
    taiba.click(page.locator("#workbench-nav a", has_text="帮助"), "help-contents")
    assert page.url.endswith("/admin/help/"), page.url
    taiba.click(page.locator(".manual-contents a", has_text="HPV"), "help-hpv")
    assert page.url.endswith("/admin/help/hpv/"), page.url
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the manual is {width}px wide on a {PHONE['width']}px phone"
    pictures_shown(taiba)
    journeys.finish()
