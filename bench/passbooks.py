"""A village's passbooks (积分存折, issue 28 item 4): 1,500 households, each with a year of
ledger lines (awards, a deduction, redemptions of two goods), printed as one A5 PDF, one
household a page. Target: ≤ 60 s. On a throw-away SQLite database.

    python bench/passbooks.py [--households 1500] [--lines 24]
"""

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = 60.0

import bench.points as points_bench  # noqa: E402


def build(households: int, lines: int) -> list[int]:
    """A village of `households` households, each with its head and `lines` lines in 2024
    (every sixth a redemption of two goods), and a balance brought from 2023."""
    from django.core.management import call_command

    from federation.core.models import Town, Village
    from federation.models import Household
    from points.models import Goods, PointEntry, PointRule, Redemption, RedemptionEvent, RedemptionItem

    call_command("migrate", verbosity=0)
    town = Town.objects.create(name="存折基准镇", county="基准县")
    village = Village.objects.create(town=town, name="存折村", sort_order=1)
    homes = Household.objects.bulk_create(
        [Household(village=village, number=f"CZ-{n:04d}") for n in range(households)], batch_size=2000
    )
    by_household = points_bench.heads(homes)  # each with a valid ID number
    heads = [by_household[home.pk] for home in homes]
    award = PointRule.objects.create(
        town=town, category="sanitation", description="庭院整洁，门前三包落实到位", points=10
    )
    fine = PointRule.objects.create(town=town, category="sanitation", description="乱堆乱放", points=-5)
    soap = Goods.objects.create(town=town, name="洗衣皂", points_price=5, stock=0)
    oil = Goods.objects.create(town=town, name="食用油", points_price=20, stock=0)
    events = [RedemptionEvent.objects.create(village=village, date=date(2024, m, 15)) for m in range(1, 13)]
    redemptions = Redemption.objects.bulk_create(
        [
            Redemption(event=events[i % 12], household=home, person=head, total_points=30)
            for home, head in zip(homes, heads, strict=True)
            for i in range(0, lines, 6)
        ],
        batch_size=2000,
    )
    RedemptionItem.objects.bulk_create(
        [RedemptionItem(redemption=r, goods=soap, quantity=2, unit_points=5) for r in redemptions]
        + [RedemptionItem(redemption=r, goods=oil, quantity=1, unit_points=20) for r in redemptions],
        batch_size=2000,
    )
    by_home = {}
    for redemption in redemptions:
        by_home.setdefault(redemption.household_id, []).append(redemption)
    entries = []
    for home in homes:
        balance = 200
        entries.append(PointEntry(household=home, village=village, rule=award, kind="award", points=200,
                                  balance_after=balance, date=date(2023, 12, 1)))  # fmt: skip
        taken = iter(by_home.get(home.pk, []))
        for i in range(lines):
            day = date(2024, 1, 1) + timedelta(days=i * 360 // lines)
            if i % 6 == 0:
                redemption = next(taken)
                kind, points, rule, redemption_id = "redemption", -30, None, redemption.pk
            elif i % 6 == 3:
                kind, points, rule, redemption_id = "deduction", -5, fine, None
            else:
                kind, points, rule, redemption_id = "award", 10, award, None
            balance += points
            entries.append(PointEntry(household=home, village=village, rule=rule, kind=kind, points=points,
                                      balance_after=balance, date=day, redemption_id=redemption_id))  # fmt: skip
    PointEntry.objects.bulk_create(entries, batch_size=5000)
    return [home.pk for home in homes]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1500)
    parser.add_argument("--lines", type=int, default=24)
    argv = argv if argv is not None else sys.argv[2:] if sys.argv[1:2] == ["passbooks"] else sys.argv[1:]
    args = parser.parse_args(argv)
    from bench.run import setup_django

    setup_django(tempfile.mkdtemp(prefix="fulian-passbooks-bench-"))
    from django.utils import translation

    from federation.core import pdf_font
    from points import passbooks

    started = time.perf_counter()
    ids = build(args.households, args.lines)
    print(f"built {len(ids):,} households × {args.lines} lines in {time.perf_counter() - started:.1f} s", flush=True)
    pdf_font.register()  # converted once at installation (manage.py prepare_pdf_font), not per print
    with translation.override("zh-hans"):
        started = time.perf_counter()
        data, pages = passbooks.pdf_bytes(ids, 2024, "A5")
        seconds = time.perf_counter() - started
    print(
        f"passbooks A5: {len(ids):,} households, {pages:,} pages, {len(data) / 1e6:.1f} MB in {seconds:.1f} s "
        f"— {seconds / TARGET:.2f} of the {TARGET:.0f} s target",
        flush=True,
    )


if __name__ == "__main__":
    main()
