"""Pickers that tell people apart and narrow to what the form has chosen (issue 26): two 吴欢
of one village are two different lines, and a redemption's 兑换人 is found among the chosen
household's members only."""

import json
from datetime import date

import pytest

from points.models import Goods, RedemptionEvent
from tests.factories import HouseholdFactory, PersonFactory


@pytest.fixture
def two_wu_huan(taiba):
    first = HouseholdFactory(village=taiba, number="TB-201", group="1组")
    second = HouseholdFactory(village=taiba, number="TB-202", group="3组")
    elder = PersonFactory(village=taiba, household=first, name="吴欢", born=date(1968, 2, 1))
    first.head = elder
    first.save()
    head = PersonFactory(village=taiba, household=second, name="陈建", born=date(1980, 1, 1), female=False)
    second.head = head
    second.save()
    younger = PersonFactory(village=taiba, household=second, name="吴欢", born=date(1992, 7, 9))
    return elder, younger, second


def search(client, field, term, **narrow):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "points", "model_name": "redemption", "field_name": field, "term": term, **narrow},
    )
    assert response.status_code == 200
    return [result["text"] for result in json.loads(response.content)["results"]]


def test_two_people_of_one_name_are_told_apart_without_a_hidden_digit(client_for, clerk, two_wu_huan):
    elder, younger, _household = two_wu_huan
    texts = search(client_for(clerk), "person", "吴欢")
    assert sorted(texts) == ["吴欢（1968年生，1组，TB-201户户主）", "吴欢（1992年生，3组，TB-202户，户主 陈建）"]
    assert not any(elder.id_number[6:] in text or younger.id_number[6:] in text for text in texts)


def test_a_user_who_may_see_identity_sees_the_id_number(client_for, town_admin, two_wu_huan):
    elder, _younger, _household = two_wu_huan
    texts = search(client_for(town_admin), "person", "吴欢")
    assert f"吴欢（{elder.id_number}，1组，TB-201户户主）" in texts


def test_the_person_picker_narrows_to_the_household_chosen(client_for, clerk, two_wu_huan):
    _elder, younger, household = two_wu_huan
    client = client_for(clerk)
    assert search(client, "person", "吴欢", narrow_household=household.pk) == [
        "吴欢（1992年生，3组，TB-202户，户主 陈建）"
    ]
    # A key that is not a key narrows nothing and breaks nothing.
    assert len(search(client, "person", "吴欢", narrow_household="abc")) == 2
    assert len(search(client, "person", "吴欢", narrow_nothing=household.pk)) == 2


def test_the_redeem_page_narrows_who_came_and_refuses_a_non_member_under_who_came(
    client_for, clerk, taiba, town, two_wu_huan
):
    elder, _younger, household = two_wu_huan
    event = RedemptionEvent.objects.create(village=taiba, date=date(2024, 6, 1))
    Goods.objects.create(town=town, name="洗衣粉", unit="袋", points_price=10, stock=5)
    client = client_for(clerk)
    url = f"/admin/points/redemptionevent/{event.pk}/redeem/"
    page = client.get(url).content.decode()
    assert 'data-narrow-by="household"' in page and "federation/narrow.js" in page
    # After the scripts it re-makes the picker with (it did nothing before them).
    assert page.index("admin/js/autocomplete.js") < page.index("federation/narrow.js")
    form = client.get(url).context["form"]
    goods = next(name for name in form.fields if name.startswith("goods_"))
    response = client.post(
        url,
        {"token": form.initial["token"], "household": household.pk, "person": elder.pk, goods: 1},
    )
    errors = response.context["form"].errors
    assert list(errors) == ["person"] and "不是本户成员" in errors["person"][0]
