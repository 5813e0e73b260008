"""A domestic-violence case, to a user without aid.view_domestic_violence, is its number,
village, kind and status: every other column is masked in the list and the export, and the
list does not sort or filter it by anything else (issue 12, item 5)."""

import csv
import io
import re
from datetime import date

import pytest
from django.contrib import admin

from aid.models import MASK, DisputeCase
from aid.services import dispute_resolve, dispute_save, dispute_start_mediation
from tests.factories import PURPOSE, PersonFactory, take_file

LIST = "/admin/aid/disputecase/"
EXPORT = "/admin/aid/disputecase/export/"
VISIBLE = ("number", "village", "kind", "status")
# What the domestic-violence case holds beyond what she may know: none of it may reach her.
SECRETS = ("受害人林某", "施暴人赵某", "执委钱某甲", "调解员孙某乙", "民警周某丙", "醉酒后殴打", "签署保证书", "县法院")


@pytest.fixture
def marriage(taiba):
    """An ordinary case, registered first (…-001), found after the other one."""
    return dispute_save(
        case=DisputeCase(
            village=taiba,
            kind=DisputeCase.Kind.MARRIAGE,
            source=DisputeCase.Source.POLICE,
            found_on=date(2024, 3, 20),
            summary="彩礼争执",
            members="执委吴某",
            mediators="调解员郑某",
            police="民警王某",
        ),
        parties=[PersonFactory(village=taiba, name="当事人冯某")],
    )


@pytest.fixture
def violence(taiba, marriage):
    """A domestic-violence case (…-002) found on the 7th, mediated, transferred and closed."""
    case = dispute_save(
        case=DisputeCase(
            village=taiba,
            kind=DisputeCase.Kind.DOMESTIC_VIOLENCE,
            source=DisputeCase.Source.POLICE,
            found_on=date(2024, 3, 7),
            summary="醉酒后殴打",
            members="执委钱某甲",
            mediators="调解员孙某乙",
            police="民警周某丙",
        ),
        parties=[PersonFactory(village=taiba, name="受害人林某"), PersonFactory(village=taiba, name="施暴人赵某")],
    )
    case = dispute_start_mediation(case=case, day=date(2024, 3, 9))
    case = dispute_resolve(case=case, day=date(2024, 3, 11), outcome="签署保证书，移交县法院")
    assert case.number.endswith("-002") and marriage.number.endswith("-001")
    return case


def rows(response) -> dict[str, dict[str, str]]:
    """The changelist rows by case number: {column name: cell text}."""
    assert response.status_code == 200
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S):
        cells = dict(re.findall(r'<t[hd] class="field-(\w+)[^"]*"[^>]*>(.*?)</t[hd]>', row, re.S))
        if cells:
            found[re.sub(r"<[^>]+>", "", cells["number"]).strip()] = {
                name: re.sub(r"<[^>]+>", "", text).strip() for name, text in cells.items()
            }
    return found


def listed(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [case.number for case in response.context["cl"].result_list]


def column_index(client, name) -> int:
    """The `o` index of the list column called `name` (the action checkbox counts)."""
    columns = client.get(LIST).context["cl"].list_display
    return [getattr(column, "__name__", column) for column in columns].index(name)


def export(client, query="") -> list[list[str]]:
    form = client.get(EXPORT + query).context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(EXPORT + query, {"format": "0", "resource": "0", **data, **PURPOSE})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_list_shows_her_only_the_number_village_kind_and_status(client_for, care_clerk, violence, marriage):
    response = client_for(care_clerk).get(LIST)
    page, by_number = response.content.decode(), rows(response)
    for secret in SECRETS:
        assert secret not in page, secret
    shown = by_number[violence.number]
    assert (shown["village"], shown["kind"], shown["status"]) == ("太坝村", "家庭暴力", "已化解")
    # Beside them, her way in: a request to open it for a while (federation.core.glass).
    assert "glassaccess/add/?number=" in page and shown["glass"] and by_number[marriage.number]["glass"] in ("", "-")
    hidden = {name: text for name, text in shown.items() if name not in (*VISIBLE, "glass")}
    # source, found_on, parties, days open, closed_on: whatever the list shows beyond the four.
    assert {"source", "found_on", "parties_shown", "age", "closed_on"} <= set(hidden)
    assert set(hidden.values()) == {MASK}, hidden
    # The ordinary case stays whole.
    ordinary = by_number[marriage.number]
    assert ordinary["parties_shown"] == "当事人冯某" and MASK not in ordinary.values()
    assert "2024" in ordinary["found_on"] and ordinary["source"] and ordinary["age"].isdigit()


def test_with_the_permission_the_list_shows_the_whole_case(client_for, town_admin, violence):
    shown = rows(client_for(town_admin).get(LIST))[violence.number]
    assert shown["parties_shown"] == "受害人林某、施暴人赵某" and MASK not in shown.values()
    assert shown["age"] == "4"


def test_she_cannot_sort_by_a_hidden_column(client_for, care_clerk, town_admin, violence, marriage):
    client = client_for(care_clerk)
    page = client.get(LIST).content.decode()
    assert re.search(r'<th scope="col" class="sortable[^"]*column-number', page)
    assert re.search(r'<th scope="col" class="column-found_on', page)  # no "sortable"
    found_on = column_index(client, "found_on")
    # Her list goes by number, not by the date found; ?o= on found_on changes nothing.
    by_number = [violence.number, marriage.number]
    assert listed(client) == listed(client, o=found_on) == listed(client, o=f"-{found_on}") == by_number
    assert [row[0] for row in export(client)[1:]] == by_number
    client = client_for(town_admin)
    found_on = column_index(client, "found_on")
    assert listed(client) == [marriage.number, violence.number]  # the newest found first
    assert listed(client, o=found_on) == [violence.number, marriage.number]


@pytest.mark.parametrize(
    "params",
    [{"source": "police"}, {"source__exact": "police"}, {"found_on__year": "2024"}, {"found_on__gte": "2024-01-01"}],
)
def test_a_filter_on_a_hidden_attribute_leaves_the_case_out_for_her(
    client_for, care_clerk, town_admin, violence, marriage, params
):
    assert listed(client_for(care_clerk), **params) == [marriage.number]
    assert set(listed(client_for(town_admin), **params)) == {violence.number, marriage.number}


def test_filters_on_what_she_sees_still_find_the_case(client_for, care_clerk, taiba, violence, marriage):
    client = client_for(care_clerk)
    assert listed(client, kind="violence") == [violence.number]
    assert listed(client, status__exact="resolved") == [violence.number]
    assert listed(client, open="no") == [violence.number]
    assert set(listed(client, village__id__exact=taiba.pk)) == {violence.number, marriage.number}
    assert listed(client, q=violence.number) == [violence.number]


def test_facet_counts_of_a_hidden_attribute_leave_the_case_out_for_her(
    client_for, care_clerk, town_admin, violence, marriage
):
    def police_count(client):
        response = client.get(LIST, {"_facets": "1"})
        cl = response.context["cl"]
        spec = next(spec for spec in cl.filter_specs if getattr(spec, "field_path", None) == "source")
        choice = next(c for c in spec.choices(cl) if "source__exact=police" in c["query_string"])
        return str(choice["display"]).rsplit("(", 1)[1].rstrip(")")

    assert police_count(client_for(care_clerk)) == "1"
    assert police_count(client_for(town_admin)) == "2"


def test_the_date_hierarchy_does_not_show_her_when_the_case_was_found(
    client_for, care_clerk, town_admin, violence, marriage
):
    # Both cases were found in March 2024: the drill-down offers the days they were found on.
    assert "found_on__day=7" in client_for(town_admin).get(LIST).content.decode()
    assert "found_on__day=7" not in client_for(care_clerk).get(LIST).content.decode()


def test_the_export_masks_every_column_but_the_four_for_her(client_for, care_clerk, violence, marriage):
    client = client_for(care_clerk)
    table = export(client)
    content = "\n".join(",".join(row) for row in table)
    for secret in SECRETS:
        assert secret not in content, secret
    header, by_number = table[0], {row[0]: row for row in table[1:]}
    assert len(header) == 15  # every column of the resource was asked for
    shown = [cell for cell in by_number[violence.number] if cell != MASK]
    assert shown == [violence.number, "太坝村", "家庭暴力", "已化解"]
    ordinary = by_number[marriage.number]
    assert MASK not in ordinary
    assert {"当事人冯某", "彩礼争执", "执委吴某", "调解员郑某", "民警王某"} <= set(ordinary)
    # A hidden-attribute filter carried to the export leaves the case out as in the list.
    assert [row[0] for row in export(client, "?found_on__year=2024")[1:]] == [marriage.number]


def test_with_the_permission_the_export_names_the_handlers(client_for, town_admin, violence):
    table = export(client_for(town_admin))
    row = {row[0]: row for row in table[1:]}[violence.number]
    assert MASK not in row
    assert {"受害人林某、施暴人赵某", "醉酒后殴打", "执委钱某甲", "调解员孙某乙", "民警周某丙"} <= set(row)


def test_nothing_autocompletes_a_case_and_its_label_is_its_number(violence):
    targets = [
        (model, name)
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.autocomplete_fields
        if model._meta.get_field(name).related_model is DisputeCase
    ]
    assert targets == []
    assert str(violence) == violence.number


DAY = {"date_from": "2024-03-07", "date_to": "2024-03-07"}


@pytest.mark.parametrize("report", ["disputes_villages", "disputes_ledger", "annual_summary"])
def test_figures_counting_violence_cases_are_given_her_for_whole_months_only(client_for, care_clerk, violence, report):
    """Issue 24: asking the dispute report or the annual summary for one village and one day,
    in about nine requests she learned the days a violence case was found and closed."""
    client = client_for(care_clerk)
    response = client.get("/admin/reports/", {"report": report, **DAY})
    assert response.status_code == 200
    page = response.content.decode()
    if report == "annual_summary":
        table = response.context["table"]
        disputes = [row for row in table.rows if "纠纷" in row[1]]
        assert disputes and all(row[2] == "（仅按整月提供）" for row in disputes)
        assert any(isinstance(row[2], int) for row in table.rows)  # the other figures are given
    else:
        assert "table" not in response.context and "家暴" in page and "整月" in page
    for kind in ("csv", "xlsx"):
        download = take_file(client, "/admin/reports/", {"report": report, "format": kind, **DAY})
        assert download.status_code == 200
        if report != "annual_summary":
            assert download["Content-Type"].startswith("text/html")  # the form again, no file
    # A whole month, or a range of whole months, is given as ever.
    for period in ({"month": "2024-03"}, {"date_from": "2024-03-01", "date_to": "2024-04-30"}):
        assert "table" in client.get("/admin/reports/", {"report": report, **period}).context


def test_a_reader_who_may_see_violence_cases_gets_any_period(client_for, town_admin, violence):
    response = client_for(town_admin).get("/admin/reports/", {"report": "disputes_villages", **DAY})
    assert response.context["table"].rows[-1][1] == 1  # the total: the case found that day


def test_the_command_keeps_the_same_rule(care_clerk, violence):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="整月"):
        call_command(
            "county_report",
            "disputes_villages",
            "--user",
            care_clerk.username,
            "--from",
            "2024-03-07",
            "--to",
            "2024-03-07",
        )


def test_her_home_page_counts_this_years_violence_cases_to_the_end_of_last_month(
    client_for, care_clerk, taiba, settings
):
    """The home page's year runs to today: for her, the rows that count violence cases run to
    the end of last month, and say so."""
    from unittest import mock

    from django.utils import timezone

    today = date(2024, 3, 20)
    with mock.patch.object(timezone, "localdate", return_value=today):
        page = client_for(care_clerk).get("/admin/?year=2024").content.decode()
    assert "按整月，截至2024-02-29" in page
