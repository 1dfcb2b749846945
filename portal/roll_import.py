"""Import of organizations and members from .xlsx files.

1. ``UploadForm`` checks the file before anything parses it (type, size, the unpacked size the zip
   declares). A small file is then opened with openpyxl in read-only mode, XML parsed by
   defusedxml, its headers checked and its rows counted; a large one is not parsed in the request.
   An ``ImportJob`` keeps the file in the private storage.
2. Every row is validated (``run_job``): in the request for small files, else by the Celery task
   ``portal.tasks.run_import``, which also reports what is wrong with a large file as a whole.
   All errors, a preview and counts are kept on the job.
3. On confirmation the file is validated again, against the database and the user's rights as
   they are then, and written in the same pass inside one transaction. One error anywhere and the
   transaction is rolled back: nothing is written.
"""

import datetime
import logging
import os
import zipfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

import openpyxl
from defusedxml import DefusedXmlException
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models.functions import Upper
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import outbox
from .audit import record
from .forms import OrganizationChoiceField
from .models import AuditEntry, ImportJob, Level, Member, Organization
from .models.organizations import SEGMENT, encode_segment
from .roll_format import MEMBERS, ORGANIZATIONS, SPECS, lookup_table, normalize
from .scope import Scope
from .tasks import run_import

if not openpyxl.DEFUSEDXML:
    raise ImproperlyConfigured(
        "openpyxl must parse XML with defusedxml: install it and leave OPENPYXL_DEFUSEDXML unset."
    )

logger = logging.getLogger(__name__)

CHUNK = 500  # rows validated and written together: one round of database lookups per chunk
PREVIEW_ROWS = 10
MAX_ERRORS = 1000  # errors kept for display; error_count counts them all
UNPACKED_FACTOR = 10  # xlsx XML compresses 5 to 15 times: a larger declared unpacked size is refused
ROW_BYTES = 1024  # a row of the roll takes 300 to 700 bytes of sheet XML: sizes the checks done at upload
EXCEL_MAX_ROW = 1_048_576
MAX_HEADER_COLUMNS = 60
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old .xls files and password-protected workbooks
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
PROGRESS_TTL = 6 * 3600

# Everything the import says to the user, in one place for the translators (and the tests).
MESSAGES = {
    # the file as a whole
    "type": gettext_lazy(
        "Upload an Excel workbook (.xlsx). Save .xls or .csv files as “Excel workbook (.xlsx)” first."
    ),
    "size": gettext_lazy("The file is %(size)s; at most %(limit)s can be imported. Split it into several files."),
    "old_format": gettext_lazy(
        "This is an old .xls file or a password-protected workbook. Remove the password and save it as .xlsx."
    ),
    "damaged": gettext_lazy(
        "The file is damaged or is not an Excel workbook. Open it in Excel or WPS, "
        "save it as .xlsx and upload it again."
    ),
    "unpacked": gettext_lazy("The file unpacks to more than %(limit)s and cannot be imported."),
    "entities": gettext_lazy(
        "The file contains XML entity declarations, refused for safety. Save it again from Excel or WPS."
    ),
    "headers": gettext_lazy(
        "The first row must hold the column headers; missing: %(columns)s. The template shows them."
    ),
    "too_many_rows": gettext_lazy("The file has more than %(limit)s rows. Split it into several files."),
    "no_rows": gettext_lazy("The file has no rows below the headers."),
    # one cell
    "required": gettext_lazy("Required."),
    "not_a_date": gettext_lazy("“%(value)s” is not a date. Write dates like 2021-07-01."),
    "future": gettext_lazy("The date is in the future."),
    "unknown_value": gettext_lazy("Unknown value “%(value)s”. Use one of: %(choices)s."),
    "too_long": gettext_lazy("Too long: at most %(max)s characters."),
    # one row against the others and the database
    "unknown_organization": gettext_lazy("No organization with the code “%(code)s” in your area."),
    "dissolved": gettext_lazy("The organization “%(code)s” is dissolved."),
    "code_twice": gettext_lazy("The code “%(code)s” is also in row %(row)s."),
    "code_taken": gettext_lazy("This code is already used by another organization."),
    "under_itself": gettext_lazy("An organization cannot be placed under itself or its own subordinate."),
    "superior_later": gettext_lazy(
        "The superior organization “%(code)s” comes further down, in row %(row)s. "
        "List superior organizations above their subordinates."
    ),
    "member_twice": gettext_lazy("Same name and birth date in the same organization as row %(row)s."),
    "member_exists": gettext_lazy("A member with this name and birth date is already on this organization's roll."),
    "joined_before_birth": gettext_lazy("The joining date must be after the birth date."),
    # the job
    "no_right": gettext_lazy("You no longer have the right to import into this area."),
    "crashed": gettext_lazy("The import stopped on an unexpected error; nothing was written. Try again later."),
}


class FileRejected(Exception):
    """The file as a whole cannot be imported; ``message`` tells the user why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


class CellError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


# --- The file ----------------------------------------------------------------------------------


def check_archive(upload):
    """Refuse what is not a reasonably sized .xlsx before any XML of it is parsed.

    Returns the declared unpacked size of the sheets and their shared strings: what reading costs."""
    if not upload.name.lower().endswith(".xlsx"):
        raise FileRejected(MESSAGES["type"])
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise FileRejected(
            MESSAGES["size"] % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
        )
    upload.seek(0)
    if upload.read(len(OLE_SIGNATURE)) == OLE_SIGNATURE:
        raise FileRejected(MESSAGES["old_format"])
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileRejected(MESSAGES["damaged"]) from None
    limit = settings.IMPORT_MAX_BYTES * UNPACKED_FACTOR
    if sum(entry.file_size for entry in entries) > limit:
        raise FileRejected(MESSAGES["unpacked"] % {"limit": filesizeformat(limit)})
    if "[Content_Types].xml" not in {entry.filename for entry in entries}:
        raise FileRejected(MESSAGES["damaged"])
    upload.seek(0)
    return sum(e.file_size for e in entries if e.filename.startswith(("xl/worksheets/", "xl/sharedStrings")))


@contextmanager
def _parsing():
    """openpyxl raises exceptions of many kinds on a malformed file: to the user each means a bad file."""
    try:
        yield
    except FileRejected:
        raise
    except Exception as error:
        cause = error
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__  # openpyxl wraps what the parser raised
        if cause is not None:
            raise FileRejected(MESSAGES["entities"]) from None
        raise FileRejected(MESSAGES["damaged"]) from None


def _header_name(value):
    """``党员类别(正式/预备)`` and ``*姓名`` → the bare header."""
    text = "".join(str(value).split()).strip("*")
    for bracket in ("(", "（"):
        text = text.split(bracket, 1)[0]
    return text


class Sheet:
    """The first worksheet of a workbook opened read-only, with the columns of ``spec`` located."""

    def __init__(self, worksheet, spec):
        self.worksheet = worksheet
        with _parsing():
            header = next(worksheet.iter_rows(max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True), ())
        found = {}
        for index, value in enumerate(header):
            if value is not None:
                found.setdefault(_header_name(value), index)
        self.positions = [found.get(column.header) for column in spec.columns]
        missing = [c.header for c, p in zip(spec.columns, self.positions, strict=True) if c.required and p is None]
        if missing:
            raise FileRejected(MESSAGES["headers"] % {"columns": "、".join(missing)})
        self.width = max(p for p in self.positions if p is not None) + 1
        self.estimated_rows = worksheet.max_row - 1 if worksheet.max_row else None  # from the declared dimension

    def rows(self, limit):
        """(row number, values in the order of the spec's columns) for each non-blank row."""
        source = self.worksheet.iter_rows(min_row=2, max_col=self.width, values_only=True)
        count = 0
        for number in range(2, EXCEL_MAX_ROW + 2):
            with _parsing():
                cells = next(source, None)
            if cells is None:
                return
            if number > EXCEL_MAX_ROW:
                raise FileRejected(MESSAGES["damaged"])
            values = tuple(cells[p] if p is not None and p < len(cells) else None for p in self.positions)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            count += 1
            if count > limit:
                raise FileRejected(MESSAGES["too_many_rows"] % {"limit": limit})
            yield number, values


@contextmanager
def open_sheet(fileobj, spec):
    with _parsing():
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            raise FileRejected(MESSAGES["damaged"])
        yield Sheet(workbook.worksheets[0], spec)
    finally:
        workbook.close()


def inspect(upload, spec):
    """Check an upload. A small file is opened, its headers checked and its rows counted up to
    ``IMPORT_SYNC_ROWS + 1``; a large one is left to the task (returns None) so the request stays short."""
    if check_archive(upload) > settings.IMPORT_SYNC_ROWS * ROW_BYTES:
        return None
    with open_sheet(upload, spec) as sheet:
        counted = sum(1 for _row in islice(sheet.rows(settings.IMPORT_MAX_ROWS), settings.IMPORT_SYNC_ROWS + 1))
    upload.seek(0)
    if not counted:
        raise FileRejected(MESSAGES["no_rows"])
    return counted


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.FileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    organization = OrganizationChoiceField(
        Organization.objects.none(),
        required=False,
        label=gettext_lazy("Only into (organization code)"),
        help_text=gettext_lazy("Optional: refuse rows outside this organization and its subordinates."),
    )

    def __init__(self, *args, spec, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["organization"].queryset = organizations
        self.rows = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.rows = inspect(upload, self.spec)
        except FileRejected as rejected:
            raise forms.ValidationError(rejected.message) from None
        return upload

    def create_job(self, user):
        upload = self.cleaned_data["file"]
        return ImportJob.objects.create(
            kind=self.spec.kind,
            file=upload,
            file_name=upload.name[:200],
            organization=self.cleaned_data["organization"],
            created_by=user,
            language=translation.get_language(),
        )


# --- Cells -------------------------------------------------------------------------------------


def _text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # phone numbers typed as numbers
    return str(value).strip()


def _date(value, today):
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = _text(value)
        day = None
        formats = ("%Y%m%d",) if text.isdigit() and len(text) == 8 else DATE_FORMATS
        for fmt in formats:
            try:
                day = datetime.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        if day is None:
            raise CellError(MESSAGES["not_a_date"] % {"value": text[:40]})
    if day > today:
        raise CellError(MESSAGES["future"])
    return day


def parse(column, value, today):
    """The field value of one cell; raises ``CellError`` with a message for the user."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if column.required:
            raise CellError(MESSAGES["required"])
        return column.default
    if column.type == "date":
        return _date(value, today)
    text = _text(value)
    if column.type == "choice":
        try:
            return lookup_table(column.names)[normalize(text)]
        except KeyError:
            raise CellError(
                MESSAGES["unknown_value"] % {"value": text[:40], "choices": "、".join(column.choices())}
            ) from None
    if column.type == "code":
        text = text.upper()
    if column.max_length and len(text) > column.max_length:
        raise CellError(MESSAGES["too_long"] % {"max": column.max_length})
    return text


def _display(value):
    """A cell as text for the preview."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    return _text(value)


# --- Rows --------------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    data: dict = field(default_factory=dict)
    ok: bool = True
    path: str = ""  # of the organization the row hangs under, once known


def _by_code(organizations, codes):
    """{code: (pk, path, status)} of ``organizations`` whose code is one of ``codes`` (upper case),
    regardless of case as everywhere in the portal; exact matches first, as they use the index."""
    fields = ("code", "pk", "path", "status")
    found = {code: rest for code, *rest in organizations.filter(code__in=codes).values_list(*fields)}
    if missing := codes - found.keys():
        others = organizations.alias(upper_code=Upper("code")).filter(upper_code__in=missing)
        found.update({code.upper(): rest for code, *rest in others.values_list(*fields)})
    return found


class Importer:
    """Validates the rows of one file chunk by chunk and, when ``write`` and no row has failed, writes them.

    Subclasses give ``spec``, ``check(rows)`` (the lookups of a chunk), ``save(rows)`` and ``summary()``.
    """

    spec = None

    def __init__(self, job, scope, write):
        self.job = job
        self.write = write
        organizations = scope.organizations(self.spec.action)
        if job.organization_id:
            organizations = organizations.filter(path__startswith=job.organization.path)
        self.organizations = organizations
        self.total = 0
        self.written = 0
        self.error_count = 0
        self.errors = []
        self.preview = []
        self.common_path = None  # the deepest organization above every written row, for the audit entry
        self.today = timezone.localdate()

    def error(self, number, column, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            entry = {"row": number, "column": column.header if column else "", "message": str(message)}
            self.errors.append(entry)
            return entry
        return None

    def fail(self, row, field_name, message):
        row.ok = False
        return self.error(row.number, self.spec.column(field_name), message)

    def parse_row(self, number, values):
        self.total += 1
        if len(self.preview) < PREVIEW_ROWS:
            self.preview.append([_display(v) for v in values])
        row = Row(number)
        for column, value in zip(self.spec.columns, values, strict=True):
            try:
                row.data[column.field] = parse(column, value, self.today)
            except CellError as error:
                row.ok = False
                self.error(number, column, error.message)
        return row

    def run(self, sheet, progress):
        """Read every row of ``sheet``; a file-level problem becomes an error without a row number."""
        try:
            rows = sheet.rows(settings.IMPORT_MAX_ROWS)
            while chunk := list(islice(rows, CHUNK)):
                parsed = [self.parse_row(number, values) for number, values in chunk]
                self.check(parsed)
                if self.write and not self.error_count:
                    self.save(parsed)
                    self.written += len(parsed)
                progress(self.total)
        except FileRejected as rejected:
            self.error(None, None, rejected.message)
        if not self.total and not self.error_count:
            self.error(None, None, MESSAGES["no_rows"])
        self.finish()

    def finish(self):
        """Called after the last chunk."""

    def below(self, path):
        if self.common_path is None:
            self.common_path = path
        elif not path.startswith(self.common_path):
            prefix = os.path.commonprefix([self.common_path, path])
            self.common_path = prefix[: prefix.rfind("/") + 1]

    def sorted_errors(self):
        order = {column.header: index for index, column in enumerate(self.spec.columns)}
        return sorted(self.errors, key=lambda e: (e["row"] or 0, order.get(e["column"], -1)))


class OrganizationImporter(Importer):
    spec = ORGANIZATIONS
    fields = [c.field for c in ORGANIZATIONS.columns if c.field != "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows_of = {}  # code → the row that first defines it
        self.known = {}  # parent code → (pk, path, status) in the user's area, or None
        self.created = {}  # code → (pk, path) of organizations written in this pass
        self.unresolved = []  # (error entry, parent code): refined in finish() when the code comes later
        self.levels = Counter()

    def check(self, rows):
        taken = _by_code(Organization.objects.all(), {row.data["code"] for row in rows if row.data.get("code")})
        wanted = {row.data["parent"] for row in rows if row.data.get("parent")} - self.rows_of.keys()
        wanted -= self.known.keys()
        found = _by_code(self.organizations, wanted)
        self.known.update({code: found.get(code) for code in wanted})
        for row in rows:
            code, parent = row.data.get("code"), row.data.get("parent")
            if code in self.rows_of:
                self.fail(
                    row,
                    "code",
                    MESSAGES["code_twice"] % {"code": code, "row": self.rows_of[code]},
                )
            elif code in taken:
                self.fail(row, "code", MESSAGES["code_taken"])
            if code:
                self.rows_of.setdefault(code, row.number)
            if parent and parent == code:
                self.fail(row, "parent", MESSAGES["under_itself"])
            elif parent and parent not in self.rows_of:
                known = self.known.get(parent)
                if known is None:
                    entry = self.fail(row, "parent", MESSAGES["unknown_organization"] % {"code": parent})
                    self.unresolved.append((entry, parent))
                elif known[2] != Organization.Status.ACTIVE:
                    self.fail(row, "parent", MESSAGES["dissolved"] % {"code": parent})
            if row.data.get("level"):
                self.levels[row.data["level"]] += 1

    def save(self, rows):
        objects = [Organization(**{name: row.data[name] for name in self.fields}) for row in rows]
        Organization.objects.bulk_create(objects)
        for obj, row in zip(objects, rows, strict=True):
            parent = row.data["parent"]
            obj.parent_id, parent_path = self.created[parent] if parent in self.created else self.known[parent][:2]
            obj.path = parent_path + encode_segment(obj.pk)
            obj.depth = obj.path.count("/") - 1
            self.created[obj.code] = (obj.pk, obj.path)
            self.below(parent_path)
        Organization.objects.bulk_update(objects, ["parent", "path", "depth"])

    def finish(self):
        for entry, parent in self.unresolved:
            if entry and parent in self.rows_of:
                entry["message"] = MESSAGES["superior_later"] % {"code": parent, "row": self.rows_of[parent]}

    def summary(self):
        return [[str(Level(level).label), self.levels[level]] for level in Level.values if self.levels[level]]


class MemberImporter(Importer):
    spec = MEMBERS
    fields = [c.field for c in MEMBERS.columns if c.field != "organization"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = {}  # organization code → (pk, path, status) in the user's area, or None
        self.rows_of = {}  # (organization pk, name, birth date) → the row that first has it
        self.statuses = Counter()
        self.organization_ids = set()

    def check(self, rows):
        wanted = {row.data["organization"] for row in rows if row.data.get("organization")} - self.known.keys()
        found = _by_code(self.organizations, wanted)
        self.known.update({code: found.get(code) for code in wanted})
        keyed = []
        for row in rows:
            data = row.data
            code = data.get("organization")
            organization = self.known.get(code) if code else None
            if code and organization is None:
                self.fail(row, "organization", MESSAGES["unknown_organization"] % {"code": code})
            elif organization and organization[2] != Organization.Status.ACTIVE:
                self.fail(row, "organization", MESSAGES["dissolved"] % {"code": code})
            if data.get("birth_date") and data.get("joined_on") and data["birth_date"] >= data["joined_on"]:
                self.fail(row, "joined_on", MESSAGES["joined_before_birth"])
            if organization:
                data["organization_id"], row.path = organization[0], organization[1]
                self.organization_ids.add(organization[0])
            if organization and data.get("name") and data.get("birth_date"):
                key = (organization[0], data["name"], data["birth_date"])
                if key in self.rows_of:
                    self.fail(
                        row,
                        "name",
                        MESSAGES["member_twice"] % {"row": self.rows_of[key]},
                    )
                else:
                    self.rows_of[key] = row.number
                    keyed.append((row, key))
            if data.get("status"):
                self.statuses[data["status"]] += 1
        # The members of the chunk's organizations with the chunk's names, found through the index on
        # (organization, name) (portal_member_org_name).
        existing = set(
            Member.objects.filter(
                active=True,
                organization_id__in={key[0] for _row, key in keyed},
                name__in={key[1] for _row, key in keyed},
            ).values_list("organization_id", "name", "birth_date")
        )
        for row, key in keyed:
            if key in existing:
                self.fail(row, "name", MESSAGES["member_exists"])

    def save(self, rows):
        Member.objects.bulk_create(
            [
                Member(organization_id=row.data["organization_id"], **{name: row.data[name] for name in self.fields})
                for row in rows
            ],
            batch_size=CHUNK,
        )
        for row in rows:
            self.below(row.path)

    def summary(self):
        counts = [[str(status.label), self.statuses[status]] for status in Member.Status if self.statuses[status]]
        return [*counts, [_("Organizations"), len(self.organization_ids)]]


IMPORTERS = {ImportJob.Kind.ORGANIZATIONS: OrganizationImporter, ImportJob.Kind.MEMBERS: MemberImporter}


# --- Jobs --------------------------------------------------------------------------------------


def _progress_key(job):
    return f"portal:import-progress:{job.pk}:{job.status}"


def report_progress(job, percent):
    """Live progress: the cache is read by the status view even while the writing transaction hides the row."""
    cache.set(_progress_key(job), percent, PROGRESS_TTL)
    ImportJob.objects.filter(pk=job.pk).update(progress=percent)


def current_progress(job):
    return cache.get(_progress_key(job), job.progress)


def _reporter(job, expected):
    last = None

    def report(done):
        nonlocal last
        if expected:
            percent = min(99, done * 100 // expected)
            if percent != last:
                last = percent
                report_progress(job, percent)

    return report


def _scope(job):
    """The creator's scope as it is now: rights may have changed since the upload."""
    scope = Scope(job.created_by)
    action = SPECS[job.kind].action
    if job.organization_id:
        return scope if scope.allows(action, job.organization) else None
    return scope if scope.can(action) else None


def _store(job, importer, status):
    job.status = status
    job.total_rows = importer.total
    job.error_count = importer.error_count
    job.errors = importer.sorted_errors()
    job.preview = importer.preview
    job.summary = importer.summary()
    job.imported_rows = importer.written if status == ImportJob.Status.DONE else 0
    job.progress = 100
    job.finished_at = None if status == ImportJob.Status.VALID else timezone.now()
    job.save()


def _fail(job, message):
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, message=str(message)[:300], finished_at=timezone.now()
    )


def _validate(job):
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.VALIDATING
    ):
        return  # another run has it
    job.status = ImportJob.Status.VALIDATING
    scope = _scope(job)
    if scope is None:
        _fail(job, MESSAGES["no_right"])
        return
    importer = IMPORTERS[job.kind](job, scope, write=False)
    _read(job, importer, expected=None)
    _store(job, importer, ImportJob.Status.INVALID if importer.error_count else ImportJob.Status.VALID)


def _read(job, importer, expected):
    try:
        with job.file.open("rb") as fileobj, open_sheet(fileobj, importer.spec) as sheet:
            importer.run(sheet, _reporter(job, expected or sheet.estimated_rows))
    except FileRejected as rejected:  # could not even be opened (it could when uploaded)
        importer.error(None, None, rejected.message)


def _write(job):
    scope = _scope(job)
    if scope is None:
        _fail(job, MESSAGES["no_right"])
        return
    importer = IMPORTERS[job.kind](job, scope, write=True)
    with transaction.atomic():
        if ImportJob.objects.select_for_update().filter(pk=job.pk, status=ImportJob.Status.IMPORTING).first() is None:
            return  # another run has written it
        rows_written = transaction.savepoint()
        _read(job, importer, expected=job.total_rows)
        if importer.error_count:  # the database changed since the file was checked
            transaction.savepoint_rollback(rows_written)
            _store(job, importer, ImportJob.Status.INVALID)
            return
        organization = None
        if importer.common_path:
            organization = Organization.objects.get(pk=int(importer.common_path[-SEGMENT - 1 : -1], 36))
        changes = {"kind": str(job.get_kind_display()), "file_name": job.file_name, "imported_rows": importer.written}
        record(job.created_by, job, AuditEntry.Verb.IMPORT, changes, organization=organization)
        _store(job, importer, ImportJob.Status.DONE)


def run_job(job_id, confirm=False):
    """Validate an uploaded file or, with ``confirm``, validate it again and write it. A failure
    leaves the job failed with a message; nothing is written."""
    job = ImportJob.objects.select_related("created_by", "organization").get(pk=job_id)
    with translation.override(job.language):
        try:
            if confirm:
                _write(job)
            else:
                _validate(job)
        except Exception:
            logger.exception("Import job %s failed", job.pk)
            _fail(job, MESSAGES["crashed"])


def _queue(job, confirm):
    outbox.enqueue(run_import, job.pk, confirm)  # published after the commit, or by the relay if Redis is down


def start(job, rows):
    """Validate a new job: now when the file is small (``rows`` counted at upload), else in the background."""
    if rows is not None and rows <= settings.IMPORT_SYNC_ROWS:
        run_job(job.pk)
    else:
        _queue(job, confirm=False)


def confirm(job):
    """Claim a valid job for writing (a second click finds it taken) and write it; False if not valid."""
    with transaction.atomic():  # the claim and the queued task go together
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALID).update(
            status=ImportJob.Status.IMPORTING, progress=0
        )
        if not claimed:
            return False
        if job.total_rows > settings.IMPORT_SYNC_ROWS:
            _queue(job, confirm=True)
            return True
    run_job(job.pk, confirm=True)
    return True
