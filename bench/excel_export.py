"""Benchmark of the commitment ledger export against openpyxl alone; prints one JSON line at the end.

    .venv/bin/python bench/excel_export.py 100000
    .venv/bin/python bench/excel_export.py 100000 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/excel_export.py 100000 1000000

Seeds a campaign with commitment items (five per commitment: one organization's commitment per branch, the
rest members' commitments) up to each size given, smallest first (each size adds to the last), and at each
size runs, each in a child process of its own so that its peak resident memory is its own:

- **ours**: the ``commitment_ledger`` export job, run by the Celery task (eagerly) as the download centre
  runs it: rows fetched in chunks from the database, written with openpyxl's write-only mode, the file
  hashed and stored;
- **floor**: openpyxl's write-only mode writing rows of the same shape (21 columns: the same texts,
  dates, decimals and integers) generated in memory, with no database and no Django.

With several sizes the JSON line holds one entry per size and how much the peak memory grew from the
smallest to the largest (flat streaming: about nothing, whatever the factor in rows). Runs on a fresh
SQLite database in a temporary folder unless DATABASE_URL is set (then it must name an empty database
you may fill: it is migrated and seeded); the temporary folder is removed at the end. ``--tracemalloc``
adds the peak of Python allocations in each child (and slows both down: compare timings without it).
"""

import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRANCHES = 500
ITEMS_PER_COMMITMENT = 5
BATCH = 5000
CONTENTS = (
    "开展党员志愿服务进社区活动",
    "帮扶困难群众解决实际问题",
    "组织党员学习党的理论",
    "建设党员先锋岗",
    "推进村容村貌整治",
)
TARGETS = ("每季度不少于2次", "全年结对帮扶3户", "每月集中学习1次", "年内建成并挂牌", "完成率达到100%")
FULFILMENTS = ("fulfilled", "partly", "", "not", "")
DEADLINE = datetime.date(2026, 6, 30)


def item_values(i):
    """The varying values of item ``i``: content, target, deadline, weight, progress, fulfilment, comment."""
    fulfilment = FULFILMENTS[i % len(FULFILMENTS)]
    return (
        f"{CONTENTS[i % len(CONTENTS)]}（第{i}项）",
        TARGETS[i % len(TARGETS)],
        DEADLINE - datetime.timedelta(days=i % 180),
        Decimal(1 + i % 3),
        (i * 7) % 101,
        fulfilment,
        "按期完成，群众满意" if fulfilment == "fulfilled" else "",
    )


def peak_mb():
    """This process's peak resident memory. Linux keeps ``ru_maxrss`` across exec (a child would report its
    parent's peak), so read the high-water mark of the process's own address space where there is one."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    kilobytes = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(kilobytes / 1024, 1)


class Timer:
    """Wall and CPU seconds of a block (CPU time is steadier on a shared, busy machine)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def child_report(timer, **extra):
    out = {"seconds": round(timer.wall, 2), "cpu_s": round(timer.cpu, 2), "peak_rss_mb": peak_mb(), **extra}
    if tracemalloc.is_tracing():
        out["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
    print(json.dumps(out), flush=True)


# --- the floor: openpyxl alone --------------------------------------------------------------------


def floor(rows, path):
    from openpyxl import Workbook

    today = datetime.date.today()
    header = [f"列{n}" for n in range(1, 22)]
    states = ("已公布", "已接受", "已提交")
    fulfilments = {"fulfilled": "已兑现", "partly": "部分兑现", "not": "未兑现", "": ""}
    with Timer() as timer:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("承诺台帐")
        sheet.append(header)
        for i in range(rows):
            content, target, deadline, weight, progress, fulfilment, comment = item_values(i)
            commitment = i // ITEMS_PER_COMMITMENT
            branch = commitment % BRANCHES
            sheet.append(
                (
                    f"第{branch}党支部",
                    f"BENCH-{branch:04d}",
                    f"党员{commitment}的承诺",
                    f"党员{commitment}",
                    "党员承诺",
                    "向上级组织",
                    states[commitment % 3],
                    i % ITEMS_PER_COMMITMENT + 1,
                    content,
                    target,
                    deadline,
                    "带头学习提高",
                    "",
                    weight,
                    progress,
                    fulfilments[fulfilment],
                    comment,
                    today,
                    today,
                    today,
                    today if fulfilment else None,
                )
            )
        workbook.save(path)
    return timer


# --- ours: the export job ---------------------------------------------------------------------------


def setup_django(workdir):
    os.environ.setdefault("SQLITE_PATH", str(workdir / "bench.sqlite3"))
    os.environ["PRIVATE_ROOT"] = str(workdir / "private")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["CELERY_BROKER_URL"] = ""  # tasks run eagerly, in this process
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ours(job_id):
    from portal.models import ExportJob
    from portal.tasks import run_export

    with Timer() as timer:
        run_export(job_id)
    job = ExportJob.objects.get(pk=job_id)
    assert job.status == ExportJob.Status.DONE, job.error
    return timer, job


def setup():
    """A city with BRANCHES branches, an office user and a campaign with one criterion."""
    from django.contrib.auth import get_user_model

    from campaigns.models import ActivityCarrier, Campaign, CriteriaSet, Criterion
    from portal.models import Organization, Role, RoleAssignment

    city = Organization.objects.create(name="基准市委", code="BENCH", level="city", sector="agency")
    branches = [
        Organization.objects.create(
            name=f"第{b}党支部", code=f"BENCH-{b:04d}", level="branch", sector="community", parent=city
        )
        for b in range(BRANCHES)
    ]
    user = get_user_model().objects.create_user("bench-office")
    RoleAssignment.objects.create(user=user, role=Role.OFFICE, organization=city)
    campaign = Campaign.objects.create(
        name="基准活动", area=city, starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2027, 12, 31)
    )
    criteria = CriteriaSet.objects.create(campaign=campaign, target="member", name="五带头")
    criterion = Criterion.objects.create(criteria_set=criteria, order=1, title="带头学习提高")
    ActivityCarrier.objects.create(campaign=campaign, name="党员先锋岗")
    return city, branches, user, campaign, criterion


def add_items(world, start, rows):
    """Items ``start`` to ``rows`` (both multiples of five), in new commitments of five."""
    from django.utils import timezone

    from commitments.models import Commitment, Item
    from portal.models import Member

    city, branches, _user, campaign, criterion = world
    now = timezone.now()
    states = (Commitment.State.PUBLISHED, Commitment.State.ACCEPTED, Commitment.State.SUBMITTED)
    done, commitments = start // ITEMS_PER_COMMITMENT, rows // ITEMS_PER_COMMITMENT
    while done < commitments:
        size = min(BATCH, commitments - done)
        organizational = [n for n in range(done, done + size) if n < BRANCHES]
        members = Member.objects.bulk_create(
            Member(
                name=f"党员{n}",
                gender="m",
                joined_on=datetime.date(2000, 7, 1),
                organization=branches[n % BRANCHES],
            )
            for n in range(done, done + size)
            if n >= BRANCHES
        )
        made = Commitment.objects.bulk_create(
            [
                Commitment(
                    campaign=campaign,
                    kind=Commitment.Kind.ORGANIZATION,
                    organization=branches[n],
                    acceptor=city,
                    title=f"{branches[n].name}的承诺",
                    state=states[n % 3],
                    submitted_at=now,
                    accepted_at=now,
                    published_at=now,
                )
                for n in organizational
            ]
            + [
                Commitment(
                    campaign=campaign,
                    kind=Commitment.Kind.MEMBER,
                    organization_id=m.organization_id,
                    member=m,
                    acceptor_id=m.organization_id,
                    title=f"{m.name}的承诺",
                    state=states[i % 3],
                    submitted_at=now,
                    accepted_at=now,
                    published_at=now,
                )
                for i, m in enumerate(members)
            ]
        )
        items = []
        for c_index, commitment in enumerate(made):
            for k in range(ITEMS_PER_COMMITMENT):
                i = (done + c_index) * ITEMS_PER_COMMITMENT + k
                content, target, deadline, weight, progress, fulfilment, comment = item_values(i)
                items.append(
                    Item(
                        commitment=commitment,
                        order=k + 1,
                        content=content,
                        target=target,
                        deadline=deadline,
                        criterion=criterion,
                        weight=weight,
                        progress=progress,
                        fulfilment=fulfilment,
                        fulfilment_comment=comment,
                        assessed_at=now if fulfilment else None,
                    )
                )
        Item.objects.bulk_create(items, batch_size=2000)
        done += size


def export_job(world):
    from portal.models import ExportJob

    city, _branches, user, campaign, _criterion = world
    return ExportJob.objects.create(
        exporter="commitment_ledger",
        title="承诺台帐",
        organization=city,
        requested_by=user,
        params={"campaign": campaign.pk},
        language="zh-hans",
    )


def run_child(*args, tracing=False):
    command = [sys.executable, __file__, *args, *(["--tracemalloc"] if tracing else [])]
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=os.environ)
    return json.loads(out.stdout.strip().splitlines()[-1])


def load():
    return "/".join(f"{n:.2f}" for n in os.getloadavg())


def measure(rows, job, workdir, tracing):
    """Ours and the floor at ``rows`` rows: the figures of one size."""
    common = ["--workdir", str(workdir)]
    mine = run_child(str(rows), "--child", "ours", "--job", str(job.pk), *common, tracing=tracing)
    assert mine["rows"] == rows, mine
    base = run_child(str(rows), "--child", "floor", *common, tracing=tracing)
    result = {
        "rows": rows,
        "ours_s": mine["seconds"],
        "floor_s": base["seconds"],
        "ratio": round(mine["seconds"] / base["seconds"], 2),
        "ours_cpu_s": mine["cpu_s"],
        "floor_cpu_s": base["cpu_s"],
        "cpu_ratio": round(mine["cpu_s"] / base["cpu_s"], 2),
        "ours_rows_per_s": round(rows / mine["seconds"]),
        "floor_rows_per_s": round(rows / base["seconds"]),
        "ours_peak_mb": mine["peak_rss_mb"],
        "floor_peak_mb": base["peak_rss_mb"],
        "ours_file_mb": mine["file_mb"],
        "floor_file_mb": base["file_mb"],
        "load_avg": load(),
    }
    if tracing:
        result["ours_tracemalloc_mb"] = mine["tracemalloc_peak_mb"]
        result["floor_tracemalloc_mb"] = base["tracemalloc_peak_mb"]
    for name, key in (("ours (export job)", "ours"), ("floor (openpyxl)", "floor")):
        print(
            f"  {name:<18} {result[f'{key}_s']:>8.1f} s (CPU {result[f'{key}_cpu_s']:.1f} s)  "
            f"{result[f'{key}_rows_per_s']:>8} rows/s  "
            f"peak {result[f'{key}_peak_mb']:>6.1f} MB  file {result[f'{key}_file_mb']} MB"
        )
    print(f"  ratio ours/floor   {result['ratio']} (CPU {result['cpu_ratio']})   load average {result['load_avg']}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=int, nargs="*", default=[100_000], help="sizes, e.g. 100000 1000000")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--child", choices=["ours", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--job", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tracemalloc and args.child:
        tracemalloc.start()

    if args.child == "floor":
        timer = floor(args.rows[0], Path(args.workdir) / "floor.xlsx")
        child_report(timer, file_mb=round((Path(args.workdir) / "floor.xlsx").stat().st_size / 1e6, 1))
        return
    if args.child == "ours":
        setup_django(Path(args.workdir))
        timer, job = ours(args.job)
        child_report(timer, rows=job.rows_done, file_mb=round(job.size / 1e6, 1))
        return

    sizes = sorted(set(args.rows))
    if any(size <= 0 or size % ITEMS_PER_COMMITMENT for size in sizes):
        parser.error(f"each size must be a positive multiple of {ITEMS_PER_COMMITMENT}")
    workdir = Path(tempfile.mkdtemp(prefix="excel-bench-"))
    try:
        setup_django(workdir)
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(f"{database}, {os.cpu_count()} CPUs, load average {load()}", flush=True)
        world, seeded, results = setup(), 0, []
        for rows in sizes:
            print(f"seeding up to {rows} items …", flush=True)
            started = time.perf_counter()
            add_items(world, seeded, rows)
            seeded = rows
            print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
            results.append({"database": database, **measure(rows, export_job(world), workdir, args.tracemalloc)})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if len(results) == 1:
        print(json.dumps(results[0]))
        return
    smallest, largest = results[0], results[-1]
    growth = {
        "rows_factor": round(largest["rows"] / smallest["rows"], 1),
        "ours_peak_growth_mb": round(largest["ours_peak_mb"] - smallest["ours_peak_mb"], 1),
        "floor_peak_growth_mb": round(largest["floor_peak_mb"] - smallest["floor_peak_mb"], 1),
    }
    print(
        f"  from {smallest['rows']} to {largest['rows']} rows ({growth['rows_factor']}×) the peak memory grew by "
        f"{growth['ours_peak_growth_mb']} MB (ours) and {growth['floor_peak_growth_mb']} MB (floor)"
    )
    print(json.dumps({"database": database, "sizes": results, **growth}))


if __name__ == "__main__":
    main()
