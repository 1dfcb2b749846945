"""Benchmark of the dashboard and the list pages at a given scale: server time and query count; one JSON line.

    createdb -h 127.0.0.1 -U postgres bench_dash
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dash \\
        .venv/bin/python bench/dashboard.py --orgs 100000 --members 3000000
    dropdb -h 127.0.0.1 -U postgres bench_dash

Migrates the database and fills it with the demo city (``manage.py seed_demo --orgs N --members M``; a
database that already holds the demo city is used as it is), then requests each page in-process with
Django's test client as the demo accounts (office staff at the city, the committee officer of a town,
a branch secretary): one request to warm up, then ``--repeat`` timed requests. Reported per page: the
median and the slowest server time, the median CPU time of this process (the web side; with SQLite the
database's work too), the number of SQL queries, and the ratio of the median to the floor's: the
``/healthz`` view (one ``SELECT 1``), a minimal Django view measured the same way in the same run.
Without DATABASE_URL it runs on a fresh SQLite database in a temporary folder.

PostgreSQL's JIT compiler can cost more than it saves on these aggregates (about a second per large
query at 10,000 organizations); compare with ``PGOPTIONS="-c jit=off"`` in the environment.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (label, demo account, URL name, query string). The dashboard and the roll-up keep their figures a few
# minutes (portal.figures_cache): "?refresh=1" makes them compute the figures on every request (what the
# first visitor of an area waits for), the "figures kept" rows measure the requests that follow.
PAGES = (
    ("floor: /healthz (one SELECT 1)", "office", "healthz", ""),
    ("dashboard (city)", "office", "portal:home", "?refresh=1"),
    ("dashboard (city, figures kept)", "office", "portal:home", ""),
    ("dashboard (town)", "committee", "portal:home", "?refresh=1"),
    ("dashboard (branch)", "secretary", "portal:home", "?refresh=1"),
    ("member list (city)", "office", "portal:member_list", ""),
    ("organization search", "office", "portal:org_tree", "?level=branch"),
    ("warnings (city)", "office", "portal:warnings", ""),
    ("commitment list (city)", "office", "commitments:list", ""),
    ("commitment roll-up (city)", "office", "commitments:rollup", "?refresh=1"),
    ("commitment roll-up (city, figures kept)", "office", "commitments:rollup", ""),
    ("commitment queue (town)", "committee", "commitments:queue", ""),
    ("downloads", "office", "portal:export_list", ""),
)


def setup_django():
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("SQLITE_PATH", str(Path(tempfile.mkdtemp(prefix="dashboard-bench-")) / "bench.sqlite3"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ.setdefault("FIGURES_CACHE_SECONDS", "300")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def measure(client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm-up: caches, the first query plans
    assert response.status_code == 200, (url, response.status_code)
    times, cpu, queries = [], [], set()
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(len(captured))
    return {
        "median_ms": round(1000 * statistics.median(times)),
        "max_ms": round(1000 * max(times)),
        "cpu_ms": round(1000 * statistics.median(cpu)),
        "queries": max(queries),
        "queries_vary": len(queries) > 1,
    }


@contextmanager
def analyzing_while_seeding():
    """On PostgreSQL, ANALYZE after seed_demo writes the city and after it writes the campaign.

    seed_demo writes everything in one transaction, where autovacuum cannot see the new rows: the later
    steps' queries would be planned for empty tables (at 100,000 organizations the demo notifications'
    query then ran a sequential scan of the progress updates per commitment, for hours). ANALYZE inside
    the transaction sees its rows and gives the planner the statistics a live database would have.
    """
    from django.db import connection

    from portal.management.commands import seed_demo

    if connection.vendor != "postgresql":
        yield
        return

    def analyzed(step):
        def run(*args, **kwargs):
            result = step(*args, **kwargs)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            return result

        return run

    originals = {name: getattr(seed_demo, name) for name in ("build_demo_city", "build_demo_campaign")}
    for name, step in originals.items():
        setattr(seed_demo, name, analyzed(step))
    try:
        yield
    finally:
        for name, step in originals.items():
            setattr(seed_demo, name, step)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--members", type=int, default=30000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from commitments.models import Commitment, Item
    from portal.models import Member, Organization

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet, analyzing_while_seeding():
        call_command("seed_demo", orgs=args.orgs, members=args.members, stdout=quiet)
    seeded = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the statistics autovacuum would have gathered by the time anyone looks
    sizes = {
        "organizations": Organization.objects.count(),
        "members": Member.objects.count(),
        "commitments": Commitment.objects.count(),
        "items": Item.objects.count(),
    }
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"{database}: " + ", ".join(f"{v} {k}" for k, v in sizes.items()) + f" (seeding {seeded:.0f} s)", flush=True)
    users = get_user_model().objects
    client = Client()
    pages = {}
    for label, username, name, query in PAGES:
        client.force_login(users.get(username=username))
        figures = measure(client, reverse(name) + query, args.repeat)
        pages[label] = figures
        print(
            f"  {label:<40} {figures['median_ms']:>6} ms median  {figures['max_ms']:>6} ms max  "
            f"{figures['cpu_ms']:>6} ms CPU  "
            f"{figures['queries']:>3} queries{' (varies)' if figures['queries_vary'] else ''}",
            flush=True,
        )
    floor = pages["floor: /healthz (one SELECT 1)"]["median_ms"] or 1
    for figures in pages.values():
        figures["ratio_to_floor"] = round(figures["median_ms"] / floor, 1)
    load = "/".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"  load average {load}")
    print(json.dumps({"database": database, **sizes, "seed_s": round(seeded), "load_avg": load, "pages": pages}))


if __name__ == "__main__":
    main()
