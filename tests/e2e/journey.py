"""What the browser tests do on every page: a screenshot, the page's visible text and the Latin
words in it (issue 14: a clerk meets no English), and the admin's widgets a clerk uses.

A journey is one user in one browser context. ``snap`` is called on every page the journey
visits (``goto`` and ``click`` call it): it saves ``NN-label.png`` under the test's folder of
tests/e2e/screenshots/, reads ``document.body.innerText`` and keeps each word of three or more
Latin letters that is not an allowed code. ``Journeys.finish`` fails the test on such words
and on the problems a journey noted on its way (``problem``).

``manual_shot`` takes the manual's pictures (帮助, federation/help.py) at the steps the manual
explains: with MANUAL_SHOTS=1 (``make manual``) it writes the window the user sees to
federation/static/federation/manual/<name>.png; otherwise it does nothing. Its names are
literals, which tests/core/test_help.py matches against the manual's templates.
"""

import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

# Codes a clerk reads as they are: file formats and encodings she chooses, the vaccine's name,
# the spreadsheet program, the checksum's name. And the login names of the accounts the tests
# use, which the logs show as they show an ID number: data, not the product's words. Compared
# in capitals.
ALLOWED_LATIN = {"CSV", "XLS", "XLSX", "ODS", "PDF", "PNG", "JPEG", "HPV", "EXCEL", "UTF", "GBK", "SHA"} | {
    "TOWN",
    "TAIBA",
    "CHAIR",
    "COUNTY",
    "FENGHE",
    "MAZHUANG",
}
# Letters only, between neither letters nor digits: a checksum's hex digits are no word.
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])")

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}

MANUAL_FOLDER = Path(__file__).resolve().parents[2] / "federation" / "static" / "federation" / "manual"
# A screenshot of the admin holds few colours: 64 keep its text sharp at a third of the size.
MANUAL_COLOURS = 64


def latin_words(text: str) -> list[tuple[str, str]]:
    """Each Latin word of three or more letters not in the allowed codes, with its line."""
    found = []
    for line in text.splitlines():
        for match in LATIN_WORD.finditer(line):
            if match.group().upper() not in ALLOWED_LATIN:
                found.append((match.group(), line.strip()[:160]))
    return found


@dataclass
class PageSeen:
    label: str
    url: str
    width: int
    words: list[tuple[str, str]] = field(default_factory=list)


class Journey:
    def __init__(self, journeys: "Journeys", page, user: str, viewport_name: str):
        self.journeys = journeys
        self.page = page
        self.user = user
        self.viewport_name = viewport_name
        self.base_url = journeys.base_url

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def goto(self, path: str, label: str, status: int = 200):
        response = self.page.goto(self.url(path))
        assert response is not None, path
        assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
        self.snap(label)
        return response

    def click(self, target, label: str):
        """Click a link or button that loads a page, then snap the new page."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        with self.page.expect_navigation():
            locator.first.click()
        self.snap(label)

    def snap(self, label: str) -> None:
        self.page.wait_for_load_state("load")
        self.journeys.snap(self, label)

    def manual_shot(self, name: str, focus=None) -> None:
        """The manual's picture `name`: the window as the user sees it (not the whole page), from
        the top of the page, or scrolled so that `focus` (a selector or locator) is at its top.
        Written only with MANUAL_SHOTS=1, as a 64-colour PNG of the window's size (1366 × 768,
        or a phone's 375 × 812)."""
        if not os.environ.get("MANUAL_SHOTS"):
            return
        page = self.page
        if focus is None:
            page.evaluate("window.scrollTo(0, 0)")  # filling a form scrolls it to the last field
        else:
            locator = page.locator(focus) if isinstance(focus, str) else focus
            locator.first.evaluate(
                "element => window.scrollTo(0, Math.max(0, element.getBoundingClientRect().top + window.scrollY - 12))"
            )
        picture = Image.open(io.BytesIO(page.screenshot(animations="disabled", caret="hide"))).convert("RGB")
        picture = picture.quantize(colors=MANUAL_COLOURS, dither=Image.Dither.NONE)
        MANUAL_FOLDER.mkdir(parents=True, exist_ok=True)
        picture.save(MANUAL_FOLDER / f"{name}.png", optimize=True)
        page.evaluate("window.scrollTo(0, 0)")

    def problem(self, message: str) -> None:
        """Something a clerk would be stopped by, noted without ending the journey."""
        self.journeys.problems.append(f"{self.user} ({self.viewport_name}) at {self.page.url}: {message}")

    def messages(self) -> list[str]:
        """The admin's messages on the current page (success and errors)."""
        return [text.strip() for text in self.page.locator("ul.messagelist li").all_inner_texts()]

    def choose(self, field_id: str, term: str) -> str:
        """Pick in an admin autocomplete (select2): open it, type, take the first answer that
        shows what was typed. Returns the answer's text as the clerk reads it."""
        self.page.locator(f"#{field_id} + .select2 .select2-selection").click()
        search = self.page.locator(".select2-container--open .select2-search__field")
        search.fill(term)
        # The answers to what she typed: the list shown before them is the first page of all.
        option = self.page.locator(
            ".select2-container--open .select2-results__option:not(.loading-results):not(.select2-results__message)",
            has_text=term,
        ).first
        option.wait_for()
        text = option.inner_text()
        option.click()
        return text

    def rows(self, table: str = "#result_list") -> list[list[str]]:
        """The cells of a change list's rows (the check box cell left out)."""
        return self.page.locator(f"{table} tbody tr").evaluate_all(
            """rows => rows.map(row => Array.from(row.querySelectorAll(':scope > th, :scope > td'))
                .filter(cell => !cell.classList.contains('action-checkbox'))
                .map(cell => cell.innerText.trim()))"""
        )

    def headers(self, table: str = "#result_list") -> list[str]:
        # A sorted column's header holds its sort options too: its name is in div.text.
        headers = self.page.locator(f"{table} thead th").evaluate_all(
            "cells => cells.map(cell => (cell.querySelector('.text') || cell).innerText.trim())"
        )
        if self.page.locator(f"{table} thead th.action-checkbox-column").count():
            headers = headers[1:]
        return headers

    def column(self, name: str, table: str = "#result_list") -> list[str]:
        """A column's cells; none when the page has no such table (a list with no results)."""
        if self.page.locator(table).count() == 0:
            return []
        index = self.headers(table).index(name)
        return [row[index] for row in self.rows(table)]

    def search(self, term: str, label: str) -> None:
        """Search the change list as a clerk does: type in the search box and press Enter."""
        box = self.page.locator("#searchbar")
        box.fill(term)
        with self.page.expect_navigation():
            box.press("Enter")
        self.snap(label)


class Journeys:
    """The journeys of one test: screenshots and the words and problems they met."""

    def __init__(self, browser, base_url: str, folder: Path, password: str):
        self.browser = browser
        self.base_url = base_url
        self.folder = folder
        self.password = password
        self.contexts = []
        self.pages: list[PageSeen] = []
        self.problems: list[str] = []
        self.count = 0

    def open(self, user: str, viewport: dict = DESKTOP, viewport_name: str = "desktop") -> Journey:
        """A new browser (context) at that size, logged in through the login page."""
        journey = self.anonymous(user, viewport, viewport_name)
        journey.goto("/admin/", f"{user}-login")
        journey.page.fill("#id_username", user)
        journey.page.fill("#id_password", self.password)
        journey.click("input[type=submit]", f"{user}-home")
        assert journey.page.url.rstrip("/").endswith("/admin"), f"{user} did not log in: {journey.page.url}"
        return journey

    def anonymous(self, user: str, viewport: dict = DESKTOP, viewport_name: str = "desktop") -> Journey:
        """A new browser (context) at that size, not logged in yet (`user` names the journey)."""
        phone = viewport["width"] < 600
        context = self.browser.new_context(
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            is_mobile=phone,
            has_touch=phone,
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        return Journey(self, context.new_page(), user, viewport_name)

    def snap(self, journey: Journey, label: str) -> None:
        self.count += 1
        page = journey.page
        name = re.sub(r"[^\w-]+", "-", label).strip("-")
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)
        text = page.evaluate("document.body ? document.body.innerText : ''")
        width = page.evaluate("document.documentElement.scrollWidth")
        self.pages.append(PageSeen(label, page.url, width, latin_words(text)))

    def excuse(self, words: set[str]) -> list[str]:
        """Take these Latin words off the pages seen (a known defect, reported, that is not the
        journey's subject) and return the addresses they were on, for the test to assert that
        they still are: once the defect is fixed, the test says so and the excuse goes."""
        found = []
        for seen in self.pages:
            if any(word in words for word, _line in seen.words):
                found.append(seen.url)
                seen.words = [(word, line) for word, line in seen.words if word not in words]
        return found

    def words(self) -> list[tuple[str, str, str]]:
        return [(seen.url, word, line) for seen in self.pages for word, line in seen.words]

    def report(self) -> str:
        """Each page visited, its width, and the Latin words on it."""
        lines = []
        for seen in self.pages:
            lines.append(f"{seen.label}  {seen.url}  (width {seen.width}px)")
            unique = {}
            for word, line in seen.words:
                unique.setdefault(word, line)
            lines.extend(f"    {word}    «{line}»" for word, line in unique.items())
        return "\n".join(lines)

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def finish(self) -> None:
        """Fail on what the journeys noted and on English in visible text (issue 14)."""
        messages = list(self.problems)
        words = {}
        for url, word, line in self.words():
            words.setdefault((url, word), line)
        if words:
            messages.append(
                "Latin words in visible text:\n"
                + "\n".join(f"    {word}  at {url}  «{line}»" for (url, word), line in words.items())
            )
        assert not messages, "\n".join(messages)
