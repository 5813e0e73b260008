"""Import speed of a people roster, against two baselines measured in the same run on
the same file (issue: Excel import of village rosters).

  floor   python-calamine parse + bulk_create of the same rows, no validation
  plain   django-import-export's plain ModelResource with default options (dry run)
  first   our import_data path: a first import that creates people and households
  again   the same file once more: nothing changed

Targets (issue 11, 2-core machine, on SQLite and on PostgreSQL): first ≤ 2× floor and
≥ 10× faster than plain; again ≤ 1.5× floor; peak memory ≤ 500 MB. Each step runs in its
own process, so that its peak memory is its own. "again" imports the same file with the
"import again" choice (a file imported before is refused without it).

    python bench/import_roster.py [--rows 100000] [--plain-rows N]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AREA = "110101"  # not the demo town's area code, so the rows never collide with it
VILLAGES = ["甲村", "乙村", "丙村", "丁村", "戊村", "己村", "庚村", "辛村", "壬村", "癸村", "子村", "丑村", "寅社区"]
HEADER = [
    "序号",
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "联系电话",
    "村(社区)",
    "村民小组",
    "户主身份证号",
    "与户主关系",
    "备注",
]
RELATIONS = ["户主", "配偶", "子", "女"]


def check_character(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def make_roster(path: Path, rows: int) -> None:
    """A people roster with two title rows, as a clerk's Excel file would have."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(["基准镇人员花名册"])
    sheet.append(["填报单位：基准镇妇联", None, None, None, "填报日期：2024年12月"])
    sheet.append(HEADER)
    born = date(1940, 1, 1)
    head = ""
    for index in range(rows):
        day = born + timedelta(days=index // 900)
        serial = index % 900 + 100
        first17 = f"{AREA}{day:%Y%m%d}{serial:03d}"
        number = first17 + check_character(first17)
        position = index % 4
        if position == 0:
            head = number
        sex = "男" if serial % 2 else "女"
        village = VILLAGES[(index // 4) % len(VILLAGES)]
        sheet.append(
            [
                index + 1,
                f"基准{index}",
                number,
                sex,
                day.isoformat(),
                f"138{index:08d}",
                village,
                f"{index % 7 + 1}组",
                head,
                RELATIONS[position],
                "",
            ]
        )
    book.save(path)


def setup_database() -> None:
    from django.core.management import call_command

    from federation.core.models import Town, Village

    call_command("migrate", verbosity=0)
    town, _ = Town.objects.get_or_create(name="基准镇", county="基准县")
    for order, name in enumerate(VILLAGES):
        Village.objects.get_or_create(town=town, name=name, defaults={"sort_order": order})


def step_floor(path: Path) -> dict:
    import python_calamine
    from django.db import transaction

    from federation.core.models import Village
    from federation.models import Person

    started = time.perf_counter()
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    villages = {village.name: village.pk for village in Village.objects.all()}
    people = [
        Person(
            name=row[1],
            id_number=row[2],
            sex="M" if row[3] == "男" else "F",
            birth_date=date.fromisoformat(row[4]),
            phone=row[5],
            village_id=villages[row[6]],
        )
        for row in rows[3:]
    ]
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=1000)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"seconds": seconds, "rows": len(people)}


def step_plain(path: Path, limit: int) -> dict:
    import tablib
    from import_export import resources

    from federation.models import Person

    class PlainPersonResource(resources.ModelResource):
        class Meta:
            model = Person
            import_id_fields = ["id_number"]
            fields = ["name", "id_number", "sex", "birth_date", "phone", "village"]

    import python_calamine

    started = time.perf_counter()
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[3 : 3 + limit]
    from federation.core.models import Village

    villages = {village.name: village.pk for village in Village.objects.all()}
    dataset = tablib.Dataset(headers=["name", "id_number", "sex", "birth_date", "phone", "village"])
    for row in rows:
        dataset.append([row[1], row[2], "M" if row[3] == "男" else "F", row[4], row[5], villages[row[6]]])
    result = PlainPersonResource().import_data(dataset, dry_run=True)
    assert not result.has_errors(), result.row_errors()[:3]
    return {"seconds": time.perf_counter() - started, "rows": len(rows)}


def step_ours(path: Path) -> dict:
    from federation.resources import PeopleResource

    report = PeopleResource().import_file(path.read_bytes(), path.name, dry_run=False, again=True)
    assert not report.errors, [str(error) for error in report.errors[:5]]
    return {"seconds": report.seconds, "new": report.new, "updated": report.updated, "unchanged": report.unchanged}


def run_step(name: str, path: Path, database: str, extra: list[str]) -> dict:
    # As in production: with DEBUG on, Django records and formats every query it runs.
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "import-bench-only-" + "x" * 40),
    }
    output = subprocess.run(
        [sys.executable, __file__, "--step", name, "--file", str(path), *extra],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode:
        raise SystemExit(f"step {name} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--plain-rows", type=int, default=None, help="rows for the plain baseline (default: all)")
    parser.add_argument("--step")
    parser.add_argument("--file")
    args = parser.parse_args(
        argv if argv is not None else sys.argv[2:] if sys.argv[1:2] == ["import_roster"] else sys.argv[1:]
    )

    if args.step:
        import django

        django.setup()
        path = Path(args.file)
        if args.step == "setup":
            setup_database()
            result = {}
        elif args.step == "floor":
            result = step_floor(path)
        elif args.step == "plain":
            result = step_plain(path, args.plain_rows or 10**9)
        else:
            result = step_ours(path)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    from bench.common import fresh_postgres

    workdir = Path(tempfile.mkdtemp(prefix="fulian-import-bench-"))
    path = workdir / "roster.xlsx"
    started = time.perf_counter()
    make_roster(path, args.rows)
    print(
        f"roster: {args.rows} rows in {args.rows // 4} households, {path.stat().st_size / 1e6:.1f} MB "
        f"(written in {time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    databases = [("sqlite", os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3"))]
    postgres = None if "BENCH_DATABASE_URL" in os.environ else fresh_postgres("fulian_bench_import")
    if postgres:
        databases.append(("postgresql", postgres))
    plain_seconds = None
    for engine, database in databases:
        print(f"-- {engine}", flush=True)
        run_step("setup", path, database, [])
        floor = run_step("floor", path, database, [])
        print(f"floor (calamine + bulk_create): {floor['seconds']:.2f} s", flush=True)
        if plain_seconds is None:  # the plain baseline is slow; once, on the first engine
            plain_extra = ["--plain-rows", str(args.plain_rows)] if args.plain_rows else []
            plain = run_step("plain", path, database, plain_extra)
            plain_seconds = plain["seconds"] / plain["rows"] * args.rows
            note = "" if plain["rows"] == args.rows else f" (measured on {plain['rows']} rows, scaled)"
            print(f"plain ModelResource: {plain_seconds:.1f} s{note}", flush=True)
        first = run_step("first", path, database, [])
        again = run_step("again", path, database, [])
        for label, result in (("first import", first), ("unchanged re-import", again)):
            seconds = result["seconds"]
            print(
                f"{label}: {seconds:.2f} s, {args.rows / seconds:,.0f} rows/s, peak {result['peak_mb']:.0f} MB, "
                f"{seconds / floor['seconds']:.2f}× the floor, {plain_seconds / seconds:.1f}× faster than plain "
                f"(new {result['new']}, updated {result['updated']}, unchanged {result['unchanged']})"
            )
    print("targets: first ≤ 2× floor and ≥ 10× faster than plain; re-import ≤ 1.5× floor; peak ≤ 500 MB")


if __name__ == "__main__":
    main()
