"""积分待审核 in a browser: the 太坝 clerk records a claim of a rule that needs review; it waits
and the household's balance does not move. 太坝's chair (积分审核) finds it on her phone from the
home page's work list, ticks the village's claims and approves them in one pass; the claim's
line enters the ledger. The clerk is offered no way to approve her own claims."""

import re

import pytest

from tests.e2e.journey import PHONE

pytestmark = pytest.mark.e2e

RULE = "婚事新办、丧事简办"  # one reviewer (the demo's rules in the open)


def test_a_claim_waits_for_a_second_person_who_approves_it_on_her_phone(journeys):
    taiba = journeys.open("taiba")
    page = taiba.page
    taiba.click(page.locator("#content-main a[href$='/points/pointclaim/']"), "claims")
    taiba.click(page.locator(".object-tools a.addlink"), "claim-add")
    shown = taiba.choose("id_household", "0")
    number = re.match(r"^(\S+?)（", shown)[1]
    taiba.choose("id_rule", RULE)
    page.fill("#id_note", "喜事新办，未大操大办")
    taiba.snap("claim-filled")
    taiba.click("form input[type=submit][name=_save]", "claim-saved")
    assert any("审核通过后计入" in message for message in taiba.messages()), taiba.messages()
    rows = [row for row in taiba.rows() if number in " ".join(row)]
    assert rows and "待审核" in " ".join(rows[0]), taiba.rows()
    # Her own claims: the list offers her no 审核通过.
    offered = page.locator("select[name=action] option").all_inner_texts()
    assert not any("审核通过" in text for text in offered), offered

    chair = journeys.open("chair", PHONE, "phone")
    page = chair.page
    work = page.locator("#reminders-module a[href*='review=mine']")
    assert work.count() == 1, "the reviewer's home page lists the claims waiting for her"
    chair.click(work, "to-review")
    assert number in page.locator("#result_list").inner_text()
    chair.manual_shot("claims-review-phone")
    page.locator("#action-toggle").check()  # the whole village's claims, in one pass
    page.select_option("select[name=action]", label="审核通过所选申报")
    chair.click("button[name=index]", "approved")
    assert any(re.search(r"已审核通过 \d+ 条申报", message) for message in chair.messages()), chair.messages()
    # Waiting for her: none now (a claim of two reviewers waits for the second).
    assert number not in (page.locator("#result_list").inner_text() if page.locator("#result_list").count() else "")

    chair.goto("/admin/points/pointentry/?q=" + number, "ledger")
    assert any(RULE in " ".join(row) for row in chair.rows()), chair.rows()
    journeys.finish()
