"""Menu entries of this app: satisfaction after acceptance, complaints with customer service."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

register(
    "acceptance",
    MenuItem(
        _("Satisfaction surveys"),
        "feedback:survey_list",
        "emoji-smile",
        "feedback.view_survey",
        roles=(Role.CUSTOMER_SERVICE, Role.QUALITY, Role.PROJECT_LEAD, Role.CLIENT),
    ),
    MenuItem(
        _("Satisfaction results"),
        "feedback:results",
        "bar-chart",
        "feedback.results_survey",
        roles=(Role.CUSTOMER_SERVICE, Role.QUALITY),
    ),
)
register(
    "intake",
    MenuItem(
        _("Complaints"),
        "feedback:complaint_list",
        "megaphone",
        "feedback.view_complaint",
        roles=(Role.CUSTOMER_SERVICE, Role.QUALITY, Role.PROJECT_LEAD, Role.CLIENT),
    ),
)
