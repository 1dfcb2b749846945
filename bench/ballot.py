"""Benchmark of the ballot submission endpoint behind a real WSGI server, against a minimal Django view.

    createdb -h 127.0.0.1 -U postgres bench_ballot
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ballot \\
        .venv/bin/python bench/ballot.py --requests 4000 --concurrency 8 --workers 2
    dropdb -h 127.0.0.1 -U postgres bench_ballot

Migrates the database and prepares one opened evaluation round (a town, a branch of 20 members, the
seeds' criteria: 5 questions about the branch) with as many one-time codes as requests. It then starts
gunicorn (``--workers`` sync workers, ``DEBUG=False``, the portal's whole middleware stack) on a free
port and, from ``--concurrency`` client processes, sends:

- ``hello``: GET of a minimal Django view (``HttpResponse("ok")``) added to the portal's URLs for the
  benchmark — the floor: what any request through this server and middleware costs;
- ``ballot``: POST /v/ballot/ with a fresh code and the five answers, as the ballot page sends it (with
  its CSRF token): the code looked up, the round locked against closing (``FOR SHARE``), the code
  claimed by a conditional UPDATE and the ballot and its answers inserted, in one transaction; then
  the redirect to the thanks page.

Every response is checked (200 for hello, 302 for a ballot) and the stored ballots are counted at the end.
Reported: requests per second and latency percentiles (ms) of each, the ballot's rate as a share of the
floor's, and the queries one ballot takes (counted in-process, BEGIN and COMMIT included). The client
runs on the same machine and takes CPU from the server: compare the two figures of one run, not runs on
different machines. The rate limit is lifted for the benchmark (one address sends everything). Ends with
one JSON line.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = """
from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench_ballot_urls"
MASS_BALLOT_RATE = (10**9, 60)  # one address sends every request of the benchmark
"""
URLS = """
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from portal.urls import urlpatterns as portal_patterns


def hello(request):
    return HttpResponse("ok")


def token(request):
    return HttpResponse(get_token(request))


urlpatterns = [path("bench/hello/", hello), path("bench/token/", token), *portal_patterns]
"""


def setup_django(module_dir):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring): the benchmark is for PostgreSQL.")
    sys.path[:0] = [str(ROOT), str(module_dir)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_ballot_settings"
    os.environ["CELERY_BROKER_URL"] = ""
    import django

    django.setup()


def prepare(count):
    """An opened round of a branch with ``count`` fresh codes; returns (codes, the POST data of the answers)."""
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from campaigns.services import create_campaign
    from evaluations import mass_codes
    from evaluations import mass_services as services
    from evaluations.mass_models import BallotCode, CodeBatch, Participant, Target
    from portal.models import Member, Organization

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    stamp = f"{time.time_ns() % 10**9}"
    city = Organization.objects.create(name="基准市委", code=f"BENCH-{stamp}", level="city", sector="agency")
    town = Organization.objects.create(
        name="基准镇党委", code=f"BENCH-{stamp}-T", level="town", sector="rural", parent=city
    )
    branch = Organization.objects.create(
        name="基准村党支部", code=f"BENCH-{stamp}-B", level="branch", sector="rural", parent=town
    )
    Member.objects.bulk_create(
        Member(
            name=f"党员{i}",
            gender="m",
            birth_date=datetime.date(1980, 1, 1),
            joined_on=datetime.date(2005, 7, 1),
            status="full",
            organization=branch,
        )
        for i in range(20)
    )
    campaign = create_campaign(
        None,
        name=f"基准活动{stamp}",
        area=city,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=300),
    )
    round = services.create_round(
        None, campaign, town, title="基准群众评议", opens_on=today, closes_on=today + datetime.timedelta(days=30)
    )
    services.open_round(None, round, round.version)
    participant = Participant.objects.select_related("round", "organization").get(round=round, organization=branch)
    codes = [mass_codes.new_code() for _n in range(count)]
    batch = CodeBatch.objects.create(participant=participant, count=count)
    BallotCode.objects.bulk_create(
        (BallotCode(batch=batch, participant=participant, digest=mass_codes.digest(c)) for c in codes), batch_size=5000
    )
    scale = list(round.options.order_by("order"))
    questions = round.questions_for(Target.ORGANIZATION, branch.sector)
    answers = {f"q{q.pk}": str(scale[i % 2].pk) for i, q in enumerate(questions)}
    return codes, answers, participant


def queries_per_ballot(codes, answers):
    """The queries of a ballot (BEGIN and COMMIT included), once the process knows the questionnaire."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for code in codes:
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/v/ballot/", {"code": code, **answers})
        assert response.status_code == 302, response.status_code
    return len(captured)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(module_dir, port, workers):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(module_dir)]),
        "DJANGO_SETTINGS_MODULE": "bench_ballot_settings",
        "DEBUG": "False",
        "SECRET_KEY": "bench-only-secret-key-not-for-production",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "CELERY_BROKER_URL": "",
    }
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(
        [gunicorn, "portal.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            request("GET", port, "/bench/hello/")
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    sys.exit("gunicorn did not start")


def request(method, port, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, response.getheader("Set-Cookie") or "", data
    finally:
        connection.close()


def csrf(port):
    """A CSRF cookie and a token for it, as the ballot page gives them to a browser."""
    _status, cookie, token = request("GET", port, "/bench/token/")
    value = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    return value, token.decode()


def client_run(args):
    """One client process: its requests one after the other; [(status, seconds)]."""
    kind, port, bodies, cookie = args
    out = []
    headers = {"Cookie": f"csrftoken={cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    for body in bodies:
        started = time.perf_counter()
        if kind == "hello":
            status, _c, _d = request("GET", port, "/bench/hello/")
        else:
            status, _c, _d = request("POST", port, "/v/ballot/", body=body, headers=headers)
        out.append((status, time.perf_counter() - started))
    return out


def load(kind, port, bodies, concurrency, cookie):
    slices = [bodies[i::concurrency] for i in range(concurrency)]
    started = time.perf_counter()
    with ProcessPoolExecutor(concurrency) as pool:
        results = [r for part in pool.map(client_run, [(kind, port, s, cookie) for s in slices]) for r in part]
    elapsed = time.perf_counter() - started
    expected = 200 if kind == "hello" else 302
    bad = [status for status, _t in results if status != expected]
    times = sorted(t for _s, t in results)

    def pct(p):
        return round(1000 * times[min(len(times) - 1, int(p / 100 * len(times)))], 1)

    return {
        "requests": len(results),
        "errors": len(bad),
        "rps": round(len(results) / elapsed),
        "p50_ms": pct(50),
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "max_ms": round(1000 * times[-1], 1),
        "mean_ms": round(1000 * statistics.mean(times), 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="requests of each kind (default 4000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client processes (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    args = parser.parse_args()
    module_dir = Path(tempfile.mkdtemp(prefix="ballot-bench-"))
    (module_dir / "bench_ballot_settings.py").write_text(SETTINGS)
    (module_dir / "bench_ballot_urls.py").write_text(URLS)
    try:
        setup_django(module_dir)
        warmup = 200
        codes, answers, participant = prepare(args.requests + warmup + 2)
        from evaluations.mass_models import Ballot

        queries = queries_per_ballot([codes.pop(), codes.pop()], answers)
        port = free_port()
        server = start_server(module_dir, port, args.workers)
        try:
            cookie, token = csrf(port)
            bodies = [urlencode({"csrfmiddlewaretoken": token, "code": c, **answers}) for c in codes]
            load("hello", port, ["" for _n in range(warmup)], args.concurrency, cookie)
            load("ballot", port, bodies[:warmup], args.concurrency, cookie)
            hello = load("hello", port, ["" for _n in range(args.requests)], args.concurrency, cookie)
            ballot = load("ballot", port, bodies[warmup:], args.concurrency, cookie)
        finally:
            server.terminate()
            server.wait(timeout=30)
        stored = Ballot.objects.filter(participant=participant).count()
    finally:
        shutil.rmtree(module_dir, ignore_errors=True)
    assert stored == args.requests + warmup + 2, (stored, args.requests + warmup + 2)
    print(f"machine load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'':8} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6}")
    for name, r in (("hello", hello), ("ballot", ballot)):
        figures = [r[k] for k in ("rps", "p50_ms", "p90_ms", "p99_ms", "max_ms")]
        print(f"{name:8} " + " ".join(f"{v:>7}" for v in figures) + f" {r['errors']:>6}")
    print(
        f"ballot at {100 * ballot['rps'] / hello['rps']:.0f}% of the floor; {queries} queries per ballot; "
        f"{stored} ballots stored"
    )
    print(
        json.dumps(
            {
                "bench": "ballot",
                "database": "postgresql",
                "server": f"gunicorn {args.workers} sync workers",
                "concurrency": args.concurrency,
                "hello": hello,
                "ballot": ballot,
                "ballot_share_of_floor": round(ballot["rps"] / hello["rps"], 2),
                "queries_per_ballot": queries,
                "ballots_stored": stored,
                "load_average_1min": round(os.getloadavg()[0], 1),  # others' work on the machine skews both
            }
        )
    )


if __name__ == "__main__":
    main()
