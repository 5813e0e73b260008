"""The inspection binder's size and time (issue 16: the township's year), on PostgreSQL.

Prints the demo town's 2024 binder (PDF and .xlsx), then builds beside it a town of 13
villages with 100 times the demo town's people (bench/reports' generator: households,
activities, honours, girls and their doses, screenings, policies, aid applications) and
its points ledger at the demo's lines per household, and prints that town's binder: pages,
rows, seconds and the process's peak memory after each, and the rows of each ledger.

    python bench/binder.py [--times 100] [--only-demo]
"""

import argparse
import io
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import fresh_postgres  # noqa: E402


def print_binder(town_name: str) -> dict:
    from django.contrib.auth import get_user_model

    from federation.core import binder as ledger_binder
    from federation.core.models import Town
    from federation.core.reporting import DateRange, ReportScope

    town = Town.objects.get(name=town_name)
    admin = get_user_model().objects.get(username="admin")
    rs = ReportScope.of_user(admin)
    villages = list(town.villages.values_list("pk", flat=True))
    rs.village_ids, rs.town_ids, rs.town_name = villages, [town.pk], town.name
    rs.__dict__.pop("chosen", None)
    result = {}
    for kind in ("pdf", "xlsx"):
        started = time.perf_counter()
        binder = ledger_binder.compile_binder(rs, DateRange.year(2024), ledger_binder.unit_name(rs))
        buffer = io.BytesIO()
        pages = ledger_binder.write_pdf(binder, buffer) if kind == "pdf" else ledger_binder.write_xlsx(binder, buffer)
        seconds = time.perf_counter() - started
        # The process's peak resident memory so far (KiB on Linux): tracemalloc would triple the time.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        result[kind] = {"seconds": seconds, "pages": pages, "rows": binder.rows, "bytes": buffer.tell(), "peak": peak}
    result["ledgers"] = [
        (ledger.title, name, len(table.rows))
        for ledger in ledger_binder.compile_binder(rs, DateRange.year(2024), "").ledgers
        for name, table in ledger.tables
    ]
    return result


def report(label: str, result: dict) -> None:
    for kind in ("pdf", "xlsx"):
        r = result[kind]
        pages = f"{r['pages']:,} pages, " if r["pages"] else ""
        print(
            f"{label} {kind:4s}: {pages}{r['rows']:,} rows, {r['bytes'] / 1e6:.1f} MB, "
            f"{r['seconds']:.1f} s, process peak {r['peak'] / 1e6:.0f} MB",
            flush=True,
        )
    for title, name, rows in result["ledgers"]:
        print(f"    {title} / {name}: {rows:,} rows")


def child(times: int, only_demo: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    import bench.reports as generator
    import bench.scale as county
    from federation.models import Household, Person

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    demo_people = Person.objects.count()
    demo_households = Household.objects.count()
    print(f"demo town: {demo_people:,} people, {demo_households:,} households", flush=True)
    report("demo town", print_binder("站儿巷镇"))
    if only_demo:
        return
    from points.models import PointEntry

    lines = PointEntry.objects.filter(date__year=2024).count()
    generator.TOWNS = 1  # one town of 13 villages, not the county's 12
    county.LINES_PER_HOUSEHOLD = max(1, round(lines / demo_households))
    started = time.perf_counter()
    generator.build(demo_people * times, shift=county.SHIFT)
    county.build_ledger(households_from=county.SHIFT)
    built = time.perf_counter() - started
    print(f"{times}× town built in {built:.0f} s: {Person.objects.count() - demo_people:,} people", flush=True)
    report(f"{times}× town", print_binder("基准1镇"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=100)
    parser.add_argument("--only-demo", action="store_true")
    parser.add_argument("--child", action="store_true")
    argv = argv if argv is not None else sys.argv[2:] if sys.argv[1:2] == ["binder"] else sys.argv[1:]
    args = parser.parse_args(argv)
    if args.child:
        child(args.times, args.only_demo)
        return
    url = fresh_postgres("fulian_binder_bench")
    if not url:
        return
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    command = [sys.executable, __file__, "--child", "--times", str(args.times)]
    subprocess.run(command + (["--only-demo"] if args.only_demo else []), env=env, check=False)


if __name__ == "__main__":
    main()
