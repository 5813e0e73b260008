"""A clerk of another village (冯河村, tests/e2e/prepare.py) finds none of 太坝's records: not in
her lists, not by search, not through a typed filter on 太坝, not by typing a 太坝 record's
address (404), not in a picker's answers."""

import pytest

from tests.e2e.prepare import OTHER_CLERK, OTHER_VILLAGE

pytestmark = pytest.mark.e2e

LISTS = {
    "people": ("/admin/federation/person/", "姓名"),
    "households": ("/admin/federation/household/", "户号"),
    "hpv-girls": ("/admin/health/hpvgirl/", "姓名"),
    "sessions": ("/admin/points/redemptionevent/", "日期"),
}


def taiba_records(journeys) -> dict:
    """What the 太坝 clerk sees: the first record of each list (its name or number and its
    address) and her village's id."""
    taiba = journeys.open("taiba")
    records = {}
    for name, (path, column) in LISTS.items():
        taiba.goto(path, f"taiba-{name}")
        link = taiba.page.locator("#result_list tbody tr").first.locator("a[href*='/change/']").first
        records[name] = (taiba.column(column)[0], link.get_attribute("href").split("?")[0])
    taiba.goto("/admin/federation/person/add/", "taiba-add-person")
    records["village_id"] = taiba.page.locator("#id_village option", has_text="太坝村").get_attribute("value")
    return records


def test_another_village_finds_none_of_taibas_records(journeys):
    records = taiba_records(journeys)
    other = journeys.open(OTHER_CLERK)
    page = other.page

    for name, (path, column) in LISTS.items():
        key, url = records[name]
        # Her lists hold her village only.
        other.goto(path, f"{name}-list")
        assert set(other.column("村(社区)")) == {OTHER_VILLAGE}, name
        # Searching what the 太坝 clerk sees finds nothing of 太坝 (a namesake of 冯河 at most).
        if name != "sessions":
            other.search(key, f"{name}-search")
            assert set(other.column("村(社区)")) <= {OTHER_VILLAGE}, f"searching {key} in {name}"
            if name == "households":
                assert other.column(column) == [], f"household {key} of 太坝 found"
        # A typed filter on 太坝 shows nothing of 太坝 (refused, or answered within her scope).
        response = page.goto(f"{other.url(path)}?village__id__exact={records['village_id']}")
        other.snap(f"{name}-typed-filter")
        if response.status == 200:
            assert set(other.column("村(社区)")) <= {OTHER_VILLAGE}, f"{name} filtered on 太坝"
        else:
            assert response.status in (400, 404), f"{name} filtered on 太坝: HTTP {response.status}"
        # And a 太坝 record's own address is not found.
        other.goto(url, f"{name}-typed-url", status=404)
    other.goto(records["sessions"][1].replace("/change/", "/redeem/"), "redeem-typed-url", status=404)

    # The household picker of 兑换登记 answers nothing of 太坝 either.
    answer = page.context.request.get(
        other.url("/admin/autocomplete/"),
        params={
            "app_label": "points",
            "model_name": "redemption",
            "field_name": "household",
            "term": records["households"][0],
        },
    )
    assert answer.ok, answer.status
    assert answer.json()["results"] == [], answer.json()
    journeys.finish()
