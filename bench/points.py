"""Points supermarket on PostgreSQL (issue: points supermarket).

1. Redemption throughput with 8 concurrent client processes through `redemption_create`, over a
   ledger of 1,000,000 lines, against the floor: the same balance and stock changes as a
   bare conditional UPDATE loop. The service writes its rows with the ORM (create and
   bulk_create, after full_clean); no town needs more. Target: under 5× the floor.
2. The points reports for a county-sized year (5,000,000 ledger lines). Target ≤ 1 s each.

    python bench/points.py [--lines 1000000] [--year-lines 5000000] [--redemptions 2000]
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import fresh_postgres  # noqa: E402

CLIENTS = 8
ROUNDS = 3
VILLAGES = 13
HOUSEHOLDS_PER_VILLAGE = 800
# The ledger columns the benchmark writes with COPY.
ENTRY_COLUMNS = [
    "household_id",
    "village_id",
    "rule_id",
    "kind",
    "points",
    "balance_after",
    "date",
    "note",
    "recorded_at",
]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def copy(table: str, columns: list[str], rows) -> None:
    """COPY rows into a table: the fastest way to build millions of ledger lines."""
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as stream:
            for row in rows:
                stream.write_row(row)


def build(lines: int) -> tuple[list, list, object]:
    """A town of 13 villages × 800 households with `lines` award lines, and 20 goods."""
    from django.core.management import call_command
    from django.db import connection

    from federation.core.models import Town, Village
    from federation.models import Household
    from points.models import Goods, PointEntry, PointRule, RedemptionEvent, StockLine

    call_command("migrate", verbosity=0)
    town = Town.objects.create(name="积分基准镇", county="基准县")
    villages = [Village.objects.create(town=town, name=f"积分{v}村", sort_order=v) for v in range(VILLAGES)]
    households = [
        Household(village=village, number=f"{n:05d}", group="1组")
        for village in villages
        for n in range(HOUSEHOLDS_PER_VILLAGE)
    ]
    Household.objects.bulk_create(households, batch_size=2000)
    rule = PointRule.objects.create(town=town, category="sanitation", description="整洁", points=10)
    per_household = max(1, lines // len(households))
    start = date(2024, 1, 1)
    copy(
        PointEntry._meta.db_table,
        ENTRY_COLUMNS,
        (
            (
                h.pk,
                h.village_id,
                rule.pk,
                "award",
                10,
                10 * (i + 1),
                start + timedelta(days=i % 360),
                "",
                "2024-01-01 00:00:00+08",
            )
            for h in households
            for i in range(per_household)
        ),
    )
    copy(  # a large opening award, so that no household runs out during the run
        PointEntry._meta.db_table,
        ENTRY_COLUMNS,
        (
            (
                h.pk,
                h.village_id,
                rule.pk,
                "award",
                100_000,
                100_000 + 10 * per_household,
                start,
                "",
                "2024-01-01 00:00:00+08",
            )
            for h in households
        ),
    )
    Household.objects.update(points_balance=10 * per_household + 100_000)
    goods = []
    for g in range(20):
        item = Goods.objects.create(town=town, name=f"商品{g}", points_price=5 * (g % 6 + 1), stock=10**7)
        StockLine.objects.create(goods=item, kind="restock", change=10**7, stock_after=10**7)
        goods.append(item)
    events = [RedemptionEvent.objects.create(village=village, date=date(2024, 6, 1)) for village in villages]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return households, goods, events


def heads(households):
    """Each household needs a person to come to the session."""
    from federation.models import Household, Person

    people = []
    for index, household in enumerate(households):
        first17 = f"110101{date(1970, 1, 1) + timedelta(days=index):%Y%m%d}002"
        number = first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]
        people.append(
            Person(
                name=f"户主{index}",
                id_number=number,
                sex="F",
                birth_date=date(1970, 1, 1) + timedelta(days=index),
                village_id=household.village_id,
                household=household,
                relation_to_head="self",
            )
        )
    Person.objects.bulk_create(people, batch_size=2000)
    for household, person in zip(households, people, strict=True):
        household.head = person
    Household.objects.bulk_update(households, ["head"], batch_size=2000)
    return {household.pk: person for household, person in zip(households, people, strict=True)}


def run_clients(work, total: int) -> float:
    """Run `work` from CLIENTS processes released together (as gunicorn workers would be:
    threads would share one interpreter lock); return the wall time."""
    import multiprocessing

    from django.db import connection

    per_client = total // CLIENTS
    connection.close()  # every process opens its own connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(CLIENTS + 1)
    failures = context.Queue()

    def client(index):
        rng = random.Random(index)
        try:
            barrier.wait()
            for _ in range(per_client):
                work(rng)
        except Exception as error:  # noqa: BLE001 - reported by the parent
            failures.put(repr(error))
        finally:
            connection.close()

    processes = [context.Process(target=client, args=(i,)) for i in range(CLIENTS)]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - started
    if not failures.empty():
        raise RuntimeError(failures.get())
    return seconds


def redemptions(households, goods, events, people, total: int) -> tuple[float, float]:
    from django.db import connection, transaction

    from points.services import redemption_create

    by_village = {}
    for household in households:
        by_village.setdefault(household.village_id, []).append(household)
    events = [(event, by_village[event.village_id]) for event in events]
    for event, _ in events:
        event.village  # noqa: B018 - load it once, as a request would

    def service(rng):
        event, choices = rng.choice(events)
        household = rng.choice(choices)
        basket = [(item, rng.choice((1, 2))) for item in rng.sample(goods, rng.choice((1, 2)))]
        redemption_create(event=event, household=household, person=people[household.pk], items=basket, by=None)

    def floor(rng):
        event, choices = rng.choice(events)
        household = rng.choice(choices)
        basket = [(item, rng.choice((1, 2))) for item in rng.sample(goods, rng.choice((1, 2)))]
        cost = sum(item.points_price * quantity for item, quantity in basket)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE federation_household SET points_balance = points_balance - %s "
                "WHERE id = %s AND points_balance >= %s",
                [cost, household.pk, cost],
            )
            for item, quantity in sorted(basket, key=lambda pair: pair[0].pk):  # the service's lock order
                cursor.execute(
                    "UPDATE points_goods SET stock = stock - %s WHERE id = %s AND stock >= %s",
                    [quantity, item.pk, quantity],
                )

    # Rounds of floor and service alternate, so that a slow minute of a shared machine
    # falls on both.
    floor_seconds = service_seconds = 0.0
    for _round in range(ROUNDS):
        floor_seconds += run_clients(floor, total)
        with connection.cursor() as cursor:  # the floor wrote no ledger: put the ledgers' values back
            cursor.execute(
                "UPDATE federation_household h SET points_balance = "
                "(SELECT COALESCE(SUM(points), 0) FROM points_pointentry e WHERE e.household_id = h.id)"
            )
            cursor.execute(
                "UPDATE points_goods g SET stock = "
                "(SELECT COALESCE(SUM(change), 0) FROM points_stockline s WHERE s.goods_id = g.id)"
            )
        service_seconds += run_clients(service, total)
    return floor_seconds, service_seconds


def reports(year_lines: int) -> dict:
    """Grow the ledger to a county-sized year and time the points reports over it."""
    from types import SimpleNamespace

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from federation.core.filters import ReportFilterSet
    from federation.core.models import Village
    from federation.core.reporting import discover
    from federation.core.scoping import EVERYTHING
    from federation.models import Household
    from points.models import PointEntry, PointRule

    have = PointEntry.objects.count()
    households = list(Household.objects.values_list("pk", "village_id"))
    rule = PointRule.objects.first()
    more = max(0, year_lines - have)
    copy(
        PointEntry._meta.db_table,
        ENTRY_COLUMNS,
        (
            (
                *households[i % len(households)],
                rule.pk,
                "award",
                10,
                10,
                date(2024, 1, 1) + timedelta(days=i % 360),
                "",
                "2024-01-01 00:00:00+08",
            )
            for i in range(more)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have, on a ledger written over a year
    user = SimpleNamespace(
        is_authenticated=True,
        is_active=True,
        is_superuser=True,
        _federation_scope=EVERYTHING,
        has_perm=lambda perm: True,
    )
    request = SimpleNamespace(user=user)
    results = {}
    for name, entry in sorted(discover().items()):
        if not name.startswith("points_") or entry.personal:
            continue
        filterset = ReportFilterSet({"year": "2024"}, queryset=Village.objects.all(), request=request)
        assert filterset.is_valid()
        rs, period = filterset.report_scope(), filterset.period
        entry.function(rs, period)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            entry.function(rs, period)
        results[name] = (time.perf_counter() - started, len(queries))
    return {"lines": PointEntry.objects.count(), "reports": results}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--year-lines", type=int, default=5_000_000)
    parser.add_argument("--redemptions", type=int, default=2000)
    args = parser.parse_args(
        argv if argv is not None else sys.argv[2:] if sys.argv[1:2] == ["points"] else sys.argv[1:]
    )
    url = fresh_postgres("fulian_points_bench")
    if url is None:
        return
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # As in production: with DEBUG on, Django records and formats every query it runs.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "points-bench-only-" + "x" * 40)
    import django

    django.setup()
    started = time.perf_counter()
    households, goods, events = build(args.lines)
    people = heads(households)
    print(
        f"built {args.lines:,} ledger lines for {len(households):,} households in {time.perf_counter() - started:.0f} s"
    )
    floor, service = redemptions(households, goods, events, people, args.redemptions)
    n = args.redemptions // CLIENTS * CLIENTS * ROUNDS
    print(
        f"floor (bare conditional UPDATEs, {CLIENTS} client processes, {ROUNDS} rounds): {n / floor:,.0f} redemptions/s"
    )
    print(
        f"service (redemption_create, {CLIENTS} client processes): {n / service:,.0f} redemptions/s, "
        f"{service / floor:.2f}× the floor (target < 5×)"
    )
    from points.management.commands.points_check import mismatches

    problems = mismatches()
    print(f"points_check after the run: {'clean' if not problems else problems[:3]}")
    result = reports(args.year_lines)
    print(f"reports over {result['lines']:,} ledger lines (year 2024, whole town):")
    for name, (seconds, queries) in result["reports"].items():
        print(f"  {name:20s} {seconds:6.3f} s  {queries} queries (target ≤ 1 s)")


if __name__ == "__main__":
    main()
