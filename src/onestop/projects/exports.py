"""The progress table as a printable PDF and as an Excel workbook of the same layout (PRJ-2)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from onestop.core import pdf, signatures
from onestop.projects import services
from onestop.projects.documents import FORM_NAME, ProgressReportDocument


def filename(report) -> str:
    return f"{report.project.code}-progress-{report.period_start:%Y%m%d}"


def report_pdf(report) -> bytes:
    return pdf.render_pdf(signatures.get_document(ProgressReportDocument.code), report)


def _filled(row) -> str:
    """Who filled the row in and when, as the PDF prints it."""
    if row.filled_by is None:
        return "—"
    when = timezone.localtime(row.filled_at).strftime("%Y-%m-%d %H:%M") if row.filled_at else ""
    return f"{row.filled_by.display_name} {when}".strip()


HEADERS = (
    ("#", 5),
    (N_("Milestone / task"), 28),
    (N_("Planned start"), 12),
    (N_("Planned end"), 12),
    (N_("Actual start"), 12),
    (N_("Actual end"), 12),
    (N_("Planned %"), 10),
    (N_("percentage complete"), 10),
    (N_("Variance"), 10),
    (N_("Work done this period"), 36),
    (N_("Next steps"), 30),
    (N_("Problems and risks"), 30),
    (N_("filled in by"), 18),
)


def report_workbook(report):
    """The progress table as an Excel workbook (``core.exports.excel_response`` sends it).

    Title row, the header block (project, period, lead…), the table, then who filled and reviewed."""
    from openpyxl import Workbook  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported

    project = report.project
    rows = list(report.rows.select_related("filled_by").order_by("position", "pk"))
    summary = services.project_variance(rows)
    thin = Side(style="thin", color="444444")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    grey = PatternFill("solid", fgColor="F1F1F1")
    wrap = Alignment(wrap_text=True, vertical="top")
    width = len(HEADERS)
    last = get_column_letter(width)
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        book = Workbook()
        sheet = book.active
        sheet.title = _("Progress")[:31]
        sheet.merge_cells(f"A1:{last}1")
        sheet["A1"] = f"《{FORM_NAME}》"
        sheet["A1"].font = Font(size=16, bold=True)
        sheet["A1"].alignment = Alignment(horizontal="center")
        header = [
            (_("Project"), f"{project.code} {project.name}", _("Client"), str(project.engagement.client)),
            (
                _("Reporting period"),
                f"{report.period_start:%Y-%m-%d} – {report.period_end:%Y-%m-%d}",
                _("Project lead"),
                project.project_lead.display_name,
            ),
            (
                _("Contract"),
                project.contract.code,
                _("Overall progress"),
                _("planned %(planned)s%%, actual %(actual)s%%, variance %(variance)s%%") % summary,
            ),
        ]
        for offset, (label1, value1, label2, value2) in enumerate(header):
            line = 3 + offset
            sheet.cell(line, 1, label1).font = Font(bold=True)
            sheet.merge_cells(start_row=line, start_column=2, end_row=line, end_column=6)
            sheet.cell(line, 2, value1)
            sheet.cell(line, 7, label2).font = Font(bold=True)
            sheet.merge_cells(start_row=line, start_column=8, end_row=line, end_column=width)
            sheet.cell(line, 8, value2)
        top = 7
        for column, (label, size) in enumerate(HEADERS, start=1):
            cell = sheet.cell(top, column, _(label) if label != "#" else label)
            cell.font = Font(bold=True)
            cell.fill = grey
            cell.border = border
            cell.alignment = wrap
            sheet.column_dimensions[get_column_letter(column)].width = size
        for index, row in enumerate(rows, start=1):
            values = [
                index,
                ("　" if row.task_id else "") + row.item,
                row.planned_start,
                row.planned_end,
                row.actual_start,
                row.actual_end,
                row.planned_percent / 100,
                row.percent_complete / 100,
                row.variance / 100,
                row.work_done,
                row.next_steps,
                row.problems,
                _filled(row),
            ]
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(top + index, column, value)
                cell.border = border
                cell.alignment = wrap
                if column in (3, 4, 5, 6) and value is not None:
                    cell.number_format = "yyyy-mm-dd"
                if column in (7, 8, 9):
                    cell.number_format = "0%"
        end = top + len(rows) + 2
        footer = [
            (
                _("Filled in and submitted by"),
                report.submitted_by.display_name if report.submitted_by else "—",
                _("Date"),
                timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M")
                if report.submitted_at
                else "—",
            ),
            (
                _("Reviewed by"),
                report.reviewed_by.display_name if report.reviewed_by else "—",
                _("Date"),
                timezone.localtime(report.reviewed_at).strftime("%Y-%m-%d %H:%M")
                if report.reviewed_at
                else "—",
            ),
        ]
        for offset, (label1, value1, label2, value2) in enumerate(footer):
            line = end + offset
            sheet.cell(line, 1, label1).font = Font(bold=True)
            sheet.merge_cells(start_row=line, start_column=2, end_row=line, end_column=6)
            sheet.cell(line, 2, value1)
            sheet.cell(line, 7, label2).font = Font(bold=True)
            sheet.merge_cells(start_row=line, start_column=8, end_row=line, end_column=width)
            sheet.cell(line, 8, value2)
        sheet.freeze_panes = sheet.cell(top + 1, 3)
        sheet.print_title_rows = f"{top}:{top}"
        sheet.page_setup.orientation = "landscape"
    return book
