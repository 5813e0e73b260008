"""The date drill-down above every list with one: the same choices Django would offer for the
years, months and days that hold records, found from the two ends of the date index instead
of two aggregates over every row in scope."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

WITH_DATES = [model_admin for model_admin in admin.site._registry.values() if model_admin.date_hierarchy]


@pytest.fixture
def demo(demo_town, db):
    pass


def choices(page: str) -> list[str]:
    block = re.search(r'<nav class="toplinks">(.*?)</nav>', page, re.S)
    assert block, "no date drill-down on the page"
    return [title.strip() for title in re.findall(r"<a [^>]*>([^<]+)</a>", block.group(1)) if "‹" not in title]


def test_every_list_with_dates_offers_its_years_without_a_scan_of_the_table(client_for, demo):
    from django.contrib.auth import get_user_model

    client = client_for(get_user_model().objects.get(username="admin"))
    assert len(WITH_DATES) >= 8
    for model_admin in WITH_DATES:
        opts = model_admin.model._meta
        url = f"/admin/{opts.app_label}/{opts.model_name}/"
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        sql = " ".join(query["sql"].upper() for query in queries)
        assert "DISTINCT" not in sql or "DATE_TRUNC" not in sql, url
        assert "MIN(" not in sql, url
        dates = model_admin.model._default_manager.exclude(**{f"{model_admin.date_hierarchy}__isnull": True})
        if not dates.exists():
            continue
        values = list(dates.values_list(model_admin.date_hierarchy, flat=True))
        years = sorted({value.year for value in values})
        months = {(value.year, value.month) for value in values}
        offered = choices(page)
        if len(years) > 1:
            assert [str(year) for year in range(years[0], years[-1] + 1)] == offered, url
        elif len(months) > 1:  # one year: Django opens it on its months
            assert all(str(years[0]) in choice for choice in offered[1:]), (url, offered)
        else:  # one month (today's claims, a month's posting): on its days
            ((_year, month),) = months
            assert all(choice.startswith(f"{month}月") for choice in offered[1:]), (url, offered)


def test_a_year_drills_into_its_months_and_a_month_into_its_days(client_for, demo):
    from django.contrib.auth import get_user_model

    client = client_for(get_user_model().objects.get(username="admin"))
    page = client.get("/admin/points/pointentry/?date__year=2024").content.decode()
    assert "2024年1月" in page and "2024年12月" in page and "date__month=12" in page
    page = client.get("/admin/points/pointentry/?date__year=2024&date__month=3").content.decode()
    assert "date__day=1" in page and "date__day=31" in page and "3月31日" in page
