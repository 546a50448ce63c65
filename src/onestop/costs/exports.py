"""Excel exports of utilization (the heat map) and of cost (a project's cost page, the roll-up).

The lists export themselves (``?export=xlsx`` on any list); these pages have their own."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.exports import excel_response
from onestop.costs.models import Category
from onestop.costs.rollup import CATEGORY_FIELDS


def _workbook():
    from openpyxl import Workbook  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported

    return Workbook(write_only=True)


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


def heatmap_xlsx(data):
    book = _workbook()
    weeks = [week.isoformat() for week in data["weeks"]]
    sheet = book.create_sheet(_("Allocation per person (%)"))
    sheet.append([_("Staff member"), _("Department"), _("Position"), *weeks])
    for person in data["people"]:
        sheet.append(
            [
                person.display_name,
                person.department.name if person.department_id else "",
                person.position.name if person.position_id else "",
                *[cell.percent for cell in person.cells],
            ]
        )
    measured = book.create_sheet(_("Hours booked per person"))
    measured.append([_("Staff member"), *weeks])
    for person in data["people"]:
        measured.append([person.display_name, *[cell.hours for cell in person.cells]])
    departments = book.create_sheet(_("Mean allocation per department (%)"))
    departments.append([_("Department"), _("Headcount"), *weeks])
    for row in data["departments"]:
        departments.append([row["name"], row["headcount"], *[cell.percent for cell in row["cells"]]])
    flags = book.create_sheet(_("Flags"))
    flags.append([_("Flag"), _("Staff member"), _("Detail")])
    for person in data["flags"]["over"]:
        flags.append([_("Over-allocated"), person.display_name, f"{person.peak}%"])
    for person in data["flags"]["bench"]:
        flags.append([_("On the bench this week"), person.display_name, ""])
    for row in data["flags"]["unstaffed"]:
        flags.append(
            [
                _("Unstaffed role"),
                row.user.display_name,
                f"{row.project.code if row.project else ''} {row.role} {row.allocation}%",
            ]
        )
    return excel_response(book, f"utilization-{_stamp()}.xlsx")


def project_costs_xlsx(figures, alerts):
    project = figures.project
    book = _workbook()
    summary = book.create_sheet(_("Budget vs actual"))
    summary.append([_("Category"), _("Budget"), _("Actual cost"), _("Variance"), _("Spent %")])
    for row in figures.rows:
        summary.append([row.label, row.budget, row.actual, row.variance, row.percent])
    summary.append([_("Total"), figures.budget, figures.actual, figures.variance, figures.percent_spent])
    summary.append([])
    for label, value in (
        (_("Planned value (PV)"), figures.planned_value),
        (_("Earned value (EV)"), figures.earned_value),
        (_("Actual cost (AC)"), figures.actual),
        (_("Cost performance index (CPI)"), figures.cpi),
        (_("Schedule performance index (SPI)"), figures.spi),
        (_("Forecast at completion (EAC)"), figures.forecast),
        (_("Variance at completion (VAC)"), figures.forecast_variance),
        (_("Awaiting approval"), figures.committed),
    ):
        summary.append([str(label), value])
    months = book.create_sheet(_("By month"))
    labels = [str(label) for _code, label in Category.choices]
    months.append([_("Month"), *labels, _("Total"), _("Cumulative cost"), _("Planned value (PV)")])
    for month in figures.months:
        months.append(
            [
                month["month"].strftime("%Y-%m"),
                *[month["by_category"][code] for code in CATEGORY_FIELDS],
                month["total"],
                month["cumulative"],
                month["planned_value"],
            ]
        )
    sheet = book.create_sheet(_("Budget alerts"))
    sheet.append(
        [_("Crossed at"), _("Category"), _("Level"), _("Threshold (%)"), _("Budget"), _("Actual cost")]
    )
    for alert in alerts:
        sheet.append(
            [
                timezone.localtime(alert.crossed_at).strftime("%Y-%m-%d %H:%M"),
                alert.get_category_display() if alert.category else _("Total"),
                alert.get_level_display(),
                alert.threshold,
                alert.budget,
                alert.actual,
            ]
        )
    return excel_response(book, f"costs-{project.code}-{_stamp()}.xlsx")


def rollup_xlsx(month, rows, departments):
    book = _workbook()
    labels = [str(label) for _code, label in Category.choices]
    sheet = book.create_sheet(_("Projects"))
    sheet.append(
        [
            _("Project"),
            _("Department"),
            *labels,
            _("Month total"),
            _("Change from last month"),
            _("Cumulative cost"),
            _("Budget"),
            _("Weak points"),
        ]
    )
    for row in rows:
        sheet.append(
            [
                f"{row.project.code} {row.project.name}",
                row.department.name if row.department_id else "",
                *[getattr(row, code) for code in CATEGORY_FIELDS],
                row.total,
                row.change,
                row.cumulative,
                row.budget_total,
                "\n".join(row.weak_points),
            ]
        )
    sheet = book.create_sheet(_("Departments"))
    sheet.append([_("Department"), *labels, _("Month total"), _("Cumulative cost"), _("Budget")])
    for row in departments:
        sheet.append(
            [
                row["department__name"] or _("No department"),
                *[row[code] for code in CATEGORY_FIELDS],
                row["month_total"],
                row["cumulative_total"],
                row["budget"],
            ]
        )
    return excel_response(book, f"cost-rollup-{month:%Y-%m}.xlsx")
