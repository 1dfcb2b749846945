"""Writing the roll to .xlsx: the member export and the import templates.

The export streams: rows come from the database in chunks as plain tuples (``roll_format.member_rows``, as
in the download centre's member roll) and go into an openpyxl write-only workbook in a temporary file, so
memory stays flat whatever the size. Its columns are those of the member import template, so an exported
file imports again.
"""

import tempfile

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .exporting.base import cell_for
from .roll_format import MEMBERS, member_rows

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
TEMPLATE_ROWS = 2000  # rows of the template that offer the choice lists


def _sheet(workbook, spec):
    sheet = workbook.create_sheet(spec.sheet)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in spec.columns:
        cell = WriteOnlyCell(sheet, column.title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    return sheet


def _spool(workbook):
    """The saved workbook in a temporary file, at its start; the file is deleted when closed."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (the FileResponse closes it)
    try:
        workbook.save(spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def member_roll(members):
    """``members`` (a queryset) as the member sheet, in a temporary file."""
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, MEMBERS)
    for row in member_rows(members):
        sheet.append([cell_for(sheet, value) for value in row])
    return _spool(workbook)


def _describe(column):
    if column.type == "choice":
        return _("One of: %(choices)s") % {"choices": "、".join(column.choices())}
    if column.type == "date":
        return _("A date, e.g. 2021-07-01.")
    if column.field == "code":
        return _("A new code, unique in the portal: letters, digits and dashes.")
    if column.type == "code":
        return _("The code of an organization in your area, as shown on its page.")
    return _("Text, at most %(max)s characters.") % {"max": column.max_length}


def template(spec):
    """The import template of ``spec``: headers, one example row, choice lists and a sheet of instructions."""
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, spec)
    for index, column in enumerate(spec.columns, start=1):
        if column.type == "choice":
            letter = get_column_letter(index)
            sheet.data_validations.append(
                DataValidation(
                    type="list",
                    formula1='"{}"'.format(",".join(column.choices())),
                    allow_blank=True,
                    sqref=f"{letter}2:{letter}{TEMPLATE_ROWS}",
                )
            )
    sheet.append([cell_for(sheet, value) for value in spec.example])
    notes = workbook.create_sheet(_("Instructions"))
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["C"].width = 70
    notes.append([_("Fill in the first sheet from row 2, one row each, and delete the example row.")])
    if spec.kind == "organizations":
        notes.append([_("A superior organization listed in the file must come before its subordinates.")])
    notes.append([])
    notes.append([_("Column"), _("Required"), _("What to write")])
    for column in spec.columns:
        notes.append([column.title, _("yes") if column.required else "", _describe(column)])
    return _spool(workbook)
