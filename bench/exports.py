"""The admin export of the people roster at 100,000 people (issue 15 §2).

Builds 100,000 people (bench.reports.build: with its 10,000 girls, 110,000 on the roster) in
one town, then exports them from the admin through the test Client, as a town administrator
without the full-identity permission (ID numbers and phones masked) and as one with it,
as CSV and as XLSX, every column ticked (人员类别 included). Each is timed against a floor
over the same rows and columns: `values_list().iterator()` + `csv.writer`, or an openpyxl
write-only workbook in a temporary file, with the same masking, labels and formula prefix,
so that the CSV floor's bytes equal the export's (checked). Peak extra memory is tracemalloc's,
in a run of its own (tracing slows Python several times).

Baseline, import-export's own export (the whole table in memory, and 100 rows per OFFSET
query once the roster's 人员类别 column prefetches): CSV 398 s, XLSX 412 s (peak 550 MB),
against floors of 3.0–3.7 s and 16–18 s.
Targets: CSV ≤ 1.5× its floor, XLSX ≤ 2×, extra memory ≤ 50 MB; OVER marks a miss.
Runs on SQLite and, where a server answers at 127.0.0.1:5432, on PostgreSQL.

    python bench/exports.py [--people 100000] [--only sqlite|postgres]
"""

import argparse
import csv
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import fresh_postgres  # noqa: E402

CSV_TARGET, XLSX_TARGET, MEMORY_TARGET = 1.5, 2.0, 50  # × floor, × floor, MB
URL = "/admin/federation/person/export/"


def setup(people: int) -> dict:
    """One town of 13 villages with `people` people, and two town administrators of it."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from bench.reports import build
    from federation.core.models import StaffScope, Town, Village
    from federation.core.roles import TOWN_ADMIN

    call_command("migrate", verbosity=0)
    town = Town.objects.create(name="基准镇", county="基准县")
    for v in range(13):
        Village.objects.create(town=town, name=f"{v + 1}村", sort_order=v)
    started = time.perf_counter()
    build(people)  # into the villages of towns named 基准…
    print(f"  built {people:,} people in {time.perf_counter() - started:.0f} s", flush=True)
    full = Group.objects.get(name=TOWN_ADMIN)
    masked = Group.objects.create(name="bench: town admin without full identity")
    masked.permissions.set(full.permissions.exclude(codename="view_full_identity"))
    users = {}
    for label, group in (("masked", masked), ("full", full)):
        user = get_user_model().objects.create_user(username=f"bench-{label}", is_staff=True)
        user.groups.add(group)
        StaffScope.objects.create(user=user, town=town, town_wide=True)
        users[label] = user
    return users


def form_data(file_format: str) -> dict:
    """The export form as posted with every column ticked."""
    from import_export.forms import SelectableFieldsExportForm

    from federation.resources import PeopleResource

    names = PeopleResource().get_export_order()
    ticked = {SelectableFieldsExportForm.create_boolean_field_name(PeopleResource, name): "on" for name in names}
    return {"format": file_format, "resource": "0", **ticked}


def export(client, file_format: str) -> tuple[str, int]:
    """Export through the admin; return the body's hash and the number of queries."""
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    digest = hashlib.sha256()
    with connection.execute_wrapper(count):
        response = client.post(URL, form_data(file_format), secure=True)
        assert response.status_code == 200, response.status_code
        for chunk in response.streaming_content:  # streamed: reading it is the export
            digest.update(chunk)
        response.close()
    return digest.hexdigest(), queries


def floor_rows(user):
    """The roster's rows as the export writes them, from values_list()."""
    from aid.models import CareTarget
    from federation.core.exporting import can_see_identity, neutralize
    from federation.core.identity import mask_id_number, mask_phone
    from federation.core.scoping import in_scope, scope_for
    from federation.models import Person
    from federation.resources import PeopleResource

    # The bench has no care targets: 人员类别 is blank for everyone, as the export finds.
    assert not CareTarget.objects.exists()
    full = can_see_identity(user)
    number = (lambda value: value) if full else mask_id_number
    phone = (lambda value: value) if full else mask_phone
    sex, relation, status = (
        {value: str(label) for value, label in Person._meta.get_field(name).flatchoices}
        for name in ("sex", "relation_to_head", "status")
    )
    yield PeopleResource(user=user).get_export_headers()
    people = in_scope(Person.objects.all(), scope_for(user)).order_by("village__sort_order", "name", "-pk")
    columns = ["name", "id_number", "sex", "birth_date", "phone", "village__name", "household__group"]
    columns += ["household__head__id_number", "relation_to_head", "status"]
    for row in people.values_list(*columns).iterator(chunk_size=2000):
        name, id_number, s, born, tel, village, group, head, r, st = row
        yield [
            neutralize(name),
            number(id_number) if id_number else "",
            sex.get(s, s),
            born.isoformat() if born else "",
            phone(tel) if tel else "",
            neutralize(village),
            neutralize(group or ""),
            number(head) if head else "",
            relation.get(r, r),
            status.get(st, st),
            "",
        ]


class Hasher:
    def __init__(self):
        self.digest = hashlib.sha256()

    def write(self, text: str):
        self.digest.update(text.encode())


def floor_csv(user) -> str:
    out = Hasher()
    out.digest.update("\ufeff".encode())
    writer = csv.writer(out)
    for row in floor_rows(user):
        writer.writerow(row)
    return out.digest.hexdigest()


def floor_xlsx(user) -> str:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in floor_rows(user):
        sheet.append(row)
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
    return ""


def timed(function, *args):
    """Run it; return (wall seconds, CPU seconds of this process, its result). On a shared
    machine the CPU seconds say what the code costs; on PostgreSQL they leave out the server's."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def peak_mb(function, *args) -> float:
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        function(*args)
        return (tracemalloc.get_traced_memory()[1] - base) / 2**20
    finally:
        tracemalloc.stop()


def child(people: int) -> None:
    from bench.run import setup_django

    setup_django(tempfile.mkdtemp(prefix="fulian-exports-bench-"))
    from django.conf import settings
    from django.test import Client
    from django.utils import translation

    from federation.models import Person

    settings.ALLOWED_HOSTS = ["testserver"]
    users = setup(people)
    translation.activate(settings.LANGUAGE_CODE)
    print(f"  {Person.objects.count():,} people on the roster", flush=True)
    for label, user in users.items():
        client = Client()
        client.force_login(user)
        # Warm up with one person: the first request loads the admin.
        one = Person.objects.values_list("pk", flat=True).first()
        b"".join(client.post(URL, {**form_data("0"), "export_items": [one]}, secure=True).streaming_content)
        for file_format, name, floor, target in (
            ("0", "csv", floor_csv, CSV_TARGET),
            ("1", "xlsx", floor_xlsx, XLSX_TARGET),
        ):
            floor_seconds, floor_cpu, floor_hash = timed(floor, user)
            seconds, cpu, (export_hash, queries) = timed(export, client, file_format)
            memory = peak_mb(export, client, file_format)
            ratio = seconds / floor_seconds
            over = [what for what, missed in (("time", ratio > target), ("memory", memory > MEMORY_TARGET)) if missed]
            if name == "csv":
                over += [] if export_hash == floor_hash else ["bytes differ from the floor's"]
            print(
                f"  {name:4s} {label:6s}  export {seconds:6.2f} s (cpu {cpu:6.2f})  "
                f"floor {floor_seconds:6.2f} s (cpu {floor_cpu:6.2f})  ratio {ratio:4.2f} (cpu {cpu / floor_cpu:4.2f}, "
                f"target ≤ {target})  peak +{memory:5.1f} MB (≤ {MEMORY_TARGET})  {queries} queries"
                f"{'  OVER: ' + ', '.join(over) if over else ''}",
                flush=True,
            )


def run(label: str, database: str | None, people: int) -> None:
    print(f"{label}:", flush=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    if database:
        env["BENCH_DATABASE_URL"] = database
    done = subprocess.run([sys.executable, __file__, "--child", "--people", str(people)], env=env, check=False)
    if done.returncode:
        print(f"{label}: failed ({done.returncode})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", action="store_true")
    # From bench/run.py the command line is the runner's: take the defaults.
    args = parser.parse_args(sys.argv[1:] if __name__ == "__main__" else [])
    if args.child:
        child(args.people)
        return
    if args.only != "postgres":
        run("sqlite", None, args.people)
    if args.only != "sqlite":
        url = fresh_postgres("fulian_exports")
        if url:
            run("postgresql", url, args.people)


if __name__ == "__main__":
    main()
