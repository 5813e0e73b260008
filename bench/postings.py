"""The month's points posting (积分公示) of a big village (issue 28: "posting a village-month of
1,500 households renders in ≤ 2 s"), on a throw-away SQLite database.

A village of 1,500 households, each with a head, a year of award lines before the month and
three lines in it (two awards and a deduction, with members named on some); then the posting
is made (point_posting_create: the figures read and kept), printed as an A4 PDF, and drawn as
every one of its PNG pictures. Prints each step's seconds, the total and its ratio to 2 s.

    python bench/postings.py [--households 1500]
"""

import argparse
import io
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.points import WEIGHTS  # noqa: E402

TARGET = 2.0
MONTH = date(2024, 11, 1)
SURNAMES = "王李张刘陈杨赵黄周吴"


def id_number(born: date) -> str:
    first17 = f"110101{born:%Y%m%d}002"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def build(count: int):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from federation.core.models import StaffScope, Town, Village
    from federation.models import Household, Person
    from points.models import PointEntry, PointRule

    call_command("migrate", verbosity=0)
    town = Town.objects.create(name="公示基准镇", county="基准县")
    village = Village.objects.create(town=town, name="公示村")
    households = Household.objects.bulk_create(
        [Household(village=village, number=f"{n:04d}", group=f"{n % 9 + 1}组") for n in range(count)]
    )
    heads = Person.objects.bulk_create(
        [
            Person(
                name=f"{SURNAMES[n % 10]}{'秀玉桂兰'[n % 4]}{'英芳珍梅'[n // 4 % 4]}",
                sex="F",
                birth_date=date(1970, 1, 1) + timedelta(days=n),
                id_number=id_number(date(1970, 1, 1) + timedelta(days=n)),
                phone=f"139{n:08d}",
                village=village,
                household=household,
                relation_to_head="self",
            )
            for n, household in enumerate(households)
        ]
    )
    for household, head in zip(households, heads, strict=True):
        household.head = head
    Household.objects.bulk_update(households, ["head"])
    award = PointRule.objects.create(town=town, category="sanitation", description="庭院干净整洁", points=10)
    minus = PointRule.objects.create(town=town, category="sanitation", description="乱堆乱放", points=-5)
    entries = []
    for household, head in zip(households, heads, strict=True):
        balance = 0
        lines = [(date(2024, m, 5), award, None) for m in range(1, 11)]
        lines += [(date(2024, 11, 3), award, head), (date(2024, 11, 12), award, None)]
        lines.append((date(2024, 11, 20), minus, head))
        for day, rule, person in lines:
            balance += rule.points
            entries.append(
                PointEntry(household=household, village=village, person=person, rule=rule, points=rule.points,
                           kind="award" if rule.points > 0 else "deduction", balance_after=balance, date=day)
            )  # fmt: skip
    PointEntry.objects.bulk_create(entries, batch_size=2000)
    Household.objects.update(points_balance=120)
    clerk = get_user_model().objects.create(username="clerk", is_staff=True)
    StaffScope.objects.create(user=clerk, town=town, town_wide=True)
    return village, clerk, len(entries)


def run(count: int) -> None:
    from points import posting as layout
    from points.services import point_posting_create

    village, clerk, lines = build(count)
    print(f"village of {count:,} households, {lines:,} ledger lines ({count * 3:,} in {MONTH:%Y-%m})")
    steps = {}
    started = time.perf_counter()
    posting = point_posting_create(village=village, month=MONTH, by=clerk)
    steps["posting (figures read and kept)"] = time.perf_counter() - started
    mark = time.perf_counter()
    buffer = io.BytesIO()
    pages = layout.write_pdf(posting, buffer, "a4")
    steps[f"A4 PDF ({pages} pages, {buffer.tell() // 1024:,} KiB)"] = time.perf_counter() - mark
    mark = time.perf_counter()
    layout.picture_bytes(posting, 1)
    steps["the first PNG picture (one click: its parts laid out, one drawn)"] = time.perf_counter() - mark
    clicks = time.perf_counter() - started
    mark = time.perf_counter()
    parts = layout.picture_parts(posting)
    size = 0
    for part in range(1, len(parts) + 1):
        buffer = io.BytesIO()
        layout.write_picture(posting, buffer, part, parts)
        size += buffer.tell()
    every = time.perf_counter() - mark
    for label, seconds in steps.items():
        print(f"  {label}: {seconds:.2f} s")
    print(f"posting + A4 PDF + a picture: {clicks:.2f} s (target ≤ {TARGET:.0f} s, ratio {clicks / TARGET:.2f})")
    print(f"every picture ({len(parts)}, {size // 1024:,} KiB): {every:.2f} s, {every / len(parts):.2f} s each")
    mark = time.perf_counter()
    layout.write_pdf(posting, io.BytesIO(), "a3")
    print(f"  (A3 PDF alone: {time.perf_counter() - mark:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1500)
    # From bench/run.py the command line is the runner's: take the defaults.
    args = parser.parse_args(sys.argv[1:] if __name__ == "__main__" else [])
    from bench.run import setup_django

    setup_django(tempfile.mkdtemp(prefix="fulian-bench-"))
    from federation.core import pdf_font

    pdf_font.register()  # converted once at installation (manage.py prepare_pdf_font), not per posting
    run(args.households)


if __name__ == "__main__":
    main()
