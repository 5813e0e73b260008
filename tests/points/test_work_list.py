"""Goods low in stock: one selector for the goods list's filter and the home page's work list."""

from points.services import goods_restock


def test_goods_at_or_below_their_restock_level_are_listed_and_counted(client_for, town_admin, soap, oil):
    soap.low_stock = 5  # 5 in stock: at the level
    soap.save()
    oil.low_stock = 3  # 10 in stock
    oil.save()
    client = client_for(town_admin)
    reminders = {label: (count, url) for label, count, url in client.get("/admin/").context["reminders"]}
    count, url = reminders["库存不足的兑换物品"]
    assert count == 1
    listed = client.get(url).context["cl"].result_list
    assert [goods.name for goods in listed] == ["洗衣皂"]
    goods_restock(goods=soap, quantity=1, by=town_admin)
    reminders = {label: count for label, count, _url in client.get("/admin/").context["reminders"]}
    assert reminders["库存不足的兑换物品"] == 0
