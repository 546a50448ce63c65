"""The satisfaction results (EXT-2) as CSV (streamed) or Excel, through core.exports."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.exports import csv_response, excel_response
from onestop.feedback import results
from onestop.feedback.aspects import ASPECTS


def answer_header() -> list[str]:
    header = [
        _("Engagement"),
        _("Title"),
        _("Client"),
        _("Project lead"),
        _("Department"),
        _("Invited"),
        _("Answered"),
        *[str(aspect.label) for aspect in ASPECTS],
        _("Would recommend (0–10)"),
        _("Comment"),
    ]
    return [str(h) for h in header]


def answer_rows(surveys):
    """One row per survey of ``surveys`` (oldest invitation first), read in chunks."""
    rows = surveys.select_related("engagement", "client", "project_lead", "department").order_by(
        "invited_at", "pk"
    )
    for survey in rows.iterator(chunk_size=500):
        yield [
            survey.engagement.code,
            survey.engagement.title,
            survey.client.name,
            survey.project_lead.display_name if survey.project_lead else "",
            survey.department.name if survey.department else "",
            timezone.localtime(survey.invited_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(survey.answered_at).strftime("%Y-%m-%d %H:%M") if survey.answered_at else "",
            *[getattr(survey, aspect.field) for aspect in ASPECTS],
            survey.would_recommend,
            survey.comment,
        ]


def _filename(ext: str) -> str:
    return f"satisfaction-{timezone.localdate().strftime('%Y%m%d')}.{ext}"


def results_csv(surveys):
    header = answer_header()  # in the request's language, before the rows stream

    def rows():
        yield header
        yield from answer_rows(surveys)

    return csv_response(rows(), _filename("csv"))


def results_xlsx(surveys):
    """The answers, then one sheet per grouping (engagement, lead, department) with the figures."""
    from openpyxl import Workbook  # noqa: PLC0415 — openpyxl (~0.2 s to import) loaded only when a spreadsheet is exported

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Answers"))
    sheet.append(answer_header())
    for row in answer_rows(surveys):
        sheet.append(row)
    for grouping, (label, _keys) in results.GROUPINGS.items():
        summary = book.create_sheet(str(label))
        summary.append(
            [
                str(label),
                str(_("Invited")),
                str(_("Answered")),
                str(_("Response rate %")),
                *[str(aspect.label) for aspect in ASPECTS],
                "NPS",
            ]
        )
        for row in results.grouped(surveys, grouping):
            summary.append(
                [row.label, row.invited, row.answered, row.response_rate, *row.average_list, row.nps]
            )
    return excel_response(book, _filename("xlsx"))
