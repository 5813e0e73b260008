"""History views exist only where history is kept, for every admin of every app: ledgers,
logs and proxies answer 404 (never 500) before any permission check, and their change
pages offer no 历史记录 button."""

import pytest
from django.contrib import admin

from federation.core.admin.base import ScopedModelAdmin
from federation.core.models import ImportRecord

SCOPED = {
    model: model_admin
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ScopedModelAdmin)
}
WITHOUT_HISTORY = {
    "federation.ImportRecord",
    "federation.ReportLog",
    "federation.RecordAccess",
    "federation.PurgeRecord",
    "federation.SecondFactorReset",
    "federation.GlassAccess",  # its steps are its own fields, the pages opened under it its RecordAccess rows
    "federation.PeriodSubmission",  # its log is its events (PeriodEvent), shown on its page
    "points.PointEntry",
    "points.PointClaim",  # who recorded, reviewed and returned it, and when, are its own fields
    "points.PointPosting",  # written once, never changed: who posted it and when are its own fields
    "points.StockLine",
    "points.Redemption",
    "health.HPVGirl",
}


def test_which_admins_keep_history():
    assert {model._meta.label for model, model_admin in SCOPED.items() if not model_admin.keeps_history()} == (
        WITHOUT_HISTORY
    )


@pytest.mark.parametrize("label", sorted(WITHOUT_HISTORY))
@pytest.mark.parametrize("role", ["superuser", "county_reader"])
def test_history_of_a_model_without_history_is_404(label, role, request, client_for, db):
    client = client_for(request.getfixturevalue(role))
    app, model = label.lower().split(".")
    assert client.get(f"/admin/{app}/{model}/1/history/").status_code == 404
    assert client.get(f"/admin/{app}/{model}/1/history/1/").status_code == 404


def test_the_change_page_offers_history_only_where_it_is_kept(client_for, superuser, taiba):
    client = client_for(superuser)
    record = ImportRecord.objects.create(resource="people", file_name="花名册.xlsx", sha256="0" * 64)
    response = client.get(f"/admin/federation/importrecord/{record.pk}/change/")
    assert response.status_code == 200 and "花名册.xlsx" in response.content.decode()
    assert "historylink" not in response.content.decode()
    response = client.get(f"/admin/federation/village/{taiba.pk}/change/")
    assert response.status_code == 200 and "historylink" in response.content.decode()
    assert client.get(f"/admin/federation/village/{taiba.pk}/history/").status_code == 200


def test_a_history_page_speaks_chinese_throughout(client_for, town_admin, taiba):
    from tests.factories import PersonFactory

    person = PersonFactory(village=taiba)  # saved by a factory: no user, no reason
    page = client_for(town_admin).get(f"/admin/federation/person/{person.pk}/history/").content.decode()
    assert "修改内容" in page and "修改原因" in page
    assert "Changes" not in page and "None" not in page
