"""积分待审核: claims of rules that need review wait until a second person approves them, and are
refused at the claim (cap, locked month, balance, photo), never later."""

import re
from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from federation.core.periods import PeriodLocked
from federation.core.roles import POINTS_REVIEWER, VILLAGE_CLERK
from federation.core.submissions import submission_approve, submission_submit
from federation.models import Household
from points.models import PointClaim, PointEntry, PointRule
from points.resources import PointEntriesResource
from points.selectors import claims_to_review
from points.services import (
    point_award,
    point_award_many,
    point_claim_record,
    point_claim_review,
    point_claims_review,
    point_entry_reverse,
)
from tests.factories import HouseholdFactory, UserFactory, give_scope, take_file

MAY = date(2024, 5, 10)


@pytest.fixture
def reviewed_rule(town):
    return PointRule.objects.create(
        town=town, category=PointRule.Category.FAMILY, description="孝老爱亲", points=30, review=PointRule.Review.ONE
    )


@pytest.fixture
def twice_reviewed(town):
    return PointRule.objects.create(
        town=town, category=PointRule.Category.VOLUNTEER, description="志愿服务", points=20, review=PointRule.Review.TWO
    )


@pytest.fixture
def reviewer(town, taiba):
    user = UserFactory(username="taiba-chair", role=POINTS_REVIEWER)
    give_scope(user, town, villages=[taiba])
    return user


def balance(household) -> int:
    return Household.objects.values_list("points_balance", flat=True).get(pk=household.pk)


def photo(name="yard.jpg", size=(3000, 2000), fmt="JPEG") -> SimpleUploadedFile:
    buffer = BytesIO()
    image = Image.new("RGB", size, "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: stands for the GPS block a phone writes
    image.save(buffer, fmt, exif=exif) if fmt == "JPEG" else image.save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_a_rule_that_counts_at_once_still_writes_the_line(family, rule, clerk):
    entry = point_award(household=family, rule=rule, day=MAY, by=clerk)
    assert isinstance(entry, PointEntry) and entry.claim is None and balance(family) == 50
    assert not PointClaim.objects.exists()


def test_a_claim_waits_until_its_reviewer_approves_it(family, reviewed_rule, clerk, town_admin):
    claim = point_award(household=family, rule=reviewed_rule, day=MAY, by=clerk, note="照顾婆婆")
    assert isinstance(claim, PointClaim) and claim.status == PointClaim.Status.PENDING
    assert not PointEntry.objects.exists() and balance(family) == 0
    assert list(claims_to_review(town_admin)) == [claim]

    point_claim_review(claim=claim, by=town_admin, approve=True)

    claim.refresh_from_db()
    entry = claim.entry
    assert claim.status == PointClaim.Status.APPROVED and claim.reviewed_by == town_admin
    # The line carries the claim's date and recorder; the claim names the reviewer.
    assert (entry.date, entry.recorded_by, entry.points, entry.note) == (MAY, clerk, 30, "照顾婆婆")
    assert entry.village_id == family.village_id and balance(family) == 30
    assert not claims_to_review(town_admin).exists()


def test_two_reviewers_are_two_people(family, twice_reviewed, clerk, town_admin, reviewer):
    claim = point_claim_record(household=family, rule=twice_reviewed, day=MAY, by=clerk)
    point_claim_review(claim=claim, by=reviewer, approve=True)
    claim.refresh_from_db()
    assert claim.status == PointClaim.Status.PENDING and claim.reviews_done == 1 and balance(family) == 0
    with pytest.raises(ValidationError) as refused:
        point_claim_review(claim=claim, by=reviewer, approve=True)
    assert refused.value.code == "reviewed"
    assert not claims_to_review(reviewer).exists() and claims_to_review(town_admin).get() == claim

    point_claim_review(claim=claim, by=town_admin, approve=True)
    claim.refresh_from_db()
    assert (claim.reviewed_by, claim.second_reviewed_by) == (reviewer, town_admin)
    assert claim.entry.points == 20 and balance(family) == 20


def test_nobody_reviews_a_claim_she_recorded(family, reviewed_rule, town_admin):
    claim = point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=town_admin)
    with pytest.raises(ValidationError) as refused:
        point_claim_review(claim=claim, by=town_admin, approve=True)
    assert refused.value.code == "own_claim"
    assert not claims_to_review(town_admin).exists()
    assert not PointEntry.objects.exists()


def test_nobody_reviews_her_own_households_claim(family, reviewed_rule, clerk, reviewer):
    member = family.members.exclude(pk=family.head_id).get()
    member.staff_user = reviewer
    member.save()
    claim = point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=clerk)
    assert not claims_to_review(reviewer).exists()
    with pytest.raises(ValidationError) as refused:
        point_claim_review(claim=claim, by=reviewer, approve=True)
    assert refused.value.code == "own_household"
    # Returning is reviewing too.
    with pytest.raises(ValidationError):
        point_claim_review(claim=claim, by=reviewer, approve=False, reason="不实")


def test_a_reviewer_out_of_scope_or_without_the_role_is_refused(family, reviewed_rule, clerk, town, fenghe):
    elsewhere = UserFactory(username="fenghe-chair", role=POINTS_REVIEWER)
    give_scope(elsewhere, town, villages=[fenghe])
    other_clerk = UserFactory(username="taiba-2", role=VILLAGE_CLERK)
    give_scope(other_clerk, town, villages=[family.village])
    claim = point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=clerk)
    with pytest.raises(ValidationError) as refused:
        point_claim_review(claim=claim, by=elsewhere, approve=True)
    assert refused.value.code == "out_of_scope"
    with pytest.raises(ValidationError) as refused:
        point_claim_review(claim=claim, by=other_clerk, approve=True)
    assert refused.value.code == "not_reviewer"
    assert not claims_to_review(elsewhere).exists()


def test_a_returned_claim_carries_the_reason_and_never_counts(family, reviewed_rule, clerk, town_admin):
    claim = point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=clerk)
    with pytest.raises(ValidationError):
        point_claim_review(claim=claim, by=town_admin, approve=False, reason=" ")
    point_claim_review(claim=claim, by=town_admin, approve=False, reason="入户核实未见")
    claim.refresh_from_db()
    assert (claim.status, claim.returned_by, claim.return_reason) == ("returned", town_admin, "入户核实未见")
    with pytest.raises(ValidationError):
        point_claim_review(claim=claim, by=town_admin, approve=True)
    assert not PointEntry.objects.exists() and balance(family) == 0


def test_the_cap_refuses_at_the_claim_counting_waiting_claims(family, town, clerk, town_admin):
    capped = PointRule.objects.create(
        town=town,
        category=PointRule.Category.SANITATION,
        description="垃圾分类",
        points=40,
        review=PointRule.Review.ONE,
        cap=80,
    )
    first = point_claim_record(household=family, rule=capped, day=date(2024, 5, 2), by=clerk)
    point_claim_review(claim=first, by=town_admin, approve=True)
    point_claim_record(household=family, rule=capped, day=date(2024, 5, 9), by=clerk)  # waiting
    with pytest.raises(ValidationError) as refused:
        point_claim_record(household=family, rule=capped, day=date(2024, 5, 20), by=clerk)
    assert refused.value.code == "over_cap"
    assert "80" in refused.value.messages[0]
    # The next month starts again; a rule that counts at once is capped the same way.
    point_claim_record(household=family, rule=capped, day=date(2024, 6, 1), by=clerk)
    capped.review = PointRule.Review.NONE
    capped.save()
    point_award(household=family, rule=capped, day=date(2024, 6, 2), by=clerk)
    with pytest.raises(ValidationError):
        point_award(household=family, rule=capped, day=date(2024, 6, 3), by=clerk)
    # A reversed line no longer counts against the cap.
    point_entry_reverse(entry=first.entry, by=town_admin, reason="重复")
    point_award(household=family, rule=capped, day=date(2024, 5, 25), by=clerk)


def test_a_cap_is_set_on_an_award_and_holds_one_of_it(town):
    for points, cap in ((-10, 50), (30, 20)):
        with pytest.raises(ValidationError):
            PointRule(town=town, category="family", description="x", points=points, cap=cap).full_clean()


def test_a_locked_month_refuses_the_claim_and_its_review(family, reviewed_rule, clerk, town_admin, taiba):
    waiting = point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=clerk)
    submission_approve(submission=submission_submit(village=taiba, day=MAY, note="五月台账", by=clerk), by=town_admin)
    with pytest.raises(PeriodLocked):
        point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=clerk)
    with pytest.raises(PeriodLocked):
        point_claim_review(claim=waiting, by=town_admin, approve=True)
    assert not PointEntry.objects.exists() and balance(family) == 0


def test_a_deduction_is_refused_at_the_claim_when_the_balance_would_not_hold_it(family, rule, town, clerk):
    fine = PointRule.objects.create(
        town=town, category="sanitation", description="乱倒垃圾", points=-30, review=PointRule.Review.ONE
    )
    point_award(household=family, rule=rule, day=MAY, by=clerk)  # 50
    point_claim_record(household=family, rule=fine, day=MAY, by=clerk)  # 30 waiting
    with pytest.raises(ValidationError) as refused:
        point_claim_record(household=family, rule=fine, day=MAY, by=clerk)
    assert refused.value.code == "points_short"


def test_a_photo_is_required_shrunk_and_stripped(family, town, clerk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    shown = PointRule.objects.create(
        town=town, category="sanitation", description="美丽庭院", points=10, evidence_required=True
    )
    with pytest.raises(ValidationError) as refused:
        point_claim_record(household=family, rule=shown, day=MAY, by=clerk)
    assert "evidence" in refused.value.message_dict
    claim = point_claim_record(household=family, rule=shown, day=MAY, by=clerk, evidence=photo())
    # A photo only, no review: it counts at once, the photo kept with its claim.
    assert claim.status == PointClaim.Status.APPROVED and claim.entry.points == 10 and balance(family) == 10
    with Image.open(claim.evidence.open("rb")) as stored:
        assert max(stored.size) == 1600 and stored.format == "JPEG"
        assert not stored.getexif()


def test_a_photo_that_is_not_one_is_refused(family, reviewed_rule, clerk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("yard.jpg", b"\xff\xd8\xff" + b"not really a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=clerk, evidence=fake)
    assert "evidence" in refused.value.message_dict
    assert not PointClaim.objects.exists()


def test_the_bulk_award_and_the_roster_make_claims_that_wait(family, reviewed_rule, clerk, taiba):
    other = HouseholdFactory(village=taiba, number="TB-200")
    made = point_award_many(households=[family, other], rule=reviewed_rule, day=MAY, by=clerk)
    assert {type(item) for item in made} == {PointClaim} and not PointEntry.objects.exists()

    sheet = "户号,村(社区),积分事项,日期\nTB-100,太坝村,孝老爱亲,2024-05-10\nTB-200,太坝村,孝老爱亲,2024-06-01\n"
    resource = PointEntriesResource(user=clerk)
    report = resource.import_file(sheet.encode(), "points.csv", dry_run=False)
    # TB-100's claim of 10 May waits already: the file does not claim it twice.
    assert report.errors == [] and (report.new, report.unchanged) == (1, 1)
    assert PointClaim.objects.filter(status="pending").count() == 3 and not PointEntry.objects.exists()


def test_reviewing_in_one_pass_reports_each_refusal_and_approves_the_rest(family, reviewed_rule, clerk, town_admin):
    mine = point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=town_admin)
    theirs = [point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=clerk) for _ in range(3)]
    done, refused = point_claims_review(claims=[mine, *theirs], by=town_admin, approve=True)
    assert done == 3 and len(refused) == 1 and f"#{mine.pk}" in refused[0]
    assert balance(family) == 90


# The admin, end to end.


def test_a_clerk_records_a_claim_with_a_photo_and_a_reviewer_approves_it_from_the_list(
    client_for, family, reviewed_rule, clerk, reviewer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(clerk)
    response = client.post(
        reverse("admin:points_pointclaim_add"),
        {
            "household": family.pk,
            "rule": reviewed_rule.pk,
            "date": "2024-05-10",
            "note": "照顾婆婆",
            "evidence": photo("care.png", (800, 600), "PNG"),
        },
    )
    assert response.status_code == 302
    claim = PointClaim.objects.get()
    assert claim.recorded_by == clerk and claim.status == "pending" and claim.evidence.name.endswith(".png")
    # The clerk may not review; the list offers her no such action.
    listing = client.get(reverse("admin:points_pointclaim_changelist"))
    assert "approve_claims" not in listing.content.decode()
    # The photo is a protected file: the clerk of the village opens it.
    assert client.get(claim.evidence.url).status_code == 200

    client = client_for(reviewer)
    home = client.get(reverse("admin:index")).content.decode()
    assert "?review=mine" in home
    listing = client.get(reverse("admin:points_pointclaim_changelist") + "?review=mine")
    assert listing.status_code == 200 and "TB-100" in listing.content.decode()
    response = client.post(
        reverse("admin:points_pointclaim_changelist") + "?review=mine",
        {"action": "approve_claims", "_selected_action": [claim.pk]},
        follow=True,
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.reviewed_by == reviewer and balance(family) == 30
    page = client.get(reverse("admin:points_pointclaim_change", args=[claim.pk])).content.decode()
    assert reverse("admin:points_pointentry_change", args=[claim.entry.pk]) in page


def test_a_reviewer_returns_claims_with_a_reason_from_the_list(client_for, family, reviewed_rule, clerk, town_admin):
    claims = [point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=clerk) for _ in range(2)]
    client = client_for(town_admin)
    url = reverse("admin:points_pointclaim_changelist")
    selected = {"action": "return_claims", "_selected_action": [c.pk for c in claims]}
    asked = client.post(url, selected)
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    client.post(url, {**selected, "apply": "1", "reason": "重复申报"})
    assert set(PointClaim.objects.values_list("status", "return_reason")) == {("returned", "重复申报")}


def test_the_ledgers_add_page_records_a_claim_for_a_rule_that_needs_review(client_for, family, reviewed_rule, clerk):
    response = client_for(clerk).post(
        reverse("admin:points_pointentry_add"), {"household": family.pk, "rule": reviewed_rule.pk, "date": "2024-05-10"}
    )
    claim = PointClaim.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:points_pointclaim_change", args=[claim.pk])
    assert not PointEntry.objects.exists()


def test_the_ledger_names_the_reviewers_on_the_line(client_for, family, reviewed_rule, clerk, town_admin):
    claim = point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=clerk)
    point_claim_review(claim=claim, by=town_admin, approve=True)
    listing = client_for(town_admin).get(reverse("admin:points_pointentry_changelist"))
    assert listing.status_code == 200
    # The line's own 审核人 cell names the reviewer (the recorder is the clerk).
    assert re.search(r'<td class="field-reviewers[^"]*">town</td>', listing.content.decode())
    assert re.search(r'<td class="field-recorded_by[^"]*">taiba</td>', listing.content.decode())


def test_a_staff_account_is_linked_to_her_person_only_by_who_manages_staff(
    client_for, family, superuser, clerk, reviewer
):
    person = family.head
    url = reverse("admin:federation_person_change", args=[person.pk])
    assert 'name="staff_user"' not in client_for(clerk).get(url).content.decode()
    page = client_for(superuser).get(url).content.decode()
    assert 'name="staff_user"' in page and "taiba-chair" in page


# The town's signals: claims that look wrong, each row linked to its claims.


def signal_rows(client, year=2024):
    response = take_file(client, f"/admin/reports/?report=points_claim_signals&year={year}&format=csv")
    assert response.status_code == 200
    return [line.split(",") for line in response.content.decode("utf-8-sig").splitlines()[1:]]


def test_the_signal_report_names_claims_that_look_wrong(
    client_for, family, reviewed_rule, clerk, town_admin, taiba, monkeypatch
):
    from points import selectors

    member = family.members.exclude(pk=family.head_id).get()
    member.staff_user = clerk
    member.save()
    own = point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=clerk)
    other = HouseholdFactory(village=taiba, number="TB-300")
    monkeypatch.setattr(selectors, "CLAIMS_IN_A_DAY", 2)
    burst = [
        point_claim_record(household=other, rule=reviewed_rule, day=date(2024, 6, 3), by=town_admin) for _ in "abc"
    ]
    # The cap lowered after the claims: over it now.
    reviewed_rule.cap = 60
    reviewed_rule.save()
    submission_submit(village=taiba, day=date(2024, 6, 30), note="六月台账", by=clerk)

    client = client_for(town_admin)
    found = signal_rows(client)
    kinds = {row[0]: row for row in found}
    assert len(found) == 4  # the three claims of one day recorded before the submission are one row
    assert set(kinds) == {"超出事项上限", "同一登记人单日申报过多", "为登记人本户申报", "报送前刚录入"}
    assert kinds["为登记人本户申报"][3] == "TB-100" and kinds["同一登记人单日申报过多"][6] == "3"
    assert kinds["超出事项上限"][6] == "3"  # TB-300's three of June: 90 over 60
    # Each row opens its claims.
    page = client.get("/admin/reports/?report=points_claim_signals&year=2024").content.decode()
    link = "/admin/points/pointclaim/?ids=" + "%2C".join(str(c.pk) for c in burst)
    assert link in page
    listing = client.get(link).content.decode()
    assert "TB-300" in listing and f"/admin/points/pointclaim/{own.pk}/change/" not in listing


def test_a_claims_photo_is_sent_only_to_staff_of_its_village(client_for, family, town, reviewed_rule, clerk, fenghe):
    claim = point_claim_record(household=family, rule=reviewed_rule, day=MAY, by=clerk, evidence=photo())
    elsewhere = UserFactory(username="fenghe-clerk", role=VILLAGE_CLERK)
    give_scope(elsewhere, town, villages=[fenghe])
    assert client_for(clerk).get(claim.evidence.url).status_code == 200
    assert client_for(elsewhere).get(claim.evidence.url).status_code == 404
