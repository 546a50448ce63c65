"""Every record of an engagement's path on its page (X-1, issue 11 §2): the confirmation form, the
plan and its versions, the contract, the project, inspections, acceptance rounds, settlements,
payments, the survey and complaints — each linked only where the user may see it.

The engagement comes first on the path and never imports the stages after it: each stage's
``timeline.py`` may offer ``records(engagement, user)`` returning ``Record``s (built with
``visible`` below), found through the stage registry (core/stages.py). One query per kind of
record, whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from onestop.core.stages import PATH_STAGES, stage_modules


@dataclass
class Record:
    kind: str  # the kind's name, plural: "Inspections"
    title: str
    url: str
    state: str = ""
    at: datetime | None = None
    icon: str = "file-earmark-text"


def visible(model, user, *, select_related=(), order_by=("created_at", "pk"), **lookup) -> list:
    """The rows of ``model`` matching ``lookup`` that ``user`` may see — the list scope
    (``visible_to``) and the view rule, as on the record's own page. One query; none when the
    user may not see this kind of record at all."""
    opts = model._meta
    permission = f"{opts.app_label}.view_{opts.model_name}"
    if not user.has_perm(permission):
        return []
    rows = model._default_manager.visible_to(user).filter(**lookup).select_related(*select_related)
    return [row for row in rows.order_by(*order_by) if user.has_perm(permission, row)]


def records_of(model, user, *, title=str, icon="file-earmark-text", at="created_at", **options) -> list:
    """``visible`` rows as ``Record``s under the model's plural name, with the state shown where
    the model has one."""
    kind = capfirst(str(model._meta.verbose_name_plural))
    result = []
    for row in visible(model, user, **options):
        state = row.get_state_display() if hasattr(row, "get_state_display") else ""
        result.append(
            Record(kind, title(row), row.get_absolute_url(), str(state), getattr(row, at, None), icon)
        )
    return result


def path_records(engagement, user) -> list[tuple[str, list[Record]]]:
    """``[(kind, records)]`` in the order of the path, kinds with no visible record left out."""
    found: list[Record] = []
    if engagement.agreed_proposal_id:
        # The confirmation form: the engagement's own signed form, seen by whoever sees the engagement.
        found.append(
            Record(
                _("Requirement confirmation"),
                _("Confirmation form v%(version)s (PDF)") % {"version": engagement.form_version},
                reverse("core:document_pdf", args=["engagements.engagement", engagement.pk, "confirmation"]),
                _("Confirmed") if engagement.confirmed_at else _("Awaiting signatures"),
                engagement.confirmed_at,
                "file-earmark-check",
            )
        )
    for module in stage_modules("timeline", PATH_STAGES):
        offer = getattr(module, "records", None)
        if offer is not None:
            found.extend(offer(engagement, user))
    groups: dict[str, list[Record]] = {}
    for record in found:
        groups.setdefault(record.kind, []).append(record)
    return list(groups.items())
