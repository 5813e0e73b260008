"""Lists on a phone keep their key columns; the site's stylesheet is on every admin page."""


def test_the_people_list_leaves_out_all_but_its_key_columns_on_a_phone(client_for, clerk, taiba):
    page = client_for(clerk).get("/admin/federation/person/")
    assert page.context["cl"].mobile_hidden == ["id_number", "sex", "phone", "village", "relation_to_head", "status"]
    html = page.content.decode()
    assert "@media (max-width: 767px) { #result_list .column-id_number, #result_list .field-id_number," in html
    assert "federation/admin.css" in html


def test_a_list_without_key_columns_named_keeps_its_first_two(client_for, town_admin):
    page = client_for(town_admin).get("/admin/federation/activity/")
    assert page.context["cl"].mobile_hidden[:2] == ["title", "village_names"]


def test_every_page_has_the_phone_cards_of_tabular_inlines(client_for, clerk):
    page = client_for(clerk).get("/admin/federation/person/add/").content.decode()
    assert "federation/inline_cards.js" in page
