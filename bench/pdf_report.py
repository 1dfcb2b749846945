"""Benchmark of the annual report (PDF) against WeasyPrint alone; prints one JSON line at the end.

    .venv/bin/python bench/pdf_report.py
    .venv/bin/python bench/pdf_report.py --orgs 500 --members 30

Seeds a town committee with ``--orgs`` organizations in all (the town and its branches), each branch with
``--members`` members, two two-new units, a published commitment with four items and a few members'
commitments, then makes the annual report of one branch and of the whole town:

- **ours**: the ``annual_report`` export job run by the Celery task (eagerly), as the download centre runs
  it: SQL aggregates, the template, WeasyPrint's layout and PDF writing, the file hashed and stored;
- **floor**: the same HTML (captured from our run) laid out and written by WeasyPrint alone, with the
  same restricted fetcher (the stylesheet is one of the portal's static files).

Each is run ``--repeat`` times, alternating, and the medians are reported (wall and CPU seconds: on a busy
machine the CPU ratio is the steadier figure). Runs on a fresh SQLite database in a temporary folder
unless DATABASE_URL is set (then it must name an empty database you may fill: it is migrated and seeded);
the temporary folder is removed at the end.
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2026


class Timer:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def setup_django(workdir):
    os.environ.setdefault("SQLITE_PATH", str(workdir / "bench.sqlite3"))
    os.environ["PRIVATE_ROOT"] = str(workdir / "private")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["CELERY_BROKER_URL"] = ""  # tasks run eagerly, in this process
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(orgs, members_per_branch):
    """The town and its branches with members, units and commitments; returns (office user, campaign, town, branch)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from campaigns.models import Campaign, CriteriaSet, Criterion
    from commitments.models import Commitment, Item
    from portal.models import Member, Organization, Role, RoleAssignment, Unit

    city = Organization.objects.create(name="基准市委", code="BENCH", level="city", sector="agency")
    town = Organization.objects.create(name="基准镇党委", code="BENCH-T", level="town", sector="rural", parent=city)
    sectors = ("rural", "community", "non_public", "agency", "social")
    branches = [
        Organization.objects.create(
            name=f"第{b + 1}村党支部" if b % 5 == 0 else f"第{b + 1}党支部",
            code=f"BENCH-{b:04d}",
            level="branch",
            sector=sectors[b % len(sectors)],
            parent=town,
        )
        for b in range(orgs - 1)
    ]
    user = get_user_model().objects.create_user("bench-office")
    RoleAssignment.objects.create(user=user, role=Role.OFFICE, organization=city)
    campaign = Campaign.objects.create(
        name="2025—2027年创先争优活动",
        area=city,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
    )
    criteria = CriteriaSet.objects.create(campaign=campaign, target="organization", name="五个好")
    titles = ["领导班子好", "党员队伍好", "工作机制好", "发展业绩好", "群众反映好"]
    criterion = [Criterion.objects.create(criteria_set=criteria, order=i, title=t) for i, t in enumerate(titles, 1)]
    members = Member.objects.bulk_create(
        Member(
            name=f"党员{b}-{m}",
            gender="mf"[m % 2],
            status="probationary" if m % 9 == 0 else "full",
            joined_on=datetime.date(2000, 7, 1),
            organization=branch,
        )
        for b, branch in enumerate(branches)
        for m in range(members_per_branch if b % 7 else 2)  # every seventh branch is too small: a warning
    )
    Unit.objects.bulk_create(
        Unit(
            name=f"{branch.name}所在企业{u}",
            kind="enterprise",
            above_scale=u == 0,
            employees=50 + b,
            party_members=(b + u) % 6,
            organization=branch,
            coverage=("single", "joint", "work", "none")[(b + u) % 4],
        )
        for b, branch in enumerate(branches)
        for u in range(2)
    )
    now = timezone.now()
    states = ("published", "published", "accepted", "submitted", "returned", "draft")
    commitments = Commitment.objects.bulk_create(
        [
            Commitment(
                campaign=campaign,
                kind="organization",
                organization=branch,
                acceptor=town,
                title=f"{branch.name}的公开承诺",
                state=states[b % len(states)],
                submitted_at=now,
            )
            for b, branch in enumerate(branches)
        ]
        + [
            Commitment(
                campaign=campaign,
                kind="member",
                organization_id=m.organization_id,
                member=m,
                acceptor_id=m.organization_id,
                title=f"{m.name}的承诺",
                state=states[i % len(states)],
                submitted_at=now,
            )
            for i, m in enumerate(members)
            if i % 4 == 0
        ]
    )
    Item.objects.bulk_create(
        Item(
            commitment=c,
            order=k + 1,
            content="开展党员志愿服务",
            target="每季度不少于2次",
            deadline=datetime.date(YEAR, 3 + 3 * k, 28),
            criterion=criterion[k],
            weight=1 + k % 2,
            progress=(i * 13 + k * 29) % 101,
            fulfilment=("fulfilled", "partly", "not", "")[(i + k) % 4],
        )
        for i, c in enumerate(commitments)
        for k in range(4 if c.kind == "organization" else 2)
    )
    return user, campaign, town, branches[0]


def ours_and_floor(user, campaign, org):
    """Run the report job of ``org``; then render the HTML it produced with WeasyPrint alone."""
    from weasyprint import HTML

    from portal import pdf
    from portal.models import ExportJob
    from portal.tasks import run_export

    captured = {}
    layout = pdf.layout

    def capturing(html):
        captured["html"] = html
        document = layout(html)
        captured["pages"] = len(document.pages)
        return document

    job = ExportJob.objects.create(
        exporter="annual_report",
        title="年度总结",
        organization=org,
        requested_by=user,
        params={"campaign": campaign.pk, "year": YEAR},
        language="zh-hans",
    )
    pdf.layout = capturing
    try:
        with Timer() as ours:
            run_export(job.pk)
    finally:
        pdf.layout = layout
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    base = pdf.base_url()
    with Timer() as floor:
        document = HTML(string=captured["html"], base_url=base, url_fetcher=pdf.StaticOnlyFetcher(base)).render()
        out = BytesIO()
        document.write_pdf(out)
    assert len(document.pages) == captured["pages"]
    return ours, floor, captured["pages"], job.size


def median(timers, field):
    return statistics.median(getattr(t, field) for t in timers)


def measure(user, campaign, org, repeat):
    """``repeat`` runs of ours then the floor, alternating; medians of wall and CPU seconds."""
    runs = [ours_and_floor(user, campaign, org) for _ in range(repeat)]
    ours, floor = [r[0] for r in runs], [r[1] for r in runs]
    pages, size = runs[-1][2], runs[-1][3]
    ours_s, floor_s = median(ours, "wall"), median(floor, "wall")
    ours_cpu, floor_cpu = median(ours, "cpu"), median(floor, "cpu")
    return {
        "ours_s": round(ours_s, 2),
        "floor_s": round(floor_s, 2),
        "ratio": round(ours_s / floor_s, 2),
        "ours_cpu_s": round(ours_cpu, 2),
        "floor_cpu_s": round(floor_cpu, 2),
        "cpu_ratio": round(ours_cpu / floor_cpu, 2),
        "pages": pages,
        "pages_per_s": round(pages / ours_s, 2),
        "file_kb": round(size / 1024),
        "load_avg": load(),
    }


def load():
    return "/".join(f"{n:.2f}" for n in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=100, help="organizations in the subtree (default 100)")
    parser.add_argument("--members", type=int, default=25, help="members per branch (default 25)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, medians reported (default 3)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="pdf-bench-"))
    try:
        setup_django(workdir)
        result = run(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result))


def run(args):
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"{database}, {os.cpu_count()} CPUs, load average {load()}", flush=True)
    user, campaign, town, branch = seed(args.orgs, args.members)
    from portal import pdf

    pdf.layout('<p lang="zh">预热</p>').write_pdf()  # warm up: fontconfig and the CJK fonts load once per process
    result = {"database": database, "organizations": args.orgs, "repeat": args.repeat}
    for name, org in (("one", branch), ("subtree", town)):
        figures = measure(user, campaign, org, args.repeat)
        result[name] = figures
        print(
            f"  {name:<8} {org.name:<10} ours {figures['ours_s']:>6.2f} s (CPU {figures['ours_cpu_s']:.2f})  "
            f"floor {figures['floor_s']:>6.2f} s (CPU {figures['floor_cpu_s']:.2f})  "
            f"ratio {figures['ratio']} (CPU {figures['cpu_ratio']})  {figures['pages']} pages  "
            f"{figures['file_kb']} KB  load average {figures['load_avg']}",
            flush=True,
        )
    return result


if __name__ == "__main__":
    main()
