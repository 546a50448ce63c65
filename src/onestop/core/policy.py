"""The process's thresholds and rules as versioned policy settings (EXT-4).

``SETTINGS`` lists the settings management may change in the UI (Cockpit → Policy settings):
each a key, a label, a kind and its default — the constant or environment value the code used
before, which stays the first version's value. A stage reads a setting with
``value(key, at=<when its record was created>)``: the version in force on that day, so a record
keeps the rules it was created under and a change effective tomorrow does not touch today's
records.

The versions are kept by the cockpit app (``cockpit.PolicyVersion``, approved by a second
person), which registers itself with ``provide``; core imports no app, and without the cockpit
every setting is its default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings as django_settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

INT = "int"
DECIMAL = "decimal"
BOOL = "bool"


@dataclass(frozen=True)
class Setting:
    key: str
    label: str | Promise
    kind: str
    default: Any  # a value, or a callable giving it (read from the settings when asked)
    group: str | Promise = ""
    minimum: Any = None
    optional: bool = False  # None means "not set here" (e.g. the review rule of the criteria set)

    def default_value(self):
        return self.default() if callable(self.default) else self.default

    def coerce(self, raw):
        if raw is None or raw == "":
            return None if self.optional else self.default_value()
        try:
            if self.kind == INT:
                return int(raw)
            if self.kind == DECIMAL:
                return Decimal(str(raw))
            if self.kind == BOOL:
                return raw in (True, "true", "True", "1", 1, "on")
        except (TypeError, ValueError, InvalidOperation):
            return self.default_value()
        return raw


def _second_approval_above() -> Decimal:
    return Decimal(str(getattr(django_settings, "ONESTOP_PLAN_SECOND_APPROVAL_ABOVE", "1000000")))


def _from_settings(name: str, default: int) -> Callable[[], int]:
    """The default of a setting that was an environment/settings value before it moved here: that
    value stays the first version's."""
    return lambda: int(getattr(django_settings, name, default))


DEADLINES = _("Deadlines (working days)")
FOLLOW_UP = _("Follow-up (calendar days)")
REVIEW = _("Plan review and approval")
BUDGET = _("Budget alerts (percent of the budget)")
INCENTIVES = _("Incentives")

SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("intake.assess_working_days", _("Technician's assessment"), INT, 2, DEADLINES, 1),
        Setting(
            "intake.answer_proposal_working_days", _("Client's answer to a proposal"), INT, 5, DEADLINES, 1
        ),
        Setting("plans.review_working_days", _("Plan review by each reviewer"), INT, 5, DEADLINES, 1),
        Setting("plans.approve_working_days", _("Management approval of a plan"), INT, 3, DEADLINES, 1),
        Setting(
            "contracts.review_working_days",
            _("Legal and business review of a contract"),
            INT,
            5,
            DEADLINES,
            1,
        ),
        Setting("coordination.answer_working_days", _("Answer to a resource request"), INT, 3, DEADLINES, 1),
        Setting(
            "coordination.decide_working_days",
            _("Management decision on a change request"),
            INT,
            5,
            DEADLINES,
            1,
        ),
        Setting(
            "acceptance.rectify_working_days",
            _("Rectification of an acceptance problem (when no date is given)"),
            INT,
            10,
            DEADLINES,
            1,
        ),
        Setting(
            "feedback.complaint_response_working_days",
            _("Response to a complaint"),
            INT,
            _from_settings("ONESTOP_COMPLAINT_RESPONSE_DAYS", 5),
            DEADLINES,
            1,
        ),
        Setting(
            "feedback.survey_answer_days",
            _("Client's answer to a satisfaction survey"),
            INT,
            _from_settings("ONESTOP_SURVEY_ANSWER_DAYS", 14),
            FOLLOW_UP,
            1,
        ),
        Setting(
            "feedback.complaint_close_after_days",
            _("A complaint the client does not confirm may be closed after"),
            INT,
            _from_settings("ONESTOP_COMPLAINT_CLOSE_AFTER_DAYS", 10),
            FOLLOW_UP,
            1,
        ),
        Setting(
            "costs.budget_warn_percent",
            _("Warn when the actual cost reaches"),
            INT,
            _from_settings("ONESTOP_BUDGET_WARN_PERCENT", 80),
            BUDGET,
            1,
        ),
        Setting(
            "costs.budget_approval_percent",
            _("Spending further needs approval from"),
            INT,
            _from_settings("ONESTOP_BUDGET_APPROVAL_PERCENT", 100),
            BUDGET,
            1,
        ),
        Setting("plans.min_panel_size", _("Reviewers at least on a plan's panel"), INT, 1, REVIEW, 1),
        Setting(
            "plans.second_approval_above",
            _("Second approval above this budget"),
            DECIMAL,
            _second_approval_above,
            REVIEW,
            0,
        ),
        Setting(
            "careers.incentive_second_approval_above",
            _("Second manager's approval for an incentive above this amount"),
            DECIMAL,
            Decimal("50000"),
            INCENTIVES,
            0,
        ),
        Setting(
            "plans.pass_mean",
            _("Weighted mean needed to pass (empty: the criteria set's)"),
            DECIMAL,
            None,
            REVIEW,
            0,
            True,
        ),
        Setting(
            "plans.min_criterion_mean",
            _("No criterion's mean below (empty: the criteria set's)"),
            DECIMAL,
            None,
            REVIEW,
            0,
            True,
        ),
    )
}


def check(values: dict) -> dict:
    """The rules between settings, for a proposed version: ``{key: message}`` of what breaks one."""
    errors = {}
    warn, approval = values.get("costs.budget_warn_percent"), values.get("costs.budget_approval_percent")
    if warn is not None and approval is not None and int(warn) >= int(approval):
        errors["costs.budget_warn_percent"] = _("The warning must come before the approval threshold.")
    return errors


_provider: Callable[[date], dict] | None = None


def provide(function: Callable[[date], dict]) -> None:
    """``function(day)`` → the raw values of the version in force on ``day`` (the cockpit app)."""
    global _provider
    _provider = function


def _day(at) -> date:
    if at is None:
        return timezone.localdate()
    if isinstance(at, datetime):
        return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
    return at


def values(at=None) -> dict:
    """Every setting's value in force at ``at`` (a datetime or a date; default now)."""
    raw = _provider(_day(at)) if _provider is not None else {}
    return {key: setting.coerce(raw.get(key)) for key, setting in SETTINGS.items()}


def value(key: str, at=None):
    """One setting's value in force at ``at``."""
    setting = SETTINGS[key]
    raw = _provider(_day(at)) if _provider is not None else {}
    return setting.coerce(raw.get(key))
