"""The month's posting (积分公示): its figures, the names as the town sets them, nothing of a
person's identity, the figures kept as posted, scope and permissions, the pages and files."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image
from pypdf import PdfReader

from federation.core.models import ReportLog
from federation.core.roles import POINTS_REVIEWER, VILLAGE_CLERK
from federation.core.submissions import submission_approve, submission_submit
from federation.models import Person
from points import posting as posting_layout
from points import selectors
from points.models import PointPosting, SupermarketSettings
from points.services import point_award, point_entry_reverse, point_posting_create, redemption_create
from tests.factories import PURPOSE, HouseholdFactory, PersonFactory, UserFactory, give_scope, take_file

MAY = date(2024, 5, 1)


@pytest.fixture
def may(family, rule, deduction, soap, event, clerk):
    """太坝's May: an award in April, then in May an award to the daughter, a deduction and a
    redemption; a line in June that May's balance leaves out; and a household with no line."""
    daughter = Person.objects.get(name="王小妹")
    point_award(household=family, rule=rule, day=date(2024, 4, 20), by=clerk)
    award = point_award(household=family, rule=rule, day=date(2024, 5, 3), by=clerk, person=daughter)
    point_award(household=family, rule=deduction, day=date(2024, 5, 10), by=clerk)
    redemption_create(event=event, household=family, person=family.head, items=[(soap, 2)], by=clerk)
    point_award(household=family, rule=rule, day=date(2024, 6, 2), by=clerk)
    HouseholdFactory(village=family.village, number="TB-200")
    return award


def set_names(town, names, contact="村妇联主席 李*梅"):
    SupermarketSettings.objects.update_or_create(town=town, defaults={"posting_names": names, "contact": contact})


def test_the_rows_are_each_households_month(may, family):
    rows = selectors.posting_rows(village=family.village, month=MAY, names="masked")
    assert rows == [
        {
            "household_id": family.pk,
            "household": "TB-100 王*姐",
            "earned": 50,
            "deducted": 20,
            "redeemed": 20,
            "balance": 60,
            "lines": [
                ["2024-05-01", "王*姐：洗衣皂×2", -20],
                ["2024-05-03", "王*妹：庭院整洁", 50],
                ["2024-05-10", "乱堆乱放", -20],
            ],
        },
        {
            "household_id": rows[1]["household_id"],
            "household": "TB-200",
            "earned": 0,
            "deducted": 0,
            "redeemed": 0,
            "balance": 0,
            "lines": [],
        },
    ]


@pytest.mark.parametrize(
    ("names", "label", "line"),
    [("masked", "TB-100 王*姐", "王*妹：庭院整洁"), ("head", "王*姐", "庭院整洁"), ("number", "TB-100", "庭院整洁")],
)
def test_names_show_as_the_town_sets(may, family, town, clerk, names, label, line):
    set_names(town, names)
    posting = point_posting_create(village=family.village, month=date(2024, 5, 17), by=clerk)
    assert posting.month == MAY and posting.names == names
    assert posting.rows[0]["household"] == label
    assert posting.rows[0]["lines"][1][1] == line


def test_a_name_is_masked_as_villages_post_it():
    from federation.core.identity import mask_name

    assert [mask_name(name) for name in ["张红", "张小红", "欧阳小红", "李"]] == ["张*", "张*红", "欧**红", "李"]


def test_no_id_number_or_phone_reaches_the_files(may, family, town, clerk):
    set_names(town, "masked")
    posting = point_posting_create(village=family.village, month=MAY, by=clerk)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(posting_layout.pdf_bytes(posting))).pages)
    assert posting_layout.title(posting) in text and "王*姐" in text and "王大姐" not in text and "庭院整洁" in text
    assert "2024-05-10" in text or "05-10" in text
    secrets = [value for person in Person.objects.all() for value in (person.id_number, person.phone) if value]
    assert secrets and not any(secret in text or secret in str(posting.rows) for secret in secrets)
    assert "王小妹" not in str(posting.rows)
    picture = Image.open(io.BytesIO(posting_layout.picture_bytes(posting)))
    assert picture.format == "PNG" and picture.width == posting_layout.PICTURE_WIDTH


def test_the_window_and_whom_to_ask_come_from_the_town(may, family, town, clerk):
    SupermarketSettings.objects.create(town=town, appeal_days=10, contact="妇联主席 13900000000")
    posting = point_posting_create(village=family.village, month=MAY, by=clerk)
    today = timezone.localdate()
    assert (posting.appeal_from, (posting.appeal_until - today).days) == (today, 10)
    assert posting.posted_by == clerk and posting.contact == "妇联主席 13900000000"
    text = PdfReader(io.BytesIO(posting_layout.pdf_bytes(posting, "a3"))).pages[0].extract_text()
    assert f"{today:%Y-%m-%d}" in text and "妇联主席" in text


def test_figures_stay_as_posted_and_the_correction_shows_when_it_is_dated(may, family, clerk):
    posting = point_posting_create(village=family.village, month=MAY, by=clerk)
    pdf_before = PdfReader(io.BytesIO(posting_layout.pdf_bytes(posting))).pages[0].extract_text()
    point_entry_reverse(entry=may, by=clerk, reason="照片不符")
    posting.refresh_from_db()
    assert posting.rows[0]["earned"] == 50 and posting.rows[0]["balance"] == 60
    assert PdfReader(io.BytesIO(posting_layout.pdf_bytes(posting))).pages[0].extract_text() == pdf_before
    today = timezone.localdate()
    now = point_posting_create(village=family.village, month=today, by=clerk)
    mine = next(row for row in now.rows if row["household_id"] == family.pk)
    assert mine["deducted"] == 50 and mine["balance"] == 60
    reversal = gettext("Reversal: %(item)s") % {"item": "05-03 庭院整洁"}
    assert mine["lines"] == [[today.isoformat(), f"王*妹：{reversal}", -50]]


def test_posting_again_keeps_the_first_on_record(may, family, clerk):
    first = point_posting_create(village=family.village, month=MAY, by=clerk)
    second = point_posting_create(village=family.village, month=MAY, by=clerk)
    assert PointPosting.objects.filter(village=family.village, month=MAY).count() == 2
    assert first.pk != second.pk


def test_an_approved_month_is_posted_with_its_figures(may, family, clerk, town_admin):
    submission_approve(submission=submission_submit(village=family.village, day=MAY, by=clerk), by=town_admin)
    posting = point_posting_create(village=family.village, month=MAY, by=clerk)
    assert posting.rows[0]["balance"] == 60
    with pytest.raises(ValidationError) as refused:  # its lines stay as approved, and as posted
        point_entry_reverse(entry=may, by=clerk, reason="照片不符")
    assert "已审核锁定" in " ".join(refused.value.messages)


def test_a_month_not_begun_is_refused(family, clerk):
    with pytest.raises(ValidationError) as refused:
        point_posting_create(village=family.village, month=date(2099, 1, 1), by=clerk)
    assert refused.value.messages == [gettext("A month can be posted once it has begun.")]


def test_a_clerk_of_another_village_is_refused(family, fenghe, town):
    outsider = UserFactory(username="fenghe", role=VILLAGE_CLERK)
    give_scope(outsider, town, villages=[fenghe])
    with pytest.raises(ValidationError) as refused:
        point_posting_create(village=family.village, month=MAY, by=outsider)
    assert refused.value.messages == [gettext("You do not keep this village: its own staff post its points.")]
    assert not PointPosting.objects.exists()


def test_the_rows_take_a_constant_number_of_queries(may, family, rule, clerk, django_assert_num_queries):
    for number in range(30):
        household = HouseholdFactory(village=family.village, number=f"TB-3{number:02d}")
        household.head = PersonFactory(village=family.village, household=household, name=f"李{number}梅")
        household.save()
        point_award(household=household, rule=rule, day=date(2024, 5, 20), by=clerk)
    with django_assert_num_queries(4):
        rows = selectors.posting_rows(village=family.village, month=MAY, names="masked")
    assert len(rows) == 32


# --- The admin ---------------------------------------------------------------------------------


def test_a_clerk_posts_prints_and_sends_the_month(may, family, clerk, client_for, django_assert_max_num_queries):
    client = client_for(clerk)
    assert client.get("/admin/points/pointposting/add/").status_code == 200
    response = client.post("/admin/points/pointposting/add/", {"village": family.village.pk, "month": "2024-05"})
    posting = PointPosting.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/pointposting/{posting.pk}/change/")
    with django_assert_max_num_queries(16):
        page = client.get(response.url)
    content = page.content.decode()
    for label in ["Print A4", "Print A3", "Download picture"]:
        assert gettext(label) in content
    assert "TB-100 王*姐" in content
    for url, content_type in [
        (f"/admin/points/pointposting/{posting.pk}/pdf/a4/", "application/pdf"),
        (f"/admin/points/pointposting/{posting.pk}/pdf/a3/", "application/pdf"),
        (f"/admin/points/pointposting/{posting.pk}/picture/1/", "image/png"),
    ]:
        download = take_file(client, url)
        assert download.status_code == 200 and download["Content-Type"] == content_type
        if content_type == "application/pdf":  # each page marked with who took it and why
            pages = PdfReader(io.BytesIO(download.content)).pages
            assert all(PURPOSE["detail"] in page.extract_text() for page in pages)
        assert "inline" in download["Content-Disposition"]
    assert client.get(f"/admin/points/pointposting/{posting.pk}/picture/2/").status_code == 404
    assert client.get(f"/admin/points/pointposting/{posting.pk}/pdf/a5/").status_code == 404
    logged = ReportLog.objects.filter(report="points_posting").order_by("pk")
    assert list(logged.values_list("format", "rows", "user")) == [
        ("pdf-a4", 2, clerk.pk),
        ("pdf-a3", 2, clerk.pk),
        ("png", 2, clerk.pk),
    ]
    listing = client.get("/admin/points/pointposting/", {"village__id__exact": family.village.pk})
    assert listing.status_code == 200 and "2024-05" in listing.content.decode()
    # A record: no change, no delete.
    assert client.post(f"/admin/points/pointposting/{posting.pk}/change/", {}).status_code == 403
    assert client.post(f"/admin/points/pointposting/{posting.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_posting_of_another_village_is_not_found(may, family, fenghe, town, clerk, client_for):
    posting = point_posting_create(village=family.village, month=MAY, by=clerk)
    outsider = UserFactory(username="fenghe", role=VILLAGE_CLERK)
    give_scope(outsider, town, villages=[fenghe])
    client = client_for(outsider)
    for url in ["change/", "pdf/a4/", "picture/1/"]:
        assert client.get(f"/admin/points/pointposting/{posting.pk}/{url}").status_code == 404
    refused = client.post("/admin/points/pointposting/add/", {"village": family.village.pk, "month": "2024-05"})
    assert refused.status_code == 200 and "village" in refused.context["adminform"].form.errors
    assert PointPosting.objects.count() == 1
    assert not ReportLog.objects.filter(report="points_posting").exists()


def test_a_reviewer_may_neither_post_nor_download(may, family, town, clerk, client_for):
    posting = point_posting_create(village=family.village, month=MAY, by=clerk)
    reviewer = UserFactory(username="reviewer", role=POINTS_REVIEWER)
    give_scope(reviewer, town, villages=[family.village])
    client = client_for(reviewer)
    assert client.get("/admin/points/pointposting/add/").status_code == 403
    assert client.get(f"/admin/points/pointposting/{posting.pk}/pdf/a4/").status_code in (403, 404)
    assert not ReportLog.objects.filter(report="points_posting").exists()


def test_the_town_admin_sets_the_posting_and_a_clerk_only_reads_it(town, town_admin, clerk, client_for):
    client = client_for(town_admin)
    response = client.post(
        "/admin/points/supermarketsettings/add/",
        {"town": town.pk, "posting_names": "number", "appeal_days": 5, "contact": "镇妇联 王主席"},
    )
    assert response.status_code == 302
    settings = SupermarketSettings.of(town.pk)
    assert (settings.posting_names, settings.appeal_days) == ("number", 5)
    assert settings.history.get().history_user == town_admin
    clerk_client = client_for(clerk)
    assert clerk_client.get(f"/admin/points/supermarketsettings/{settings.pk}/change/").status_code == 200
    changed = clerk_client.post(
        f"/admin/points/supermarketsettings/{settings.pk}/change/",
        {"posting_names": "masked", "appeal_days": 1, "contact": ""},
    )
    assert changed.status_code == 403
    assert SupermarketSettings.of(town.pk).appeal_days == 5
