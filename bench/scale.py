"""Every page at county scale on PostgreSQL (issue: a county on one PostgreSQL).

Builds the demo town and, beside it, a county of 12 towns × 13 villages: 1,000,000 people in
250,000 households, 100,000 activities, 5,000 honours, 100,000 girls aged 9–14 with their
doses, 300,000 screenings, 50,000 policies, 1,000 aid applications and 5,000,000 ledger lines
(`--people` scales all of it). Then, for a town administrator (a town of the county, whole
town) and a village clerk (one of its villages), times the first page of every admin list
they may open, a search by name and by ID number, the page of a record, the home page
(dashboard) and every report for 2024: median, p95 and the query count of each, beside the
query count of the same page on the demo town before the county was built. The home page is
also timed for the superuser over the whole county (some 200 times the demo town).

Targets: every page median ≤ 300 ms and p95 ≤ 600 ms; no page's query count grows with the data.

    python bench/scale.py [--people 1000000] [--repeat 7] [--reuse] [--only "home page"]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import fresh_postgres  # noqa: E402

SHIFT = 100_000  # the county's ids start past the demo town's
LINES_PER_HOUSEHOLD = 20
MEDIAN_TARGET, P95_TARGET = 300, 600  # ms
SLOW = 5.0  # s: a page this slow is timed once, not repeated


def build_ledger(households_from: int) -> int:
    """LINES_PER_HOUSEHOLD award lines for each county household over 2024, with a rule per town."""
    from django.db import connection

    from bench.points import ENTRY_COLUMNS, copy
    from federation.core.models import Town
    from federation.models import Household
    from points.models import PointEntry, PointRule

    rules = {
        town.pk: PointRule.objects.create(town=town, category="sanitation", description="整洁", points=5).pk
        for town in Town.objects.filter(name__startswith="基准")
    }
    # Read before the COPY starts: the connection runs nothing else until it ends.
    households = list(
        Household.objects.filter(pk__gt=households_from).values_list("pk", "village_id", "village__town_id")
    )
    count = 0

    def rows():
        nonlocal count
        for pk, village_id, town_id in households:
            for n in range(LINES_PER_HOUSEHOLD):
                count += 1
                yield (
                    pk,
                    village_id,
                    rules[town_id],
                    "award",
                    5,
                    5 * (n + 1),
                    date(2024, 1, 1) + timedelta(days=(pk + 17 * n) % 366),
                    "",
                    "2024-01-01 00:00:00+08",
                )

    copy(PointEntry._meta.db_table, ENTRY_COLUMNS, rows())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Household._meta.db_table} SET points_balance = %s WHERE id > %s",
            [5 * LINES_PER_HOUSEHOLD, households_from],
        )
    # VACUUM too: autovacuum would have set the visibility map of a county's settled ledger,
    # which lets the covering indexes answer counts and sums without reading the table.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return count


def page_urls(user, name_term: str, id_term: str) -> list[tuple[str, str]]:
    """(label, url) of every page the bench times for this user."""
    from django.contrib import admin
    from django.test import RequestFactory

    from federation.core.reporting import discover

    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [("home page (dashboard)", "/admin/")]
    for model_admin in admin.site._registry.values():
        if not model_admin.has_view_permission(request):
            continue
        opts = model_admin.model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        label = str(opts.verbose_name_plural)
        urls.append((f"{label} list", base))
        if model_admin.get_search_fields(request):
            urls.append((f"{label} search by name", f"{base}?q={name_term}"))
            urls.append((f"{label} search by ID number", f"{base}?q={id_term}"))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None:
            urls.append((f"{label} record page", f"{base}{obj.pk}/change/"))
    for name, entry in sorted(discover().items()):
        if entry.allowed(user):
            urls.append((f"report {name}", f"/admin/reports/?report={name}&year=2024"))
    return urls


def time_page(client, url: str, repeat: int) -> dict:
    """Median and p95 of the page, its query count, and the median time of its SQL alone
    (what the database took, the rest being Python: the view, the template)."""
    from django.db import connection

    queries, sql = [], [0.0]

    def count(execute, sql_text, params, many, context):
        queries.append(sql_text)
        started = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            sql[-1] += time.perf_counter() - started

    def timed(wrapper):
        # A wrapper, not CaptureQueriesContext: the connection is closed and opened again
        # between requests, as in production.
        sql.append(0.0)
        started = time.perf_counter()
        with connection.execute_wrapper(wrapper):
            response = client.get(url, secure=True)
        return response, (time.perf_counter() - started) * 1000, sql[-1] * 1000

    def no_count(execute, sql_text, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            sql[-1] += time.perf_counter() - started

    response, first, first_sql = timed(count)
    samples, sql_samples = [first], [first_sql]
    if first < SLOW * 1000:
        samples, sql_samples = [], []
        for _ in range(repeat):
            _response, took, took_sql = timed(no_count)
            samples.append(took)
            sql_samples.append(took_sql)
    samples.sort()
    return {
        "status": response.status_code,
        "queries": len(queries),
        "median": statistics.median(samples),
        "p95": samples[min(len(samples) - 1, round(0.95 * len(samples) + 0.5) - 1)],
        "sql": statistics.median(sql_samples),
    }


def measure(usernames, name_term, id_term, repeat, only=None, pages="") -> dict:
    """The pages of these users (those of `only`, and whose "user page" contains `pages`)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    results = {}
    for username in usernames:
        user = get_user_model().objects.get(username=username)
        client = Client()
        client.force_login(user)
        for label, url in page_urls(user, name_term, id_term):
            if only is not None and (username, label) not in only:
                continue
            if pages not in f"{username} {label}":
                continue
            results[(username, label)] = {"url": url, **time_page(client, url, repeat)}
    return results


def place_staff(town, village) -> tuple[str, str]:
    """The town administrator to `town`, the clerk to `village`; a name and an ID number
    to search for there (a whole name, as a clerk types it)."""
    from federation.core.models import StaffScope
    from federation.models import Person

    StaffScope.objects.filter(user__username="town").update(town=town, town_wide=True)
    clerk = StaffScope.objects.get(user__username="taiba")
    StaffScope.objects.filter(pk=clerk.pk).update(town=town)
    clerk.villages.set([village])
    person = Person.objects.filter(village=village).order_by("pk")[10]
    return person.name, person.id_number


def child(people: int, repeat: int, reuse: bool, pages: str = "") -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench.reports import build
    from federation.core.models import Town, Village
    from federation.models import Household, Person

    settings.ALLOWED_HOSTS = ["testserver"]
    # Production settings, but without collectstatic's manifest: pages, not files, are timed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    reuse = reuse and Town.objects.filter(name__startswith="基准").exists()
    if not reuse:
        call_command("seed_demo", verbosity=0)
    taiba = Village.objects.get(name="太坝村")
    name_term, id_term = place_staff(taiba.town, taiba)
    demo_people = Person.objects.filter(village__town=taiba.town).count()
    print(f"demo town: {demo_people:,} people", flush=True)
    small = measure(["town", "taiba"], name_term, id_term, 1, pages=pages)
    small_home = measure(["admin"], name_term, id_term, 1, only={("admin", "home page (dashboard)")}, pages=pages)

    started = time.perf_counter()
    if reuse:
        print("county kept from the last run (--reuse)", flush=True)
    else:
        households_before = Household.objects.order_by("-pk").values_list("pk", flat=True).first()
        build(people, shift=SHIFT)
        lines = build_ledger(households_before)
        built = time.perf_counter() - started
        print(
            f"county built in {built:.0f} s: {Person.objects.count():,} people, "
            f"{Household.objects.count():,} households, {lines:,} ledger lines",
            flush=True,
        )
    county_town = Town.objects.filter(name__startswith="基准").order_by("pk").first()
    name_term, id_term = place_staff(county_town, county_town.villages.order_by("pk").first())
    large = measure(["town", "taiba"], name_term, id_term, repeat, pages=pages)
    home = measure(["admin"], name_term, id_term, repeat, only={("admin", "home page (dashboard)")}, pages=pages)

    over, grown = [], []
    print(f"\n{'role':6s} {'page':52s} {'median':>9s} {'p95':>9s} {'SQL':>9s} {'queries':>8s} {'demo':>5s}")
    for key, result in {**large, **home}.items():
        username, label = key
        demo = {**small, **small_home}.get(key, {}).get("queries")
        flag = ""
        if result["status"] != 200:
            flag += f" HTTP {result['status']}"
        if result["median"] > MEDIAN_TARGET or result["p95"] > P95_TARGET:
            # The superuser's home page sums the whole county (12 towns): the same target.
            flag += " OVER"
            over.append(key)
        if demo is not None and result["queries"] > demo:
            flag += " GROWS"
            grown.append(key)
        print(
            f"{username:6s} {label[:52]:52s} {result['median']:7.0f}ms {result['p95']:7.0f}ms {result['sql']:7.0f}ms "
            f"{result['queries']:8d} {demo if demo is not None else '-':>5}{flag}",
            flush=True,
        )
    print(
        f"\n{len(large)} pages of a town administrator and a village clerk, and the superuser's county home; "
        f"over the target "
        f"(median ≤ {MEDIAN_TARGET} ms, p95 ≤ {P95_TARGET} ms): {len(over)}; "
        f"more queries than on the demo town: {len(grown)}"
    )
    home_large = home.get(("admin", "home page (dashboard)"))
    if home_large is None:  # not among the pages timed (--only)
        return
    print(
        f"home page for the superuser: {small_home[('admin', 'home page (dashboard)')]['queries']} queries on the "
        f"demo town ({demo_people:,} people), {home_large['queries']} over the county "
        f"({Person.objects.count():,} people, {Person.objects.count() / demo_people:.0f}× the demo), "
        f"median {home_large['median']:.0f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the county of the last run (after a code change)")
    parser.add_argument("--only", default="", help='only the pages whose "user page" has this, e.g. "admin home"')
    args = parser.parse_args(argv if argv is not None else sys.argv[2:] if sys.argv[1:2] == ["scale"] else sys.argv[1:])
    if args.child:
        child(args.people, args.repeat, args.reuse, args.only)
        return
    url = fresh_postgres("fulian_scale", keep=args.reuse)
    if url:
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
        subprocess.run(
            [sys.executable, __file__, "--child", "--people", str(args.people), "--repeat", str(args.repeat)]
            + (["--reuse"] if args.reuse else [])
            + (["--only", args.only] if args.only else []),
            env=env,
            check=False,
        )


if __name__ == "__main__":
    main()
