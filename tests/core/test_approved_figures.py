"""Approved figures stay as approved (issue 24, item 5): 太坝村's 2024 HPV coverage was 71% when
the year was approved and 67% after a girl born in 2015 was imported in 2026. At approval the
period's figures are kept; the report, its downloads, the command and the binder of that
village (or the whole town) and period print those, and say when and how today's differ."""

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command

from federation.core.models import ApprovedFigures
from federation.core.submissions import submission_approve, submission_reopen, submission_submit
from health.models import HPVDose
from health.services import health_record_save
from tests.factories import PersonFactory, take_file

MARCH = date(2024, 3, 15)


@pytest.fixture
def vaccinated(taiba):
    girl = PersonFactory(village=taiba, name="张小花", born=date(2012, 5, 1))
    return health_record_save(
        record=HPVDose(
            person=girl,
            dose_number=1,
            date=date(2024, 3, 10),
            vaccine=HPVDose.Vaccine.DOMESTIC_BIVALENT,
            site="镇卫生院",
            consent_by="张大山",
            consent_on=date(2024, 3, 6),
        ),
        by=None,
    )


def approve(village, day, clerk, town_admin):
    return submission_approve(
        submission=submission_submit(village=village, day=day, note="本月无记录", by=clerk), by=town_admin
    )


def hpv_row(table):
    return next(row for row in table.rows if row[0] == "太坝村")


def test_the_report_of_an_approved_month_prints_its_figures_as_approved(
    vaccinated, taiba, fenghe, clerk, town_admin, client_for
):
    approve(taiba, MARCH, clerk, town_admin)
    query = {"report": "hpv_villages", "month": "2024-03", "villages": [taiba.pk]}
    client = client_for(town_admin)
    before = client.get("/admin/reports/", query)
    assert hpv_row(before.context["table"])[1:3] == [1, 1]  # eligible, vaccinated
    assert "审核通过时" in before.content.decode() and "相同" in before.content.decode()
    # A girl of the age, born in 2015, imported afterwards: today's records count two girls.
    PersonFactory(village=taiba, name="李小红", born=date(2014, 1, 1))
    after = client.get("/admin/reports/", query)
    assert hpv_row(after.context["table"]) == hpv_row(before.context["table"])
    page = after.content.decode()
    assert "审核通过时" in page and "适龄女童：1 → 2" in page
    download = take_file(client, "/admin/reports/", {**query, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert next(row for row in rows if row[0] == "太坝村")[1] == "1"
    assert "适龄女童：1 → 2" in rows[-1][0]
    # Another period, or another set of villages, is computed from today's records.
    live = client.get("/admin/reports/", {**query, "month": "2024-04"})
    assert hpv_row(live.context["table"])[1] == 2 and "审核通过时" not in live.content.decode()


def test_reopening_forgets_the_kept_figures_and_approving_again_keeps_todays(
    vaccinated, taiba, fenghe, clerk, town_admin
):
    submission = approve(taiba, MARCH, clerk, town_admin)
    assert ApprovedFigures.objects.filter(village=taiba, start=date(2024, 3, 1)).exists()
    PersonFactory(village=taiba, name="李小红", born=date(2014, 1, 1))
    submission_reopen(submission=submission, reason="补录", by=town_admin)
    assert not ApprovedFigures.objects.filter(village=taiba).exists()
    approve(taiba, MARCH, clerk, town_admin)
    kept = ApprovedFigures.objects.get(village=taiba, start=date(2024, 3, 1), report="hpv_villages")
    assert next(row for row in kept.rows if row[0] == "太坝村")[1] == 2


def test_a_quarter_a_year_and_the_whole_town_are_kept_once_all_their_months_are(
    vaccinated, taiba, fenghe, clerk, town_admin, tmp_path
):
    for month in (1, 2, 3):
        approve(taiba, date(2024, month, 5), clerk, town_admin)
    kept = set(ApprovedFigures.objects.filter(report="hpv_villages").values_list("village", "start", "end"))
    assert (taiba.pk, date(2024, 1, 1), date(2024, 3, 31)) in kept  # the quarter
    assert not any(village is None for village, *_ in kept)  # 冯河村 has approved nothing
    for month in (1, 2, 3):  # the town administrator submits for 冯河 (the clerk keeps 太坝 only)
        approve(fenghe, date(2024, month, 5), town_admin, town_admin)
    town_kept = ApprovedFigures.objects.filter(village__isnull=True, report="hpv_villages")
    assert {(row.start, row.end) for row in town_kept} == {
        (date(2024, 1, 1), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 31)),
        (date(2024, 1, 1), date(2024, 3, 31)),
    }
    for month in range(4, 13):
        approve(taiba, date(2024, month, 5), clerk, town_admin)
    assert ApprovedFigures.objects.filter(village=taiba, start=date(2024, 1, 1), end=date(2024, 12, 31)).exists()
    # The command prints the kept year and says so.
    PersonFactory(village=taiba, name="李小红", born=date(2014, 1, 1))
    out = tmp_path / "hpv.csv"
    call_command("county_report", "hpv_villages", "--year", "2024", "--village", "太坝村", "-o", str(out))
    assert next(row for row in csv.reader(out.open(encoding="utf-8-sig")) if row[0] == "太坝村")[1] == "1"


def test_approvals_in_bulk_keep_their_figures_in_the_background(vaccinated, taiba, fenghe, clerk, town_admin):
    """The demo approves 143 months at once: their figures are kept by the worker."""
    from django_tasks_db.models import DBTaskResult

    from federation.core import approved

    with approved.deferred():
        submission = approve(taiba, MARCH, clerk, town_admin)
    assert not ApprovedFigures.objects.exists()
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [submission.pk]
    approved.keep_figures.call(submission.pk)  # what the worker runs
    assert ApprovedFigures.objects.filter(village=taiba, start=date(2024, 3, 1), report="hpv_villages").exists()
