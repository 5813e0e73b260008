"""The demo town's health year: the figures of the seed article and a roster worth working,
and the current year's work up to today."""

from datetime import date

from django.core.management import call_command
from django.utils import timezone

from federation.core.models import Village
from federation.core.scoping import Scope
from federation.models import Person
from health import selectors
from health.models import CancerAidApplication, HPVDeferral, HPVDose, InsurancePolicy, Screening


def test_demo_health_figures(db, capfd):
    call_command("seed_demo", verbosity=0)
    capfd.readouterr()
    call_command("county_report", "annual_summary", "--year", "2024")
    summary = {
        line.split(",")[1]: line.split(",")[2] for line in capfd.readouterr().out.lstrip("\ufeff").splitlines()[1:]
    }
    assert summary["两癌免费筛查"] == "9"
    assert summary["两癌救助申报"] == "2"
    assert summary["适龄女童HPV疫苗接种率"] == "69"
    assert 20 <= int(summary["两癌保险参保"]) <= 200

    villages = Village.objects.values_list("pk", flat=True)
    whole = selectors.total(selectors.hpv_coverage(Scope.of_villages(villages), date(2024, 12, 31)))
    assert whole.percent == 69 and whole.eligible >= 100
    # Every reason kind is present, and some girls have no reason recorded.
    assert set(whole.reasons) == {*HPVDeferral.Reason.values, ""}
    # Some second doses are due, a result waits for its recheck, an application for review.
    due = Person.objects.filter(selectors.second_dose_due_q(timezone.localdate()))
    assert due.exists()
    assert Screening.objects.filter(result=Screening.Result.ABNORMAL, recheck_outcome="").exists()
    assert CancerAidApplication.objects.filter(status=CancerAidApplication.Status.SUBMITTED).exists()
    assert CancerAidApplication.objects.filter(status=CancerAidApplication.Status.PAID).exists()
    # Every dose has its guardian's consent, every result its woman's.
    assert not HPVDose.objects.filter(consent_by="").exists()
    assert not Screening.objects.exclude(result="").filter(consent_on__isnull=True).exists()

    # The current year up to today: policies renewed in January, screenings, the girls who came
    # of age vaccinated or asked (today's coverage is the year's own, not 2024's), aid applied
    # for; nothing after today, each record recorded on its own day.
    today = timezone.localdate()
    year = today.year
    for model, field in ((HPVDose, "date"), (HPVDeferral, "recorded_on"), (Screening, "date")):
        assert not model.objects.filter(**{f"{field}__gt": today}).exists()
        for day, recorded in model.objects.filter(**{f"{field}__year": year}).values_list(field, "recorded_at"):
            assert timezone.localtime(recorded).date() == day
    # In each village a girl of the age today has neither a dose nor a reason: the clerk's to ask.
    for village in Village.objects.all():
        girls = selectors.hpv_girls(Person.objects.filter(village=village), today)
        assert girls.filter(vaccinated=False, reason__isnull=True).exists(), village
    if today >= date(year, 1, 24):
        assert InsurancePolicy.objects.filter(year=year).count() >= INSURED_RENEWED
    if today >= date(year, 3, 1):
        assert HPVDose.objects.filter(date__year=year, dose_number=1).exists()
        assert HPVDose.objects.filter(date__year=year, dose_number=2).exists()
        assert Screening.objects.filter(date__year=year, free_programme=True).exists()
    if today >= date(year, 7, 1):
        now = selectors.total(selectors.hpv_coverage(Scope.of_villages(villages), today))
        assert now.eligible >= 100 and 60 <= now.percent <= 90
    summary = {
        line.split(",")[1]: line.split(",")[2]
        for line in _summary(capfd, "--from", f"{year}-01-01", "--to", today.isoformat())
    }
    if today >= date(year, 2, 1):
        assert int(summary["两癌救助申报"]) >= 1


INSURED_RENEWED = 40  # of the 46 insured in 2024, nine in ten renew


def _summary(capfd, *period) -> list[str]:
    call_command("county_report", "annual_summary", *period)
    return capfd.readouterr().out.lstrip("\ufeff").splitlines()[1:]
