"""Report speed on a county-sized database (issue: county reports).

Builds 12 towns × 13 villages with 1,000 people first, then grows them to 1,000,000 people
(250,000 households, 100,000 activities, 5,000 honours; for the health reports 100,000 girls
aged 9–14, 300,000 screenings, 50,000 policies, 1,000 aid applications), and times every report for the
year 2024 over the whole county and for one village, with its query count. Runs on SQLite
and, where a server answers at 127.0.0.1:5432, on PostgreSQL. Target: every report ≤ 1 s
for the whole county, and the same query count at 1,000 and at 1,000,000 people.

    python bench/reports.py [--people 1000000] [--only sqlite|postgres]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import fresh_postgres  # noqa: E402

TOWNS, VILLAGES = 12, 13
PERSON_COLUMNS = [
    "id",
    "name",
    "id_number",
    "id_upgraded",
    "sex",
    "birth_date",
    "phone",
    "village_id",
    "household_id",
    "relation_to_head",
    "status",
    "notes",
]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
KINDS = [
    "publicity",
    "legal_consultation",
    "theory_study",
    "seminar",
    "training",
    "volunteer",
    "family_civility",
    "other",
]


def check_character(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def insert(table: str, columns: list[str], rows) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        # COPY, not INSERT: it builds the county several times faster.
        from bench.points import copy

        copy(connection.ops.quote_name(table), [connection.ops.quote_name(c) for c in columns], rows)
        return
    quote = connection.ops.quote_name
    sql = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == 10000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def build(people: int, start: int = 0, shift: int = 0) -> None:
    """People start..people-1 (and their households, activities and honours), with fixed ids
    (moved up by `shift`, to leave room for a town already there), in the 12 benchmark towns."""
    from django.db import connection, transaction

    from federation.core.models import Town, Village
    from federation.models import Activity, Honor, Household, Person

    ours = Village.objects.filter(town__name__startswith="基准").order_by("pk")
    villages = list(ours.values_list("pk", "town_id"))
    if not villages:
        for t in range(TOWNS):
            town = Town.objects.create(name=f"基准{t + 1}镇", county="基准县")
            for v in range(VILLAGES):
                Village.objects.create(town=town, name=f"{t + 1}镇{v + 1}村", sort_order=v)
        villages = list(ours.values_list("pk", "town_id"))
    adapt = connection.ops.adapt_datefield_value
    first_day = date(1940, 1, 1)

    def person(i):
        day = first_day + timedelta(days=i % 29000)
        serial = 100 + i // 29000
        first17 = f"62{(i % 156):04d}{day:%Y%m%d}{serial:03d}"
        village_id = villages[(i // 4) % len(villages)][0]
        return (
            shift + i + 1,
            f"人{i}",
            first17 + check_character(first17),
            False,
            "M" if serial % 2 else "F",
            adapt(day),
            "",
            village_id,
            shift + i // 4 + 1,
            "self" if i % 4 == 0 else "other",
            "resident",
            "",
        )

    def household(h):
        return (shift + h + 1, villages[h % len(villages)][0], f"{h + 1:07d}", shift + h * 4 + 1, "1组", "", 0)

    with transaction.atomic():
        insert(
            Household._meta.db_table,
            ["id", "village_id", "number", "head_id", "group", "address", "points_balance"],
            (household(h) for h in range(start // 4, people // 4)),
        )
        insert(
            Person._meta.db_table,
            PERSON_COLUMNS,
            (person(i) for i in range(start, people)),
        )
        activities = range(start // 10, people // 10)
        insert(
            Activity._meta.db_table,
            [
                "id",
                "kind",
                "title",
                "date",
                "town_id",
                "place",
                "participants",
                "beneficiaries",
                "materials_distributed",
                "consultations",
                "notes",
            ],
            (
                (
                    shift + a + 1,
                    KINDS[a % 8],
                    f"活动{a}",
                    adapt(date(2023, 1, 1) + timedelta(days=a % 1095)),
                    villages[a % len(villages)][1],
                    "",
                    20,
                    10,
                    30,
                    2,
                    "",
                )
                for a in activities
            ),
        )
        insert(
            Activity.villages.through._meta.db_table,
            ["activity_id", "village_id"],
            ((shift + a + 1, villages[a % len(villages)][0]) for a in activities if a % 10),
        )
        insert(
            Honor._meta.db_table,
            ["award", "title", "year", "date", "level", "person_id", "household_id", "notes"],
            (
                ("best_volunteer", "", 2024, adapt(date(2024, 3, 8)), "town", shift + i * 200 + 1, None, "")
                for i in range(start // 200, people // 200)
            ),
        )
    build_health(people, start, villages, shift)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Household, Activity):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            # People: past the last of the people, not past the girls' own ids.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('federation_person', 'id'), "
                "(SELECT MAX(id) FROM federation_person WHERE id < %s))",
                [GIRL_IDS],
            )
            cursor.execute("ANALYZE")


GIRL_IDS = 10_000_000  # girls get ids of their own, after everyone else


def build_health(people: int, start: int, villages: list, shift: int = 0) -> None:
    """For every 10 people: 1 more girl aged 9–14 in 2024 (69% vaccinated, a third of them
    twice; half the others with a reason), 3 screenings of women, and per 20 people a
    policy, per 1,000 an aid application."""
    from django.db import connection, transaction

    from federation.models import Person
    from health.models import CancerAidApplication, HPVDeferral, HPVDose, InsurancePolicy, Screening

    adapt = connection.ops.adapt_datefield_value
    stamp = connection.ops.adapt_datetimefield_value(datetime(2024, 1, 1, tzinfo=UTC))
    first_girl = date(2010, 1, 1)
    reasons = ["illness", "refused", "elsewhere", "away", "contraindication", "other"]

    def girl(k):
        day = first_girl + timedelta(days=k % 2190)
        first17 = f"63{(k % 156):04d}{day:%Y%m%d}{2 * (k // 2190) % 1000:03d}"
        village_id = villages[k % len(villages)][0]
        return (
            GIRL_IDS + k,
            f"女童{k}",
            first17 + check_character(first17),
            False,
            "F",
            adapt(day),
            "",
            village_id,
            None,
            "daughter",
            "resident",
            "",
        )

    def woman(j):
        """A woman among the people (ids of the 29,000-day blocks with an even serial) and her village."""
        i = (j // 29000) * 58000 + j % 29000
        return shift + i + 1, villages[(i // 4) % len(villages)][0]

    def girl_village(k):
        return villages[k % len(villages)][0]

    girls = range(start // 10, people // 10)
    with transaction.atomic():
        insert(
            Person._meta.db_table,
            PERSON_COLUMNS,
            (girl(k) for k in girls),
        )
        dose_columns = [
            "person_id",
            "village_id",
            "dose_number",
            "date",
            "vaccine",
            "site",
            "consent_by",
            "consent_on",
            "recorded_by_id",
            "recorded_at",
        ]
        insert(
            HPVDose._meta.db_table,
            dose_columns,
            (
                (
                    GIRL_IDS + k,
                    girl_village(k),
                    n,
                    adapt(date(2024, 3, 1) + timedelta(days=(k % 100) + 200 * (n - 1))),
                    "bivalent_cn",
                    "卫生院",
                    "监护人",
                    adapt(date(2024, 3, 1)),
                    None,
                    stamp,
                )
                for k in girls
                if k % 100 < 69
                for n in ((1, 2) if k % 3 == 0 else (1,))
            ),
        )
        insert(
            HPVDeferral._meta.db_table,
            [
                "person_id",
                "village_id",
                "reason",
                "recorded_on",
                "ask_again_on",
                "notes",
                "recorded_by_id",
                "recorded_at",
            ],
            (
                (GIRL_IDS + k, girl_village(k), reasons[k % 6], adapt(date(2024, 5, 1)), None, "", None, stamp)
                for k in girls
                if k % 100 >= 69 and k % 2
            ),
        )
        insert(
            Screening._meta.db_table,
            [
                "person_id",
                "village_id",
                "date",
                "kind",
                "institution",
                "free_programme",
                "consent_by",
                "consent_on",
                "result",
                "recheck_date",
                "recheck_outcome",
                "notes",
                "recorded_by_id",
                "recorded_at",
            ],
            (
                (
                    *woman(j),
                    adapt(date(2023, 1, 1) + timedelta(days=j % 730)),
                    "both",
                    "妇幼",
                    j % 4 != 0,
                    "本人",
                    adapt(date(2023, 1, 1)),
                    "abnormal" if j % 20 == 0 else "normal",
                    None,
                    "",
                    "",
                    None,
                    stamp,
                )
                for j in range(start * 3 // 10, people * 3 // 10)
            ),
        )
        insert(
            InsurancePolicy._meta.db_table,
            [
                "person_id",
                "village_id",
                "year",
                "insurer",
                "product",
                "premium",
                "paid_by",
                "cover_start",
                "cover_end",
                "recorded_by_id",
                "recorded_at",
            ],
            (
                (
                    *woman(j),
                    2024,
                    "人寿",
                    "两癌",
                    60,
                    "subsidy",
                    adapt(date(2024, 1, 1)),
                    adapt(date(2024, 12, 31)),
                    None,
                    stamp,
                )
                for j in range(start // 20, people // 20)
            ),
        )
        insert(
            CancerAidApplication._meta.db_table,
            [
                "person_id",
                "village_id",
                "diagnosis",
                "hospital",
                "medical_costs",
                "amount_requested",
                "status",
                "submitted_on",
                "reject_reason",
                "notes",
                "paid_method",
                "paid_to",
                "recorded_by_id",
                "recorded_at",
            ],
            (
                (*woman(j), "", "医院", 30000, 10000, "submitted", adapt(date(2024, 6, 1)), "", "", "", "", None, stamp)
                for j in range(start // 1000, people // 1000)
            ),
        )


def measure() -> dict:
    from types import SimpleNamespace

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from federation.core.filters import ReportFilterSet
    from federation.core.models import Village
    from federation.core.reporting import discover
    from federation.core.scoping import EVERYTHING

    user = SimpleNamespace(is_authenticated=True, is_active=True, is_superuser=True, _federation_scope=EVERYTHING)
    request = SimpleNamespace(user=user)
    one = Village.objects.order_by("pk").first()
    results = {}
    for name, entry in sorted(discover().items()):
        for label, villages in (("county", []), ("one village", [one.pk])):
            filterset = ReportFilterSet(
                {"year": "2024", "villages": villages}, queryset=Village.objects.all(), request=request
            )
            assert filterset.is_valid(), filterset.form.errors
            rs, period = filterset.report_scope(), filterset.period
            entry.function(rs, period)  # warm the caches a server keeps warm
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                table = entry.function(rs, period)
            results[f"{name} / {label}"] = {
                "seconds": time.perf_counter() - started,
                "queries": len(queries),
                "rows": len(table.rows),
            }
    return results


def child(people: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    build(1000)
    small = measure()
    started = time.perf_counter()
    build(people, start=1000)
    built = time.perf_counter() - started
    large = measure()
    print(json.dumps({"small": small, "large": large, "built": built}))


def run(label: str, database: str, people: int) -> None:
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "config.settings"}
    output = subprocess.run(
        [sys.executable, __file__, "--child", "--people", str(people)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode:
        print(f"{label}: failed\n{output.stderr[-3000:]}")
        return
    result = json.loads(output.stdout.strip().splitlines()[-1])
    print(f"{label}: built {people:,} people in {result['built']:.0f} s")
    worst = 0.0
    for key, large in result["large"].items():
        small = result["small"][key]
        worst = max(worst, large["seconds"]) if key.endswith("county") else worst
        same = "same" if small["queries"] == large["queries"] else f"DIFFERENT ({small['queries']} at 1,000)"
        print(f"  {key:32s} {large['seconds']:7.3f} s  {large['queries']:2d} queries ({same})  {large['rows']} rows")
    print(f"  slowest whole-county report: {worst:.3f} s (target ≤ 1 s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args(
        argv if argv is not None else sys.argv[2:] if sys.argv[1:2] == ["reports"] else sys.argv[1:]
    )
    if args.child:
        child(args.people)
        return
    if args.only != "postgres":
        workdir = tempfile.mkdtemp(prefix="fulian-report-bench-")
        run("sqlite", f"sqlite:///{workdir}/bench.sqlite3", args.people)
    if args.only != "sqlite":
        url = fresh_postgres("fulian_bench")
        if url:
            run("postgresql", url, args.people)


if __name__ == "__main__":
    main()
