"""The register and the sales in the admin: who opens what, the forms writing through the
services, and pinned query counts."""

from datetime import date

import pytest
from django.utils.translation import gettext as _

from crafts.models import CraftSale, Craftswoman
from tests.crafts.conftest import register, sell
from tests.factories import PersonFactory

PAGES = ["craftswoman", "craftsale"]


@pytest.fixture
def records(craftswoman, training, fenghe):
    craftswoman.trainings.add(training)
    sell(craftswoman)
    other = register(PersonFactory(village=fenghe, name="冯河绣娘"))
    sell(other, amount=50)
    return craftswoman, other


@pytest.mark.parametrize("model", PAGES)
def test_each_role_opens_what_it_may(
    client_for, town_admin, clerk, county_reader, records, model, django_assert_max_num_queries
):
    ours, theirs = records
    ours_pk = ours.pk if model == "craftswoman" else ours.sales.get().pk
    theirs_pk = theirs.pk if model == "craftswoman" else theirs.sales.get().pk
    base = f"/admin/crafts/{model}/"
    for user in (town_admin, clerk):
        client = client_for(user)
        with django_assert_max_num_queries(25):
            assert client.get(base).status_code == 200
        with django_assert_max_num_queries(25):
            assert client.get(base, {"q": "巧手"}).status_code == 200
        assert client.get(f"{base}add/").status_code == 200
        with django_assert_max_num_queries(40):
            assert client.get(f"{base}{ours_pk}/change/").status_code == 200
        assert client.get(f"{base}{ours_pk}/history/").status_code == 200
    # The 太坝 clerk: another village's records answer as absent, and are not listed.
    client = client_for(clerk)
    assert client.get(f"{base}{theirs_pk}/change/").status_code == 404
    listed = client.get(base).context["cl"].queryset
    assert ours_pk in {obj.pk for obj in listed} and theirs_pk not in {obj.pk for obj in listed}
    # The county reader reads figures, never the register.
    county = client_for(county_reader)
    assert county.get(base).status_code == 403
    assert county.get(f"{base}{ours_pk}/change/").status_code in (403, 404)


def test_the_clerk_may_not_delete(client_for, clerk, town_admin, records):
    ours, _theirs = records
    sale = ours.sales.get()
    assert client_for(clerk).get(f"/admin/crafts/craftsale/{sale.pk}/delete/").status_code == 403
    response = client_for(town_admin).post(f"/admin/crafts/craftsale/{sale.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not CraftSale.objects.filter(pk=sale.pk).exists()
    assert CraftSale.history.filter(id=sale.pk, history_type="-").get().history_user == town_admin


def test_register_a_woman_and_her_sales_on_one_page(client_for, clerk, woman, training, taiba, no_history_middleware):
    # A clerk of villages picks the trainings held in them (town-wide activities are the town's).
    training.villages.set([taiba])
    data = {
        "person": woman.pk,
        "craft": "embroidery",
        "workshop": "太坝刺绣工坊",
        "joined_on": "2024-02-01",
        "trainings": [training.pk],
        "note": "",
        "sales-TOTAL_FORMS": "1",
        "sales-INITIAL_FORMS": "0",
        "sales-0-date": "2024-06-01",
        "sales-0-channel": "ecommerce",
        "sales-0-amount": "288.50",
        "sales-0-quantity": "6",
        "sales-0-note": "网店",
    }
    response = client_for(clerk).post("/admin/crafts/craftswoman/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = Craftswoman.objects.get()
    assert (entry.recorded_by, list(entry.trainings.all())) == (clerk, [training])
    sale = entry.sales.get()
    assert (sale.village, sale.recorded_by, str(sale.amount)) == (woman.village, clerk, "288.50")
    assert sale.history.get().history_user == clerk  # the services named her, not the middleware
    page = client_for(clerk).get("/admin/crafts/craftswoman/").content.decode()
    assert _("%(count)d sales, %(amount)s yuan") % {"count": 1, "amount": "288.50"} in page


def test_a_man_is_refused_by_the_form(client_for, clerk, taiba):
    man = PersonFactory(village=taiba, name="王师傅", female=False)
    response = client_for(clerk).post(
        "/admin/crafts/craftswoman/add/",
        {
            "person": man.pk,
            "craft": "weaving",
            "joined_on": "2024-02-01",
            "sales-TOTAL_FORMS": "0",
            "sales-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and not Craftswoman.objects.exists()
    assert response.context["adminform"].form.errors["person"] == ["王师傅 不是女性。"]


def test_a_sale_in_an_approved_month_is_refused_in_the_admin(client_for, clerk, town_admin, craftswoman, taiba):
    from federation.core.submissions import submission_approve, submission_submit

    submission_approve(
        submission=submission_submit(village=taiba, day=date(2024, 3, 1), note="本月无记录", by=clerk), by=town_admin
    )
    data = {"craftswoman": craftswoman.pk, "date": "2024-03-08", "channel": "offline", "amount": "40", "quantity": "2"}
    response = client_for(clerk).post("/admin/crafts/craftsale/add/", data, follow=True)
    assert "2024年3月（太坝村）已审核锁定" in response.content.decode()
    assert not CraftSale.objects.exists()
