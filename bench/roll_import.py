"""Benchmark of the member import: generate an .xlsx of N rows, check it, write it; print one JSON line.

    .venv/bin/python bench/roll_import.py 10000
    .venv/bin/python bench/roll_import.py 100000 --style openpyxl --order interleaved
    .venv/bin/python bench/roll_import.py 100000 --tracemalloc

``--style excel`` (the default) writes the file as Excel and WPS do: shared strings, a declared
dimension, dates as styled serial numbers. ``--style openpyxl`` writes it as openpyxl's write-only
mode does (and so the portal's own export): inline strings and no dimension, which openpyxl reads
more slowly. ``--order grouped`` (the default) lists the members branch by branch, as a roll is kept;
``interleaved`` puts every row in the next of the 200 branches, the worst case of the duplicate
check (see MemberImporter.check). Runs on a fresh SQLite database in a temporary folder unless DATABASE_URL is set (then
it must name a database you may fill); Celery runs eagerly. The file is generated in a child process, so the peak
resident memory reported is that of setting up and importing only. ``--tracemalloc`` adds the peak
of Python allocations per phase (and slows everything down: compare timings without it).
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
BRANCHES = 200
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def member_rows(count, order):
    """``grouped``: branch by branch, as a roll is kept; ``interleaved``: every row in the next branch."""
    born = datetime.date(1950, 1, 1)
    per_branch = -(-count // BRANCHES)
    for i in range(count):
        branch = i // per_branch if order == "grouped" else i % BRANCHES
        birth = born + datetime.timedelta(days=i % 18000)
        yield [
            f"党员{i:06d}",
            "男" if i % 3 else "女",
            birth,
            "预备" if i % 10 == 0 else "正式",
            birth + datetime.timedelta(days=365 * 20),
            f"BENCH-{branch:03d}",
            "书记" if i % 50 == 0 else "",
            "是" if i % 7 == 0 else "否",
            "一般员工" if i % 5 == 0 else "",
            f"139{i:08d}",
        ]


def write_like_excel(path, header, rows):
    """A minimal workbook as Excel saves it: shared strings, a dimension, date cells with a date style."""
    strings, index = [], {}
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def cell(ref, value):
        if value in (None, ""):
            return ""
        if isinstance(value, datetime.date):
            return f'<c r="{ref}" s="1"><v>{(value - EXCEL_EPOCH).days}</v></c>'
        if value not in index:
            index[value] = len(strings)
            strings.append(value)
        return f'<c r="{ref}" t="s"><v>{index[value]}</v></c>'

    body = [
        f'<row r="{r}">' + "".join(cell(f"{letters[c]}{r}", v) for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate([header, *rows], start=1)
    ]
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    parts = {
        "[Content_Types].xml": (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SPREADSHEET}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{SPREADSHEET}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SPREADSHEET}.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'{head}<Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{head}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            f'<sheet name="党员" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{head}<Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f'{head}<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'{head}<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><dimension ref="A1:J{len(body)}"/>'
            f"<sheetData>{''.join(body)}</sheetData></worksheet>"
        ),
    }
    parts["xl/sharedStrings.xml"] = (
        f'{head}<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)


def write_with_openpyxl(path, header, rows):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("党员")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def generate(path, count, style, order):
    from portal.roll_format import MEMBERS

    writer = write_like_excel if style == "excel" else write_with_openpyxl
    writer(path, [c.title for c in MEMBERS.columns], member_rows(count, order))


class Phase:
    """Wall and CPU seconds of a block, and its tracemalloc peak when tracing."""

    def __enter__(self):
        if tracemalloc.is_tracing():
            tracemalloc.reset_peak()
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        self.peak = tracemalloc.get_traced_memory()[1] if tracemalloc.is_tracing() else None

    def report(self):
        out = {"wall_s": round(self.wall, 1), "cpu_s": round(self.cpu, 1)}
        if self.peak is not None:
            out["tracemalloc_peak_mb"] = round(self.peak / 1e6, 1)
        return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int)
    parser.add_argument("--style", choices=["excel", "openpyxl"], default="excel")
    parser.add_argument("--order", choices=["grouped", "interleaved"], default="grouped")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    if args.generate:
        import django

        django.setup()
        generate(args.generate, args.rows, args.style, args.order)
        return
    with tempfile.TemporaryDirectory(prefix="roll-bench-") as workdir:
        print(json.dumps(run(args, Path(workdir))))


def run(args, workdir):
    os.environ.setdefault("SQLITE_PATH", str(workdir / "bench.sqlite3"))
    os.environ["PRIVATE_ROOT"] = str(workdir / "private")
    os.environ["CELERY_BROKER_URL"] = ""  # tasks run eagerly, in this process
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.core.management import call_command

    from portal import roll_import
    from portal.models import ImportJob, Member, Organization, Role, RoleAssignment
    from portal.roll_format import MEMBERS

    path = workdir / "members.xlsx"
    command = [sys.executable, __file__, str(args.rows), "--style", args.style, "--order", args.order]
    command += ["--generate", str(path)]
    subprocess.run(command, check=True)
    call_command("migrate", verbosity=0)
    city = Organization.objects.create(name="测试市委", code="BENCH-CITY", level="city", sector="agency")
    for b in range(BRANCHES):
        Organization.objects.create(
            name=f"第{b}支部", code=f"BENCH-{b:03d}", level="branch", sector="rural", parent=city
        )
    user = get_user_model().objects.create_user("bench-office")
    RoleAssignment.objects.create(user=user, role=Role.OFFICE, organization=city)
    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, args.rows)

    if args.tracemalloc:
        tracemalloc.start()
    with path.open("rb") as fileobj, Phase() as upload_phase:  # what the upload request does
        upload = File(fileobj, name="members.xlsx")
        rows = roll_import.inspect(upload, MEMBERS)
        job = ImportJob.objects.create(kind="members", file=upload, file_name="members.xlsx", created_by=user)
    with Phase() as check_phase:  # in the request, or the task (eager: in-process)
        roll_import.start(job, rows)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID, job.errors[:5]
    with Phase() as confirm_phase:
        roll_import.confirm(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Member.objects.count() == args.rows, job.status
    total = check_phase.wall + confirm_phase.wall
    result = {
        "rows": args.rows,
        "style": args.style,
        "order": args.order,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "file_mb": round(path.stat().st_size / 1e6, 2),
        "checked_at_upload": rows is not None,
        "upload": upload_phase.report(),
        "check": check_phase.report(),
        "confirm": confirm_phase.report(),
        "rows_per_s": round(args.rows / total),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    return result


if __name__ == "__main__":
    main()
