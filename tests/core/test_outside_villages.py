"""A typed or old link filtering on a village the user does not see says so, on every list
and on the report page, instead of showing an empty list without a word."""

import pytest

MESSAGE = "所选的村(社区)不在您的工作范围内"


@pytest.mark.parametrize(
    "path, key",
    [
        ("federation/person", "village__id__exact"),
        ("federation/household", "village__id__exact"),
        ("federation/activity", "villages__id__exact"),
        ("aid/charityaid", "village"),
        ("points/redemptionevent", "village__id__exact"),
    ],
)
def test_a_list_filtered_on_another_village_says_so(client_for, clerk, taiba, fenghe, path, key):
    client = client_for(clerk)
    page = client.get(f"/admin/{path}/?{key}={fenghe.pk}").content.decode()
    assert MESSAGE in page
    assert MESSAGE not in client.get(f"/admin/{path}/?{key}={taiba.pk}").content.decode()


def test_the_report_page_names_a_village_outside_the_scope(client_for, clerk, fenghe):
    page = client_for(clerk).get(f"/admin/reports/?report=population&year=2024&villages={fenghe.pk}")
    assert f"（编号 {fenghe.pk}）不在您的工作范围内" in page.content.decode()
