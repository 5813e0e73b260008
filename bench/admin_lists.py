"""The demo town's size: how long seed_demo takes, and how fast the busiest admin lists
answer for each role. The baseline is the same page for the superuser, whose queryset is
not scoped, so the ratio is the cost of village scoping and masking."""

import statistics
import tempfile
import time

from django.core.management import call_command

REPEAT = 15
PAGES = ["/admin/federation/person/", "/admin/federation/household/", "/admin/federation/person/?q=王"]


def timed(client, url):
    from django.db import connection, reset_queries

    samples, queries = [], 0
    for _ in range(REPEAT):
        reset_queries()
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(connection.queries)
    return statistics.median(samples), queries


def main() -> None:
    from bench.run import setup_django

    setup_django(tempfile.mkdtemp(prefix="fulian-bench-"))
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    from django.test import Client
    from django.test.utils import override_settings

    from federation.models import Person

    start = time.perf_counter()
    call_command("seed_demo", verbosity=0)
    print(f"seed_demo (first run): {time.perf_counter() - start:.2f} s for {Person.objects.count()} people")
    start = time.perf_counter()
    call_command("seed_demo", verbosity=0)
    print(f"seed_demo (second run, nothing to write): {time.perf_counter() - start:.2f} s")

    clients = {}
    for username in ["admin", "town", "taiba"]:
        clients[username] = Client()
        clients[username].login(username=username, password="zhanerxiang-demo")
    with override_settings(DEBUG=True):
        for url in PAGES:
            baseline, baseline_queries = timed(clients["admin"], url)
            print(f"{url}  superuser (baseline): {baseline:.1f} ms, {baseline_queries} queries")
            for username in ["town", "taiba"]:
                median, queries = timed(clients[username], url)
                print(f"{url}  {username}: {median:.1f} ms, {queries} queries, ratio {median / baseline:.2f}")
