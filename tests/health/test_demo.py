"""The demo town's health year: the figures of the seed article and a roster worth working."""

from datetime import date

from django.core.management import call_command
from django.utils import timezone

from federation.models import Person, Village
from federation.scoping import Scope
from health import selectors
from health.models import CancerAidApplication, HPVDeferral, HPVDose, Screening


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
