"""Engagement pages: the list, quick entry of an inquiry, and the engagement page with its
timeline, assessment, negotiation and signatures. Each action on the page is a ``RecordAction``
calling the service the API calls too; ``detail_context`` adds the timeline, the negotiation,
the chat and the service-plan card."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import ClientContact
from onestop.core.actions import RecordAction, calls
from onestop.core.panels import panels
from onestop.core.views import Column, ObjectViews
from onestop.engagements import forms, services, timeline
from onestop.engagements.ball import balls_for
from onestop.engagements.documents import confirmation_form
from onestop.engagements.filters import EngagementFilterSet
from onestop.engagements.models import Engagement, Proposal
from onestop.engagements.negotiation import rounds_with_changes
from onestop.engagements.path import downstream
from onestop.engagements.records import path_records
from onestop.engagements.states import EngagementStage, ProposalStatus
from onestop.engagements.views_intake import chat_context
from onestop.plans.timeline import plan_card


def _latest(engagement):
    return engagement.proposals.order_by("-round").first()


def _may_propose(engagement, user) -> bool:
    if engagement.stage != EngagementStage.CONFIRMATION or engagement.agreed_proposal_id:
        return False
    if not user.has_perm("engagements.negotiate_engagement", engagement):
        return False
    return _latest(engagement) is not None or services.party_of(user, engagement) == Proposal.Party.COMPANY


def _may_accept(engagement, user) -> bool:
    if engagement.stage != EngagementStage.CONFIRMATION:
        return False
    if not user.has_perm("engagements.negotiate_engagement", engagement):
        return False
    latest = _latest(engagement)
    return (
        latest is not None
        and latest.status == ProposalStatus.OPEN
        and latest.party != services.party_of(user, engagement)
    )


def _proposal_initial(engagement, user) -> dict:
    latest = _latest(engagement)
    initial = {"currency": latest.currency if latest else settings.DEFAULT_CURRENCY}
    if latest is not None:
        initial.update({name: getattr(latest, name) for name in Proposal.TERMS})
    else:
        initial.update(
            {
                "technical_requirements": engagement.technical_requirements,
                "service_content": engagement.service_goals,
            }
        )
    return initial


def _assess(engagement, request, data):
    return services.assess(
        engagement,
        actor=request.user,
        in_scope=data["decision"] == "in_scope",
        service_goals=data["service_goals"],
        technical_requirements=data["technical_requirements"],
        requested_deadline=data["requested_deadline"],
        reason=data["reason"],
        suggestions=data["suggestions"],
    )


def _accept(engagement, request, data):
    proposal = get_object_or_404(engagement.proposals, round=data["round"])
    return services.accept_proposal(proposal, actor=request.user)


# The forms keep the field ids the page has always had (``id_fee``…): one form of each per page.
_PLAIN_IDS = {"auto_id": "id_%s"}


class EngagementViews(ObjectViews):
    model = Engagement
    filterset_class = EngagementFilterSet
    form_class = forms.EngagementForm
    add_form_class = forms.InquiryEntryForm
    icon = "briefcase"
    allow_delete = False  # an engagement is withdrawn or closed, never deleted: its history is the record
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("client", sort="client__name"),
        Column("path_stage", label=_("Stage"), sort="stage"),
        Column("waiting_step", label=_("Waiting for"), sort=False),
        Column("holder_label", label=_("Holds the ball"), sort=False),
        Column("stage_since"),
        Column("channel"),
    ]
    list_select_related = ("client", "holder")
    detail_select_related = ("client", "contact", "holder", "technician", "recorded_by", "agreed_proposal")
    default_sort = "-received_at"
    detail_template = "engagements/engagement_detail.html"
    list_template = "engagements/engagement_list.html"  # the list with its List | Board toggle

    @classmethod
    def prepare_page(cls, request, objects) -> None:
        balls = balls_for(objects)
        for engagement in objects:
            engagement.ball = balls[engagement.pk]

    form_template = "engagements/engagement_form.html"
    detail_fields = [
        "code",
        "title",
        "client",
        "contact",
        "channel",
        "stage",
        "waiting_step",
        "holder_label",
        "technician",
        "received_at",
        "forwarded_at",
        "time_to_forward_label",
    ]

    actions = [
        RecordAction(
            "forward",
            calls(services.forward),
            form=forms.ForwardForm,
            form_kwargs=lambda engagement, user: _PLAIN_IDS,
            initial=lambda engagement, user: {"technician": engagement.technician_id},
            transition="forward",
            success=lambda engagement, result: _("Forwarded to %(name)s.") % {"name": engagement.technician},
        ),
        RecordAction(
            "assess",
            _assess,
            form=forms.AssessmentForm,
            form_kwargs=lambda engagement, user: _PLAIN_IDS,
            initial=lambda engagement, user: {
                "service_goals": engagement.service_goals,
                "technical_requirements": engagement.technical_requirements,
            },
            transition="accept_scope",
            success=lambda engagement, result: (
                _("Recorded as within scope. Now propose the terms to the client.")
                if engagement.stage == EngagementStage.CONFIRMATION
                else _("The client was told why, with your suggestions; the request is closed.")
            ),
        ),
        RecordAction(
            "propose",
            calls(services.propose),
            form=forms.ProposalForm,
            form_kwargs=lambda engagement, user: {
                **_PLAIN_IDS,
                "user": user,
                "instance": Proposal(engagement=engagement),
            },
            initial=_proposal_initial,
            when=_may_propose,
            success=lambda engagement, proposal: (
                _("Round %(round)s was sent to the other party.") % {"round": proposal.round}
            ),
        ),
        RecordAction(
            "accept",
            _accept,
            route="rounds/<int:round>/accept/",
            when=_may_accept,
            success=_("Terms agreed. Both parties now sign the confirmation form."),
        ),
        RecordAction(
            "withdraw",
            calls(services.withdraw),
            form=forms.WithdrawForm,
            transition="withdraw",
            success=_("The request was withdrawn."),
        ),
    ]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        if obj is not None:
            return super().save(form, actor=actor, request=request, obj=obj)
        data = form.cleaned_data
        inquiry = services.record_inquiry(
            actor=actor,
            client=data["client"],
            channel=data["channel"],
            subject=data["subject"],
            need=data["need"],
            contact=data.get("contact"),
            contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""),
            contact_email=data.get("contact_email", ""),
            received_at=data.get("received_at"),
            technician=data.get("technician"),
        )
        return inquiry.engagement

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        user = request.user
        spans, events = timeline.build(obj, user)
        # After the confirmation the engagement is "in" the latest later stage it reached.
        phase_label = ""
        if obj.stage == EngagementStage.CONFIRMED:
            phases = dict(downstream())
            phase_label = next((s.label for s in reversed(spans) if s.started and s.stage in phases), "")
        return {
            "spans": spans,
            "phase_label": phase_label,
            "events": events,
            "inquiries": obj.inquiries.select_related("recorded_by"),
            "rounds": rounds_with_changes(obj),
            "latest": _latest(obj),
            "is_client": user.client_organization_id is not None,
            "confirmation": confirmation_form(),
            "Stage": EngagementStage,
            "ProposalStatus": ProposalStatus,
            "Party": Proposal.Party,
            "path_records": path_records(obj, user),
            **chat_context(request, obj),
            **plan_card(obj, user),
            "panels": panels("engagement", obj, user),
        }


@login_required
def client_lookup(request):
    """Quick entry: find a client by organisation, contact name, phone or e-mail (htmx)."""
    if not request.user.has_perm("engagements.add_engagement") or request.user.client_organization_id:
        raise PermissionDenied
    query = request.GET.get("lookup", "").strip()
    contacts = []
    if len(query) >= 2:
        contacts = (
            ClientContact.objects.visible_to(request.user)
            .filter(
                Q(name__icontains=query)
                | Q(phone__icontains=query)
                | Q(mobile__icontains=query)
                | Q(email__icontains=query)
                | Q(organization__name__icontains=query)
                | Q(organization__code__iexact=query)
            )
            .select_related("organization")[:10]
        )
    return render(request, "engagements/_client_lookup.html", {"contacts": contacts, "query": query})
