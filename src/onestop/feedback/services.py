"""Every change to surveys and complaints (EXT-2): one function per use case, called by the pages,
the API, the acceptance signal and the periodic jobs alike.

Decisions (see docs in the module docstrings of models.py and tokens below):

- A survey is answered once. The answer claims the row with a conditional UPDATE
  (``answered_at IS NULL``), so two answers at the same moment give one answer and one clear
  refusal; a later attempt is refused with the date of the first answer.
- The invitation e-mail carries a signed, expiring link (``survey_token``) that opens exactly
  that survey without a log-in: clients often do not keep a portal password, and the link only
  reaches the organisation's registered users. The signed value holds the survey's id and a
  random nonce stored on the survey, so a link never opens another survey and can be revoked by
  changing the nonce. A logged-in user of the client organisation may answer without the link.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.accounts.models import User
from onestop.core import policy
from onestop.core.attachments import add_attachment
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.models import Visibility
from onestop.core.numbering import next_code
from onestop.core.roles import Role
from onestop.core.services import edit, save
from onestop.core.workflow import perform_transition
from onestop.feedback.aspects import ASPECTS, RECOMMEND_MAX, RECOMMEND_MIN, SCORE_MAX, SCORE_MIN
from onestop.feedback.models import AnswerChannel, Complaint, Survey
from onestop.feedback.states import ComplaintState
from onestop.notifications.calendar import add_working_days
from onestop.notifications.models import Notification
from onestop.notifications.services import close_deadlines, notify, set_deadline
from onestop.plans.models import Plan
from onestop.projects.models import Project

# The answer-by days, the complaint's response deadline and the days after which an unconfirmed
# complaint may be closed are policy settings (core/policy.py, EXT-4: the version in force when
# the survey or complaint was created). These stay settings of the same name:
SURVEY_REMIND_AFTER_DAYS = getattr(settings, "ONESTOP_SURVEY_REMIND_AFTER_DAYS", 7)
SURVEY_LINK_DAYS = getattr(settings, "ONESTOP_SURVEY_LINK_DAYS", 60)  # the e-mailed link expires

TOKEN_SALT = "onestop.feedback.survey"


def _users(*roles):
    return list(User.objects.with_role(*roles))


def client_users(client_id):
    return list(User.objects.of_client(client_id))


# --- the survey link ---------------------------------------------------------------------------


def survey_token(survey: Survey) -> str:
    return signing.dumps({"s": survey.pk, "n": survey.token_nonce}, salt=TOKEN_SALT, compress=True)


def survey_link(survey: Survey) -> str:
    return f"{reverse('feedback:survey_answer', args=[survey.pk])}?t={survey_token(survey)}"


class InvalidLink(Exception):
    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def survey_for_token(pk: int, token: str) -> Survey:
    """The survey ``pk`` if ``token`` is a valid, unexpired link to exactly that survey."""
    try:
        value = signing.loads(token, salt=TOKEN_SALT, max_age=timedelta(days=SURVEY_LINK_DAYS))
    except signing.SignatureExpired:
        raise InvalidLink(expired=True) from None
    except signing.BadSignature:
        raise InvalidLink() from None
    if not isinstance(value, dict) or value.get("s") != pk:
        raise InvalidLink()
    survey = Survey.objects.select_related("engagement", "project").filter(pk=pk).first()
    if survey is None or not secrets.compare_digest(str(value.get("n", "")), survey.token_nonce):
        raise InvalidLink()
    return survey


# --- surveys -----------------------------------------------------------------------------------


@transaction.atomic
def invite(engagement, *, actor=None, respond_by=None) -> Survey:
    """Send the satisfaction survey of ``engagement`` to its client's users (portal + e-mail)."""
    if actor is not None and not actor.has_perm("feedback.add_survey"):
        raise PermissionDenied
    existing = Survey.objects.filter(engagement=engagement).first()
    if existing is not None:
        raise DomainError(
            _("The client was already invited to the survey of %(engagement)s on %(date)s.")
            % {
                "engagement": engagement.code,
                "date": timezone.localtime(existing.invited_at).strftime("%Y-%m-%d"),
            },
            field="engagement",
            code=ErrorCode.ALREADY_DONE,
        )

    project = Project.objects.filter(engagement=engagement).select_related("project_lead").first()
    lead = _lead_of(engagement, project)
    now = timezone.now()
    if respond_by is None:
        respond_by = timezone.localdate(now) + timedelta(
            days=policy.value("feedback.survey_answer_days", at=now)
        )
    elif respond_by < timezone.localdate(now):
        raise DomainError(
            _("The answer cannot be asked for a day in the past."), field="respond_by", code=ErrorCode.INVALID
        )
    survey = Survey(
        engagement=engagement,
        project=project,
        client_id=engagement.client_id,
        project_lead=lead,
        department_id=lead.department_id if lead is not None else None,
        invited_at=now,
        invited_by=actor,
        respond_by=respond_by,
        token_nonce=secrets.token_urlsafe(16),
    )
    try:
        save(survey, actor=actor, reason=_("Invited"))
    except IntegrityError:
        raise ConflictError(
            _("The client was just invited to this survey by someone else; nothing was sent twice.")
        ) from None
    _send_invitation(survey, reminder=False)
    return survey


def _lead_of(engagement, project):
    """Who answers for the service: the project lead, else the plan's lead, else the technician."""
    if project is not None:
        return project.project_lead

    plan = Plan.objects.filter(engagement=engagement).select_related("project_lead").first()
    if plan is not None and plan.project_lead_id:
        return plan.project_lead
    return engagement.technician


def _send_invitation(survey, *, reminder: bool):
    engagement = survey.engagement
    values = {"engagement": engagement.code, "title": engagement.title}
    title = (
        _("Reminder: please rate our service for %(engagement)s %(title)s")
        if reminder
        else _("Please rate our service for %(engagement)s %(title)s")
    ) % values
    body = _(
        "Thank you for working with us. Please tell us how satisfied you are with the service: "
        "five short questions, about two minutes. The link opens the survey directly and is valid "
        "for %(days)s days; please answer by %(date)s."
    ) % {"days": SURVEY_LINK_DAYS, "date": survey.respond_by.strftime("%Y-%m-%d")}
    notify(
        client_users(survey.client_id),
        title=title,
        body=body,
        url=survey_link(survey),
        level=Notification.Level.ACTION,
        target=survey,
    )


def invite_after_acceptance(acceptance_round, *, actor=None) -> Survey | None:
    """The receiver of ``acceptance_passed``: a whole-project pass invites the client, once."""
    if acceptance_round.milestone_id is not None:
        return None  # a milestone's acceptance is not the end of the service
    engagement = acceptance_round.project.engagement
    if Survey.objects.filter(engagement=engagement).exists():
        return None
    try:
        return invite(engagement, actor=None)
    except ConflictError:
        return None  # the same pass reported twice: one invitation is enough


def validate_answer(scores: dict, would_recommend) -> dict:
    """Field errors of an answer (empty when valid)."""
    errors = {}
    for aspect in ASPECTS:
        value = scores.get(aspect.code)
        if value in (None, ""):
            errors[aspect.field] = [_("Rate “%(aspect)s” from 1 to 5.") % {"aspect": aspect.label}]
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or str(number) != str(value).strip() or not SCORE_MIN <= number <= SCORE_MAX:
            errors[aspect.field] = [
                _("“%(aspect)s” takes a whole number from %(low)s to %(high)s.")
                % {"aspect": aspect.label, "low": SCORE_MIN, "high": SCORE_MAX}
            ]
    try:
        recommend = int(would_recommend) if would_recommend not in (None, "") else None
    except (TypeError, ValueError):
        recommend = -1
    if recommend is None:
        errors["would_recommend"] = [_("Say how likely you are to recommend us, from 0 to 10.")]
    elif not RECOMMEND_MIN <= recommend <= RECOMMEND_MAX or str(recommend) != str(would_recommend).strip():
        errors["would_recommend"] = [
            _("“Would recommend” takes a whole number from %(low)s to %(high)s.")
            % {"low": RECOMMEND_MIN, "high": RECOMMEND_MAX}
        ]
    return errors


def _already_answered(survey) -> DomainError:
    return DomainError(
        _("This survey was already answered on %(date)s. An answer is given once and cannot be changed.")
        % {"date": timezone.localtime(survey.answered_at).strftime("%Y-%m-%d %H:%M")},
        code=ErrorCode.ALREADY_DONE,
    )


@transaction.atomic
def answer(survey: Survey, *, scores: dict, would_recommend, comment: str = "", actor=None, via_link=False):
    """Record the client's answer, once. ``actor`` is the logged-in client user, or None when the
    survey was opened through the signed link (the view has checked the link)."""
    survey.refresh_from_db()
    if survey.answered_at is not None:
        raise _already_answered(survey)
    if actor is not None and not via_link and not actor.has_perm("feedback.answer_survey", survey):
        raise PermissionDenied(_("Only a user of the client organisation answers its survey."))
    errors = validate_answer(scores, would_recommend)
    comment = (comment or "").strip()
    if len(comment) > 5000:
        errors["comment"] = [_("Keep the comment under 5,000 characters.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # Claim the survey: of two answers sent at once, only one finds it unanswered.
    if not Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(answered_at=now):
        survey.refresh_from_db()
        raise ConflictError(_already_answered(survey).message)
    for aspect in ASPECTS:
        setattr(survey, aspect.field, int(scores[aspect.code]))
    survey.would_recommend = int(would_recommend)
    survey.comment = comment
    survey.answered_at = now
    survey.answered_by = actor if actor is not None and actor.client_organization_id else None
    survey.answered_via = AnswerChannel.LINK if via_link else AnswerChannel.PORTAL
    save(survey, actor=survey.answered_by, reason=_("Answered"))
    staff = [survey.project_lead, *_users(Role.CUSTOMER_SERVICE)]
    notify(
        staff,
        title=_("%(engagement)s: satisfaction survey answered (average %(average)s, recommend %(nps)s/10)")
        % {
            "engagement": survey.engagement.code,
            "average": survey.average_score,
            "nps": survey.would_recommend,
        },
        body=comment,
        url=survey.get_absolute_url(),
        target=survey,
        email=False,
    )
    return survey


def remind_unanswered(now=None) -> int:
    """Remind the client once when a survey is still unanswered ``SURVEY_REMIND_AFTER_DAYS`` after
    the invitation; each reminder is claimed by a conditional UPDATE (never sent twice)."""
    now = now or timezone.now()
    due = Survey.objects.filter(
        answered_at__isnull=True,
        reminded_at__isnull=True,
        invited_at__lte=now - timedelta(days=SURVEY_REMIND_AFTER_DAYS),
    ).select_related("engagement")
    sent = 0
    for survey in due:
        with transaction.atomic():
            if not Survey.objects.filter(pk=survey.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            _send_invitation(survey, reminder=True)
            sent += 1
    return sent


@transaction.atomic
def change_answer_date(survey: Survey, *, actor, respond_by) -> Survey:
    if not actor.has_perm("feedback.change_survey", survey):
        raise PermissionDenied
    survey.respond_by = respond_by
    return save(survey, actor=actor)


# --- complaints --------------------------------------------------------------------------------


@transaction.atomic
def file_complaint(
    *, actor, subject: str, description: str, client=None, engagement=None, channel=None, attachment=None
) -> Complaint:
    """A client files a complaint in the portal, or staff record one received by phone or e-mail."""
    if not actor.has_perm("feedback.add_complaint"):
        raise PermissionDenied
    if actor.client_organization_id is not None:
        client_id = actor.client_organization_id
        channel = Complaint.Channel.PORTAL
    else:
        if client is None:
            raise DomainError(_("Choose the client who complains."), field="client", code=ErrorCode.INVALID)
        client_id = client.pk
        channel = channel or Complaint.Channel.PHONE
    if engagement is not None and engagement.client_id != client_id:
        raise DomainError(
            _("Choose an engagement of the complaining client."), field="engagement", code=ErrorCode.INVALID
        )
    complaint = Complaint(
        code=next_code("TS"),
        client_id=client_id,
        engagement=engagement,
        channel=channel,
        subject=(subject or "").strip(),
        description=(description or "").strip(),
        filed_by=actor,
        filed_at=timezone.now(),
    )
    save(complaint, actor=actor, reason=_("Filed"))
    if attachment is not None:
        add_attachment(complaint, attachment, actor=actor, visibility=Visibility.SHARED)
    notify(
        _users(Role.CUSTOMER_SERVICE, Role.MANAGEMENT),
        title=_("New complaint %(code)s from %(client)s: %(subject)s")
        % {"code": complaint.code, "client": complaint.client, "subject": complaint.subject},
        body=complaint.description[:500],
        url=complaint.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=complaint,
    )
    return complaint


@transaction.atomic
def edit_complaint(complaint: Complaint, *, actor, **fields) -> Complaint:
    if not actor.has_perm("feedback.change_complaint", complaint):
        raise PermissionDenied
    for name, value in fields.items():
        setattr(complaint, name, value)
    engagement = complaint.engagement  # None, without a query, when no engagement is named
    if engagement is not None and engagement.client_id != complaint.client_id:
        raise DomainError(
            _("Choose an engagement of the complaining client."), field="engagement", code=ErrorCode.INVALID
        )
    return edit(complaint, actor=actor)


def _escalation_manager(actor):
    if actor is not None and actor.has_role(Role.MANAGEMENT) and actor.client_organization_id is None:
        return actor
    managers = _users(Role.MANAGEMENT)
    return min(managers, key=lambda user: user.pk) if managers else None


def _deadline_title(complaint) -> str:
    return _("Respond to complaint %(code)s") % {"code": complaint.code}


def _open_deadline(complaint, *, actor, due):
    set_deadline(
        complaint,
        title=_deadline_title(complaint),
        due_at=due,
        responsible=complaint.handler,
        escalate_to=_escalation_manager(actor),
        url=complaint.get_absolute_url(),
        actor=actor,
    )
    return due


@transaction.atomic
def assign(complaint: Complaint, *, actor, handler, comment: str = "") -> Complaint:
    """Customer service or management gives the complaint a handler and a response deadline."""
    if handler is None or handler.client_organization_id is not None or not handler.is_active:
        raise DomainError(
            _("Choose an active staff member as the handler."), field="handler", code=ErrorCode.INVALID
        )
    previous = complaint.handler
    due = add_working_days(timezone.now(), _response_days(complaint))
    perform_transition(complaint, "assign", actor=actor, comment=comment, handler=handler, due_at=due)
    if previous is not None and previous != handler:
        close_deadlines(complaint, responsible=previous, actor=actor)
    _open_deadline(complaint, actor=actor, due=due)
    notify(
        [handler],
        title=_("Complaint %(code)s is yours to handle: respond by %(due)s")
        % {"code": complaint.code, "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")},
        body=complaint.description[:500],
        url=complaint.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=complaint,
    )
    return complaint


@transaction.atomic
def respond(complaint: Complaint, *, actor, response: str) -> Complaint:
    """The handler's response; the client is asked to confirm the closure or to reopen."""
    response = (response or "").strip()
    if not response:
        raise DomainError(_("Write the response to the client."), field="response", code=ErrorCode.INVALID)
    if len(response) > 10000:
        raise DomainError(
            _("Keep the response under 10,000 characters."), field="response", code=ErrorCode.INVALID
        )
    perform_transition(complaint, "respond", actor=actor, response=response)
    close_deadlines(complaint, actor=actor)
    recipients = client_users(complaint.client_id)
    notify(
        recipients,
        title=_("Our response to your complaint %(code)s: please confirm") % {"code": complaint.code},
        body=response[:2000],
        url=complaint.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=complaint,
    )
    return complaint


@transaction.atomic
def confirm(complaint: Complaint, *, actor, comment: str = "") -> Complaint:
    """The client confirms the complaint was resolved: closed."""
    perform_transition(complaint, "confirm", actor=actor, comment=comment)
    notify(
        [complaint.handler],
        title=_("The client confirmed complaint %(code)s as resolved") % {"code": complaint.code},
        url=complaint.get_absolute_url(),
        target=complaint,
        email=False,
    )
    return complaint


@transaction.atomic
def reopen(complaint: Complaint, *, actor, reason: str) -> Complaint:
    """The client is not satisfied with the response: back to the handler, with a new deadline."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Say why the response does not resolve the complaint."), field="reason", code=ErrorCode.INVALID
        )
    due = add_working_days(timezone.now(), _response_days(complaint))
    perform_transition(complaint, "reopen", actor=actor, comment=reason[:2000], reason=reason, due_at=due)
    _open_deadline(complaint, actor=None, due=complaint.due_at)
    notify(
        [complaint.handler, *_users(Role.CUSTOMER_SERVICE)],
        title=_("Complaint %(code)s was reopened by the client") % {"code": complaint.code},
        body=reason[:2000],
        url=complaint.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=complaint,
    )
    return complaint


def _response_days(complaint) -> int:
    return policy.value("feedback.complaint_response_working_days", at=complaint.created_at)  # EXT-4


def may_close_unconfirmed_from(complaint):
    if complaint.responded_at is None:
        return None
    days = policy.value("feedback.complaint_close_after_days", at=complaint.created_at)  # EXT-4
    return complaint.responded_at + timedelta(days=days)


@transaction.atomic
def close_unconfirmed(complaint: Complaint, *, actor, note: str, now=None) -> Complaint:
    """Staff close a responded complaint the client left unanswered, after the waiting time, with a note."""
    note = (note or "").strip()
    if not note:
        raise DomainError(
            _("Write a note on why the complaint is closed without the client."),
            field="note",
            code=ErrorCode.INVALID,
        )
    now = now or timezone.now()
    earliest = may_close_unconfirmed_from(complaint)
    if complaint.state == ComplaintState.RESPONDED and earliest is not None and now < earliest:
        raise DomainError(
            _("The client has until %(date)s to confirm or reopen; close it without them only after that.")
            % {"date": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M")},
            code=ErrorCode.CONDITION_UNMET,
        )
    perform_transition(complaint, "close_unconfirmed", actor=actor, comment=note[:2000], note=note)
    notify(
        client_users(complaint.client_id),
        title=_("Complaint %(code)s was closed") % {"code": complaint.code},
        body=note[:2000],
        url=complaint.get_absolute_url(),
        target=complaint,
    )
    return complaint
