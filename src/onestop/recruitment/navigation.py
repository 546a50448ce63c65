"""Menu entries under the policy's chapter on people (人員管理). The permissions keep candidate
data to HR and the hiring panels; department heads see the needs of their departments."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

register(
    "people",
    MenuItem(_("Hiring needs"), "recruitment:hiringneed_list", "person-plus", "recruitment.view_hiringneed"),
    MenuItem(
        _("Postings"), "recruitment:posting_list", "megaphone", "recruitment.view_posting", roles=(Role.HR,)
    ),
    MenuItem(_("Candidates"), "recruitment:candidate_board", "kanban", "recruitment.view_candidate"),
    MenuItem(_("Interviews"), "recruitment:interview_list", "chat-square-text", "recruitment.view_interview"),
    MenuItem(_("Onboarding"), "recruitment:onboarding_list", "signpost-split", "recruitment.view_onboarding"),
    MenuItem(
        _("Onboarding template"),
        "recruitment:onboardingpart_list",
        "journal-bookmark",
        "recruitment.view_onboardingpart",
        roles=(Role.HR,),
    ),
)
