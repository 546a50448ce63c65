"""Engagement pages: the list, quick entry of an inquiry, and the engagement page with its
timeline, assessment, negotiation and signatures. Each action parses input, then calls the
service that the API calls too."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onestop.accounts.models import ClientContact
from onestop.core.exceptions import DomainError
from onestop.core.forms import bootstrapify
from onestop.core.views import Column, ObjectViews, action_done, action_refused
from onestop.core.workflow import available_transitions
from onestop.engagements import forms, services, timeline
from onestop.engagements.documents import confirmation_form
from onestop.engagements.filters import EngagementFilterSet
from onestop.engagements.models import Engagement, Proposal
from onestop.engagements.negotiation import rounds_with_changes
from onestop.engagements.path import DOWNSTREAM


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
        Column("stage"),
        Column("holder_label", label=gettext_lazy("Holds the ball"), sort=False),
        Column("stage_since"),
        Column("channel"),
    ]
    list_select_related = ("client", "holder")
    detail_select_related = ("client", "contact", "holder", "technician", "recorded_by", "agreed_proposal")
    default_sort = "-received_at"
    detail_template = "engagements/engagement_detail.html"
    form_template = "engagements/engagement_form.html"
    detail_fields = [
        "code",
        "title",
        "client",
        "contact",
        "channel",
        "stage",
        "holder_label",
        "technician",
        "received_at",
        "forwarded_at",
        "time_to_forward_label",
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


def _engagement(request, pk):
    engagement = get_object_or_404(
        Engagement.objects.visible_to(request.user).select_related(*EngagementViews.detail_select_related),
        pk=pk,
    )
    if not request.user.has_perm("engagements.view_engagement", engagement):
        raise PermissionDenied
    return engagement


def detail_context(request, engagement, **forms_override):
    user = request.user
    spans, events = timeline.build(engagement, user)
    is_client = user.client_organization_id is not None
    latest = engagement.proposals.order_by("-round").first()
    my_party = services.party_of(user, engagement)
    may_negotiate = user.has_perm("engagements.negotiate_engagement", engagement)
    stage = engagement.stage
    context = {
        "object": engagement,
        "opts": Engagement._meta,
        "model_name": Engagement._meta.verbose_name,
        "icon": "briefcase",
        "tab": "detail",
        "spans": spans,
        # After the confirmation the engagement is "in" the latest later stage it reached.
        "phase_label": next(
            (s.label for s in reversed(spans) if s.started and s.stage in {n for n, _l in DOWNSTREAM}), ""
        )
        if engagement.stage == Engagement.Stage.CONFIRMED
        else "",
        "events": events,
        "inquiries": engagement.inquiries.select_related("recorded_by"),
        "rounds": rounds_with_changes(engagement),
        "latest": latest,
        "is_client": is_client,
        "can_change": user.has_perm("engagements.change_engagement", engagement),
        "can_delete": False,
        "can_forward": stage == Engagement.Stage.INQUIRY
        and user.has_perm("engagements.forward_engagement", engagement),
        "can_assess": stage == Engagement.Stage.ASSESSMENT
        and user.has_perm("engagements.assess_engagement", engagement),
        "can_propose": stage == Engagement.Stage.CONFIRMATION
        and may_negotiate
        and not engagement.agreed_proposal_id
        and (latest is not None or my_party == Proposal.Party.COMPANY),
        "can_accept": stage == Engagement.Stage.CONFIRMATION
        and may_negotiate
        and latest is not None
        and latest.status == Proposal.Status.OPEN
        and latest.party != my_party,
        "can_withdraw": engagement.is_open and user.has_perm("engagements.withdraw_engagement", engagement),
        "transitions": [t for t in available_transitions(engagement, user) if t.name == "withdraw"],
        "confirmation": confirmation_form(),
    }
    if context["can_forward"]:
        context["forward_form"] = forms_override.get("forward_form") or forms.ForwardForm(
            initial={"technician": engagement.technician_id}
        )
    if context["can_assess"]:
        context["assessment_form"] = forms_override.get("assessment_form") or forms.AssessmentForm(
            initial={
                "service_goals": engagement.service_goals,
                "technical_requirements": engagement.technical_requirements,
            }
        )
    if context["can_propose"]:
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
        context["proposal_form"] = forms_override.get("proposal_form") or forms.ProposalForm(
            initial=initial, user=user
        )
    for name in ("forward_form", "assessment_form", "proposal_form"):
        if name in context:
            bootstrapify(context[name])
    return context


@login_required
def engagement_detail(request, pk):
    engagement = _engagement(request, pk)
    return render(request, "engagements/engagement_detail.html", detail_context(request, engagement))


def _invalid(request, engagement, **forms_override):
    return render(
        request,
        "engagements/engagement_detail.html",
        detail_context(request, engagement, **forms_override),
        status=400,
    )


@login_required
@require_POST
def forward(request, pk):
    engagement = _engagement(request, pk)
    form = forms.ForwardForm(request.POST)
    if not form.is_valid():
        return _invalid(request, engagement, forward_form=form)
    try:
        services.forward(
            engagement,
            actor=request.user,
            technician=form.cleaned_data["technician"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        return action_refused(request, engagement, error)
    return action_done(request, engagement, _("Forwarded to %(name)s.") % {"name": engagement.technician})


@login_required
@require_POST
def assess(request, pk):
    engagement = _engagement(request, pk)
    form = forms.AssessmentForm(request.POST)
    if not form.is_valid():
        return _invalid(request, engagement, assessment_form=form)
    data = form.cleaned_data
    try:
        if data["decision"] == "in_scope":
            services.assess_in_scope(
                engagement,
                actor=request.user,
                service_goals=data["service_goals"],
                technical_requirements=data["technical_requirements"],
                requested_deadline=data["requested_deadline"],
            )
            message = _("Recorded as within scope. Now propose the terms to the client.")
        else:
            services.assess_out_of_scope(
                engagement, actor=request.user, reason=data["reason"], suggestions=data["suggestions"]
            )
            message = _("The client was told why, with your suggestions; the request is closed.")
    except DomainError as error:
        return action_refused(request, engagement, error)
    return action_done(request, engagement, message)


@login_required
@require_POST
def propose(request, pk):
    engagement = _engagement(request, pk)
    form = forms.ProposalForm(request.POST, user=request.user)
    form.instance.engagement = engagement
    if not form.is_valid():
        return _invalid(request, engagement, proposal_form=form)
    try:
        proposal = services.propose(engagement, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        return action_refused(request, engagement, error)
    return action_done(
        request, engagement, _("Round %(round)s was sent to the other party.") % {"round": proposal.round}
    )


@login_required
@require_POST
def accept(request, pk, round):
    engagement = _engagement(request, pk)
    proposal = get_object_or_404(engagement.proposals, round=round)
    try:
        services.accept_proposal(proposal, actor=request.user)
    except DomainError as error:
        return action_refused(request, engagement, error)
    return action_done(request, engagement, _("Terms agreed. Both parties now sign the confirmation form."))


@login_required
@require_POST
def withdraw(request, pk):
    engagement = _engagement(request, pk)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        return action_refused(request, engagement, DomainError(_("Give a reason for withdrawing.")))
    try:
        services.withdraw(engagement, actor=request.user, comment=form.cleaned_data["comment"])
    except DomainError as error:
        return action_refused(request, engagement, error)
    return action_done(request, engagement, _("The request was withdrawn."))


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
