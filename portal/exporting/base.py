"""Exporter base classes (after pretix ``base/exporter.py``).

An exporter gets the job (organization, parameters, requester) and writes one file. A list
exporter only says its columns, its row count and its rows; the base streams them into an
openpyxl write-only workbook, so memory stays flat whatever the size, and reports progress about
every 1 %. Every file carries a fingerprint: the SHA-256 of its data, written into the file
itself (workbook properties, PDF footer) and kept on the job, so a copy can be checked later.
"""

import contextlib
import hashlib
import os
from dataclasses import dataclass
from functools import cached_property

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """An expected failure with a message for the requester (e.g. nothing to export)."""


@dataclass
class Column:
    title: str
    width: int = 14
    number_format: str | None = None  # e.g. "yyyy-mm-dd", "0.0"


def cell_for(sheet, value, number_format=None):
    """A cell value as written: strings a spreadsheet would run as a formula become quote-prefixed text cells
    (the prefix keeps them text when a user edits the cell)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    if number_format and value is not None:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell
    return value


class Exporter:
    do_not_call_in_templates = True  # templates list the classes themselves
    identifier: str
    verbose_name: str
    description: str = ""
    extension: str = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    action: str  # the scope action the requester needs on the chosen organization

    def __init__(self, job, progress=None):
        self.job = job
        self.organization = job.organization
        self.params = job.params
        self.progress = progress or (lambda done, total: None)
        self.fingerprint = hashlib.sha256()

    @cached_property
    def scope(self):
        """The requester's scope: an exporter narrows its rows with it, as a view does (``run_export`` has
        checked ``action`` on the organization; the rows below it still go through the scope)."""
        from ..scope import Scope

        return Scope(self.job.requested_by)

    @classmethod
    def form_fields(cls, scope):
        """Extra parameters shown on the export form: {name: forms.Field}. Values must be JSON-serializable."""
        return {}

    @classmethod
    def clean_params(cls, organization, cleaned_data):
        """Check the parameters together with the organization; raise ValidationError saying what to change."""

    @staticmethod
    def serialize_params(cleaned_data):
        """Form values as stored on the job: model instances by pk, dates as ISO text."""
        out = {}
        for name, value in cleaned_data.items():
            if hasattr(value, "pk"):
                value = value.pk
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            out[name] = value
        return out

    def file_name(self):
        return f"{self.verbose_name}-{self.organization.code}.{self.extension}"

    def write(self, fileobj):
        """Write the file to ``fileobj`` (binary)."""
        raise NotImplementedError


class ListExporter(Exporter):
    sheet_title = "Sheet1"

    def columns(self):
        raise NotImplementedError

    def total(self):
        """The number of rows, for the progress bar (one COUNT query)."""
        raise NotImplementedError

    def rows(self):
        """Yield one tuple per row; walk querysets with ``.iterator(chunk_size=...)``."""
        raise NotImplementedError

    def write(self, fileobj):
        columns = self.columns()
        total = self.total()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(str(self.sheet_title)[:31])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=str(column.title))
            cell.font = Font(bold=True)
            cell.alignment = Alignment(vertical="center")
            header.append(cell)
        sheet.append(header)
        formats = [column.number_format for column in columns]
        step = max(500, total // 100)  # about every 1 %, and not for every row of a small file
        done = 0
        self.progress(0, total)
        try:
            for row in self.rows():
                self.fingerprint.update(("\x1f".join("" if v is None else str(v) for v in row) + "\n").encode())
                sheet.append([cell_for(sheet, value, fmt) for value, fmt in zip(row, formats, strict=False)])
                done += 1
                if done % step == 0:
                    self.progress(done, total)
            self.progress(done, max(total, done))
            workbook.properties.title = str(self.verbose_name)
            workbook.properties.creator = "创先争优活动门户"
            workbook.properties.description = f"SHA-256 {self.fingerprint.hexdigest()}"
            workbook.save(fileobj)
        except BaseException:
            discard(sheet)
            raise


def discard(sheet):
    """After a failure: end a write-only sheet and delete openpyxl's temporary file of it.

    openpyxl spools a write-only sheet's rows to a named temporary file that only a successful ``save()``
    removes (otherwise it stays until the process exits): in a long-running worker a failed export would
    leave the rows written so far, personal data included, lying in the temporary folder.
    """
    writer = sheet._writer  # openpyxl keeps the sheet's writer (and its file) private
    if writer is None:
        return
    with contextlib.suppress(Exception):  # the failure may have left the sheet unable to finish
        if not sheet.closed:
            sheet.close()
    with contextlib.suppress(Exception):
        writer.xf.close()
    if os.path.exists(writer.out):
        writer.cleanup()
