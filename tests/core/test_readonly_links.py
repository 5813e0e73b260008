"""A related record shown read-only on a page links to its own page only for a user who may
open it: no link that answers 403 (a user's page) or 404 (a household now in another village)."""

from datetime import date

from points.models import Goods, PointRule, RedemptionEvent
from points.services import goods_restock, point_award, redemption_create


def test_read_only_records_link_only_where_they_open(client_for, clerk, superuser, town, taiba, own_household, fenghe):
    rule = PointRule.objects.create(town=town, category=PointRule.Category.SANITATION, description="整洁", points=50)
    point_award(household=own_household, rule=rule, day=date(2024, 3, 1), by=clerk)
    soap = Goods.objects.create(town=town, name="洗衣皂", unit="块", points_price=10)
    goods_restock(goods=soap, quantity=5, by=None)
    event = RedemptionEvent.objects.create(village=taiba, date=date(2024, 5, 1), place="村委会")
    redemption = redemption_create(
        event=event, household=own_household, person=own_household.head, items=[(soap, 1)], by=clerk
    )
    url = f"/admin/points/redemption/{redemption.pk}/change/"
    user_page = f"/admin/auth/user/{clerk.pk}/change/"
    household_page = f"/admin/federation/household/{own_household.pk}/change/"

    page = client_for(clerk).get(url).content.decode()
    assert household_page in page and user_page not in page and clerk.username in page
    assert user_page in client_for(superuser).get(url).content.decode()

    type(own_household).objects.filter(pk=own_household.pk).update(village=fenghe)  # the family moves
    line = own_household.point_entries.get(kind="award")
    page = client_for(clerk).get(f"/admin/points/pointentry/{line.pk}/change/").content.decode()
    assert household_page not in page and "TB-001" in page
    assert client_for(clerk).get(household_page).status_code == 404


def test_the_check_is_asked_once_for_each_record(client_for, clerk, town, own_household):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rule = PointRule.objects.create(town=town, category=PointRule.Category.SANITATION, description="整洁", points=5)
    client = client_for(clerk)
    url = f"/admin/federation/household/{own_household.pk}/change/"

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    point_award(household=own_household, rule=rule, day=date(2024, 3, 1), by=clerk)
    queries()  # the first page of a session reads more
    few = queries()
    for day in range(2, 12):
        point_award(household=own_household, rule=rule, day=date(2024, 3, day), by=clerk)
    assert queries() == few
