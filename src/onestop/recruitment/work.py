"""What recruitment and onboarding ask of each user on "My work" (a fixed number of queries).

Management: hiring needs and offers to approve. The hiring manager: needs returned for revision
or still drafts. Interviewers: interviews to score. HR: candidates whose next step is HR's (screen,
decide after the interviews, the written test, the background check, the answer to an offer, the
hire). The new hire: onboarding parts to complete; the superior and HR: parts to acknowledge.
"""

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core.work import WorkItem, register
from onestop.recruitment import rules as r
from onestop.recruitment import states
from onestop.recruitment.models import Candidate, HiringNeed, Interview, OnboardingTask

LIMIT = 50

HR_STEPS = {
    states.Stage.SCREENING: gettext_lazy("Resume to screen"),
    states.Stage.WRITTEN_TEST: gettext_lazy("Written test to record"),
    states.Stage.BACKGROUND: gettext_lazy("Background check and offer to prepare"),
    states.Stage.OFFER_MADE: gettext_lazy("Offer made: record the candidate's answer"),
    states.Stage.ACCEPTED: gettext_lazy("Offer accepted: hire and create the account"),
}


def _need_title(need) -> str:
    return _("%(code)s %(position)s × %(n)s") % {
        "code": need.code,
        "position": need.position,
        "n": need.headcount,
    }


@register
def recruitment_waiting(user):
    if user.client_organization_id is not None:
        return []
    items = []
    today = timezone.localdate()
    if r.is_management(user):
        for need in HiringNeed.objects.filter(state=HiringNeed.State.SUBMITTED).select_related("position")[
            :LIMIT
        ]:
            items.append(
                WorkItem(
                    title=_need_title(need),
                    url=need.get_absolute_url(),
                    kind=str(_("Hiring need to approve")),
                    since=need.updated_at,
                    icon="person-plus",
                )
            )
        offers = Candidate.objects.filter(stage=states.Stage.OFFER_PROPOSED).select_related("need__position")
        for candidate in offers[:LIMIT]:
            items.append(
                WorkItem(
                    title=f"{candidate.full_name} · {candidate.need.position}",
                    url=candidate.get_absolute_url(),
                    kind=str(_("Offer to approve")),
                    since=candidate.stage_since,
                    icon="envelope-paper",
                )
            )
    mine = HiringNeed.objects.filter(
        Q(hiring_manager=user) | Q(requested_by=user), state__in=states.NEED_EDITABLE
    ).select_related("position")
    for need in mine[:LIMIT]:
        items.append(
            WorkItem(
                title=_need_title(need),
                url=need.get_absolute_url(),
                kind=str(
                    _("Hiring need returned: revise and resubmit")
                    if need.state == HiringNeed.State.RETURNED
                    else _("Hiring need to submit")
                ),
                since=need.updated_at,
                icon="pencil",
            )
        )
    interviews = Interview.objects.filter(
        interviewer=user, scored_at__isnull=True, candidate__stage=states.Stage.INTERVIEW
    ).select_related("candidate__need__position")
    for interview in interviews.order_by("scheduled_at")[:LIMIT]:
        items.append(
            WorkItem(
                title=_("%(name)s, round %(round)s (%(position)s)")
                % {
                    "name": interview.candidate.full_name,
                    "round": interview.round,
                    "position": interview.candidate.need.position,
                },
                url=interview.get_absolute_url(),
                kind=str(_("Interview to score")),
                since=interview.created_at,
                due=interview.scheduled_at,
                icon="chat-square-text",
            )
        )
    if r.is_hr(user):
        waiting = Candidate.objects.filter(stage__in=list(HR_STEPS)).select_related("need__position")
        for candidate in waiting.order_by("stage_since")[:LIMIT]:
            items.append(
                WorkItem(
                    title=f"{candidate.full_name} · {candidate.need.position}",
                    url=candidate.get_absolute_url(),
                    kind=str(HR_STEPS[candidate.stage]),
                    since=candidate.stage_since,
                    icon="person-vcard",
                )
            )
        # Interviews all scored: HR decides whether the candidate passes them.
        decided = Candidate.objects.filter(stage=states.Stage.INTERVIEW, interviews__isnull=False).exclude(
            interviews__scored_at__isnull=True
        )
        for candidate in decided.select_related("need__position").distinct()[:LIMIT]:
            items.append(
                WorkItem(
                    title=f"{candidate.full_name} · {candidate.need.position}",
                    url=candidate.get_absolute_url(),
                    kind=str(_("Interviews scored: decide on the candidate")),
                    since=candidate.stage_since,
                    icon="person-vcard",
                )
            )
    own = OnboardingTask.objects.filter(onboarding__user=user, state=OnboardingTask.State.ASSIGNED)
    for task in own.select_related("onboarding").order_by("due_date")[:LIMIT]:
        items.append(
            WorkItem(
                title=str(task),
                url=task.get_absolute_url(),
                kind=str(_("Onboarding part to complete")),
                due=timezone.make_aware(datetime.combine(task.due_date, time(18, 0))),
                icon="signpost-split",
                overdue=task.due_date < today,
            )
        )
    acknowledging = OnboardingTask.objects.filter(state=OnboardingTask.State.COMPLETED)
    if not r.is_hr(user):
        acknowledging = acknowledging.filter(onboarding__superior=user)
    for task in acknowledging.select_related("onboarding__user").order_by("completed_at")[:LIMIT]:
        items.append(
            WorkItem(
                title=f"{task.onboarding.user.display_name}：{task}",
                url=task.get_absolute_url(),
                kind=str(_("Onboarding part to acknowledge")),
                since=task.completed_at,
                icon="check2-all",
            )
        )
    return items
