"""Intake use cases (INT-1..3). The HTML views and the API call these; nothing else writes.

Each function takes the acting user, runs in one transaction, writes its history and
transition log, and leaves notifications and e-mail to run after the commit.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import numbering, policy, signatures
from onestop.core import services as core_services
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.roles import Role
from onestop.core.tasks import send_email
from onestop.core.workflow import perform_transition
from onestop.engagements.models import Channel, Engagement, Inquiry, Proposal
from onestop.notifications import calendar
from onestop.notifications import services as notifications
from onestop.notifications.models import Notification

ASSESS_WITHIN_WORKING_DAYS = 2
ANSWER_PROPOSAL_WITHIN_WORKING_DAYS = 5
FORWARD_WITHIN = timedelta(hours=4)


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(f"engagements.{perm}", obj):
        raise PermissionDenied


def _client_users(engagement):
    return list(get_user_model().objects.filter(client_organization=engagement.client, is_active=True))


def _customer_service(engagement):
    """Who at the company answers for this client: its account manager, else all of customer service."""
    manager = engagement.client.account_manager
    if manager is not None and manager.is_active:
        return [manager]
    # The mailbox's service account has the role but is not a person who can answer.
    from onestop.engagements.mail import MAILBOX_USERNAME  # noqa: PLC0415 — cycle: engagements.mail imports this module at load

    people = get_user_model().objects.with_role(Role.CUSTOMER_SERVICE)
    return list(people.exclude(username=MAILBOX_USERNAME))


# --- INT-1: consultation -----------------------------------------------------------------------


@transaction.atomic
def record_inquiry(
    *,
    actor,
    client,
    channel: str,
    subject: str,
    need: str,
    contact=None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    received_at=None,
    engagement: Engagement | None = None,
    message_id: str = "",
    technician=None,
) -> Inquiry:
    """Record what the client asked; the first inquiry opens a new engagement.

    Customer service records phone, e-mail and chat inquiries; a client user files one in
    the portal (then only for their own organisation). With ``technician`` given, the new
    engagement is forwarded at once.
    """
    _require(actor, "add_engagement")
    if actor.client_organization_id is not None:
        if client.pk != actor.client_organization_id:
            raise PermissionDenied
        channel = channel if channel in (Channel.PORTAL, Channel.CHAT) else Channel.PORTAL
    if channel not in Channel.values:
        raise DomainError(_("Choose how the inquiry arrived."), field="channel", code=ErrorCode.INVALID)
    if contact is not None and contact.organization_id != client.pk:
        raise DomainError(
            _("The contact belongs to another client organisation."), field="contact", code=ErrorCode.INVALID
        )
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + timedelta(minutes=5):
        raise DomainError(
            _("An inquiry cannot arrive in the future."), field="received_at", code=ErrorCode.INVALID
        )
    is_new = engagement is None
    if engagement is None:
        engagement = Engagement(
            code=numbering.next_code("OS"),
            title=subject[:200],
            client=client,
            contact=contact,
            channel=channel,
            recorded_by=actor,
            received_at=received_at,
            stage_since=received_at,
        )
        # The ball starts with whoever recorded it; a portal inquiry starts with customer service.
        engagement.hand_to(
            actor if actor.client_organization_id is None else (_customer_service(engagement) or [None])[0],
            since=received_at,
        )
        core_services.save(engagement, actor=actor, reason=_("Inquiry received"))
    inquiry = Inquiry(
        engagement=engagement,
        channel=channel,
        received_at=received_at,
        contact_name=contact_name or (contact.name if contact else ""),
        contact_phone=contact_phone or (contact.mobile or contact.phone if contact else ""),
        contact_email=contact_email or (contact.email if contact else ""),
        subject=subject,
        need=need,
        recorded_by=actor,
        message_id=message_id,
    )
    core_services.save(inquiry, actor=actor)
    if is_new and actor.client_organization_id is not None:
        notifications.notify(
            _customer_service(engagement),
            title=_("New inquiry from the portal: %(code)s %(title)s")
            % {"code": engagement.code, "title": engagement.title},
            body=need[:500],
            url=engagement.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=engagement,
        )
    if is_new and engagement.holder is not None:
        notifications.set_deadline(
            engagement,
            title=_("Forward %(code)s to a technician") % {"code": engagement.code},
            due_at=received_at + FORWARD_WITHIN,
            responsible=engagement.holder,
            actor=actor,
        )
    if is_new and technician is not None:
        forward(engagement, actor=actor, technician=technician)
    elif not is_new and engagement.holder is not None and engagement.holder != actor:
        notifications.notify(
            [engagement.holder],
            title=_("New message on %(code)s") % {"code": engagement.code},
            body=need[:500],
            url=engagement.get_absolute_url(),
            target=engagement,
        )
    return inquiry


@transaction.atomic
def forward(engagement: Engagement, *, actor, technician, comment: str = "") -> Engagement:
    """Assign the technician and hand the request over (time to forward is measured)."""
    if technician is None or not technician.has_role(Role.TECHNICIAN) or not technician.is_active:
        raise DomainError(_("Choose an active technician."), field="technician", code=ErrorCode.INVALID)
    _require(actor, "forward_engagement", engagement)
    engagement.technician = technician
    perform_transition(engagement, "forward", actor=actor, comment=comment)
    notifications.close_deadlines(engagement, actor=actor)
    # The policy in force when the engagement was received (EXT-4; the constant is its default).
    due = calendar.add_working_days(
        timezone.now(), policy.value("intake.assess_working_days", at=engagement.received_at)
    )
    notifications.set_deadline(
        engagement,
        title=_("Assess %(code)s") % {"code": engagement.code},
        due_at=due,
        responsible=technician,
        escalate_to=technician.department.head if technician.department_id else None,
        actor=actor,
    )
    notifications.notify(
        [technician],
        title=_("Please assess %(code)s %(title)s") % {"code": engagement.code, "title": engagement.title},
        body=comment,
        url=engagement.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=engagement,
    )
    return engagement


# --- INT-2: assessment ------------------------------------------------------------------------


@transaction.atomic
def assess_in_scope(
    engagement,
    *,
    actor,
    service_goals: str,
    technical_requirements: str,
    requested_deadline=None,
    comment: str = "",
) -> Engagement:
    _require(actor, "assess_engagement", engagement)
    if engagement.stage != Engagement.Stage.ASSESSMENT:
        raise DomainError(
            _("This request is not waiting for an assessment."), code=ErrorCode.NOT_POSSIBLE_NOW
        )
    engagement.service_goals = (service_goals or "").strip()
    engagement.technical_requirements = (technical_requirements or "").strip()
    engagement.requested_deadline = requested_deadline
    perform_transition(engagement, "accept_scope", actor=actor, comment=comment)
    notifications.close_deadlines(engagement, actor=actor)
    notifications.notify(
        _client_users(engagement),
        title=_("Your request %(code)s is within our service scope") % {"code": engagement.code},
        body=_("We will propose the service content, period and fee for your confirmation."),
        url=engagement.get_absolute_url(),
        target=engagement,
    )
    return engagement


@transaction.atomic
def assess_out_of_scope(engagement, *, actor, reason: str, suggestions: str) -> Engagement:
    """Close as out of scope with a reply to the client (e-mail and portal)."""
    _require(actor, "assess_engagement", engagement)
    if engagement.stage != Engagement.Stage.ASSESSMENT:
        raise DomainError(
            _("This request is not waiting for an assessment."), code=ErrorCode.NOT_POSSIBLE_NOW
        )
    engagement.out_of_scope_reason = (reason or "").strip()
    engagement.suggestions = (suggestions or "").strip()
    perform_transition(engagement, "decline", actor=actor, comment=engagement.out_of_scope_reason)
    notifications.close_deadlines(engagement, actor=actor)
    title = _("About your request %(code)s %(title)s") % {"code": engagement.code, "title": engagement.title}
    body = _(
        "Thank you for your inquiry. After assessment, it is outside our one-stop technical service scope.\n\n"
        "Reason: %(reason)s\n\nOur suggestions: %(suggestions)s"
    ) % {"reason": engagement.out_of_scope_reason, "suggestions": engagement.suggestions}
    notifications.notify(
        _client_users(engagement),
        title=title,
        body=body,
        url=engagement.get_absolute_url(),
        target=engagement,
    )
    recipients = sorted(
        {
            address
            for address in [
                engagement.contact.email if engagement.contact_id else "",
                *engagement.inquiries.exclude(contact_email="").values_list("contact_email", flat=True),
            ]
            if address
        }
    )
    if recipients:
        transaction.on_commit(lambda: send_email(str(title), str(body), recipients))
    return engagement


def assess(
    engagement,
    *,
    actor,
    in_scope: bool,
    service_goals: str = "",
    technical_requirements: str = "",
    requested_deadline=None,
    reason: str = "",
    suggestions: str = "",
) -> Engagement:
    """INT-2 in one call: in scope (goals, requirements, deadline) or out of scope (reason, suggestions)."""
    if in_scope:
        return assess_in_scope(
            engagement,
            actor=actor,
            service_goals=service_goals,
            technical_requirements=technical_requirements,
            requested_deadline=requested_deadline,
        )
    return assess_out_of_scope(engagement, actor=actor, reason=reason, suggestions=suggestions)


# --- INT-3: confirmation --------------------------------------------------------------------------


def party_of(actor, engagement) -> str:
    if actor.client_organization_id is not None:
        return Proposal.Party.CLIENT
    return Proposal.Party.COMPANY


@transaction.atomic
def propose(
    engagement,
    *,
    actor,
    service_content,
    technical_requirements,
    period_start,
    period_end,
    fee,
    currency=None,
    note: str = "",
) -> Proposal:
    """Offer terms (a new negotiation round); a counter-proposal answers the other party's round."""
    _require(actor, "negotiate_engagement", engagement)
    # Lock the engagement row for the rest of the transaction so two rounds cannot get one number.
    locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if locked.stage != Engagement.Stage.CONFIRMATION or locked.agreed_proposal_id:
        raise DomainError(
            _("Terms can be proposed only while the requirement is being confirmed."),
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    party = party_of(actor, engagement)
    rounds = list(engagement.proposals.order_by("round"))
    latest = rounds[-1] if rounds else None
    if latest is None and party == Proposal.Party.CLIENT:
        raise DomainError(
            _("Our technician makes the first proposal; you can then accept it or counter-propose."),
            code=ErrorCode.REFUSED,
        )
    proposal = Proposal(
        engagement=engagement,
        round=(latest.round + 1 if latest else 1),
        party=party,
        author=actor,
        service_content=service_content,
        technical_requirements=technical_requirements,
        period_start=period_start,
        period_end=period_end,
        fee=fee,
        currency=(currency or "").upper()
        or (latest.currency if latest else None)
        or Proposal._meta.get_field("currency").default,
        note=note,
    )
    proposal.full_clean()
    if latest is not None and latest.status == Proposal.Status.OPEN:
        latest.status = Proposal.Status.COUNTERED if latest.party != party else Proposal.Status.WITHDRAWN
        latest.answered_at = timezone.now()
        latest._history_user = actor
        latest.save()
    proposal._history_user = actor
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError:
        raise ConflictError(_("Someone proposed terms at the same moment. Reload the page.")) from None
    # The ball goes to the other party.
    if party == Proposal.Party.COMPANY:
        engagement.hand_to(None)
        recipients = _client_users(engagement)
        notifications.close_deadlines(engagement, actor=actor)
    else:
        engagement.hand_to(engagement.technician)
        recipients = [engagement.technician]
        # The technician answers a counter-proposal within a few working days.
        notifications.set_deadline(
            engagement,
            title=_("Answer the counter-proposal on %(code)s") % {"code": engagement.code},
            due_at=calendar.add_working_days(
                timezone.now(), policy.value("intake.answer_proposal_working_days", at=engagement.received_at)
            ),
            responsible=engagement.technician,
            escalate_to=engagement.technician.department.head
            if engagement.technician.department_id
            else None,
            actor=actor,
        )
    core_services.save(
        engagement, actor=actor, reason=_("Round %(round)s proposed") % {"round": proposal.round}
    )
    notifications.notify(
        recipients,
        title=_("%(code)s: new terms proposed (round %(round)s)")
        % {"code": engagement.code, "round": proposal.round},
        body=note,
        url=proposal.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=engagement,
    )
    return proposal


@transaction.atomic
def accept_proposal(proposal: Proposal, *, actor) -> Proposal:
    """Agree to the other party's latest terms; the confirmation form can then be signed."""
    engagement = proposal.engagement
    _require(actor, "negotiate_engagement", engagement)
    if party_of(actor, engagement) == proposal.party:
        raise DomainError(_("The other party must answer your own proposal."), code=ErrorCode.REFUSED)
    if engagement.stage != Engagement.Stage.CONFIRMATION:
        raise DomainError(
            _("Terms can be agreed only while the requirement is being confirmed."),
            code=ErrorCode.NOT_POSSIBLE_NOW,
        )
    latest = engagement.proposals.order_by("-round").first()
    assert latest is not None, "the proposal being accepted is one of them"
    if latest.pk != proposal.pk:
        raise ConflictError(_("A newer round exists; answer the latest proposal."))
    # Compare-and-set: of two people accepting at once, exactly one succeeds.
    if not Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.OPEN).update(
        status=Proposal.Status.ACCEPTED, answered_at=timezone.now()
    ):
        raise ConflictError(_("This proposal has already been answered. Reload the page."))
    proposal.refresh_from_db()
    notifications.close_deadlines(engagement, actor=actor)
    engagement.agreed_proposal = proposal
    engagement.hand_to(engagement.technician)
    core_services.save(
        engagement, actor=actor, reason=_("Terms agreed in round %(round)s") % {"round": proposal.round}
    )
    notifications.notify(
        [engagement.technician, *_client_users(engagement)],
        title=_("%(code)s: terms agreed — please sign the confirmation form") % {"code": engagement.code},
        url=engagement.get_absolute_url(),
        level=Notification.Level.ACTION,
        target=engagement,
    )
    return proposal


def sign_confirmation(
    engagement, *, actor, role: str, password="", otp="", request=None, ip_address=None, expected_sha256=""
):
    """Sign the agreed confirmation form (the signer confirms with their password or a one-time
    code, ``core.reauth``); the last signature confirms the requirement."""
    from onestop.engagements.documents import confirmation_form  # noqa: PLC0415 — cycle: engagements.documents imports this module at load

    return signatures.sign(
        confirmation_form(),
        engagement,
        actor=actor,
        role=role,
        password=password,
        otp=otp,
        request=request,
        ip_address=ip_address,
        expected_sha256=expected_sha256,
    )


def after_confirmation_signed(engagement, signature, *, actor) -> None:
    """Called by the form inside the signing transaction (see documents.ConfirmationForm)."""
    from onestop.engagements.documents import confirmation_form  # noqa: PLC0415 — cycle: engagements.documents imports this module at load

    engagement.refresh_from_db()
    if signatures.is_fully_signed(confirmation_form(), engagement):
        perform_transition(
            engagement, "confirm", actor=actor, comment=_("Signed by the client and the technician.")
        )
        notifications.close_deadlines(engagement, actor=actor)
        managers = list(get_user_model().objects.with_role(Role.MANAGEMENT))
        notifications.notify(
            [*managers, engagement.technician, *_client_users(engagement)],
            title=_("%(code)s: requirement confirmed, ready for the service plan")
            % {"code": engagement.code},
            url=engagement.get_absolute_url(),
            level=Notification.Level.INFO,
            target=engagement,
        )
    else:
        # The ball goes to whoever still has to sign.
        engagement.hand_to(None if signature.role == "technician" else engagement.technician)
        core_services.save(
            engagement,
            actor=actor,
            reason=_("Signed as %(role)s") % {"role": confirmation_form().roles[signature.role]},
        )
        waiting = _client_users(engagement) if signature.role == "technician" else [engagement.technician]
        notifications.notify(
            waiting,
            title=_("%(code)s: the confirmation form awaits your signature") % {"code": engagement.code},
            url=engagement.get_absolute_url(),
            level=Notification.Level.ACTION,
            target=engagement,
        )


@transaction.atomic
def withdraw(engagement, *, actor, comment: str) -> Engagement:
    perform_transition(engagement, "withdraw", actor=actor, comment=comment)
    notifications.close_deadlines(engagement, actor=actor)
    return engagement
