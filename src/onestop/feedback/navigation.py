"""Menu entries of this app: satisfaction after acceptance, complaints with customer service."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register

register(
    "acceptance",
    MenuItem(_("Satisfaction surveys"), "feedback:survey_list", "emoji-smile", "feedback.view_survey"),
    MenuItem(_("Satisfaction results"), "feedback:results", "bar-chart", "feedback.results_survey"),
)
register(
    "intake",
    MenuItem(_("Complaints"), "feedback:complaint_list", "megaphone", "feedback.view_complaint"),
)
