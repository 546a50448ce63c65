"""Menu entries of the people chapter (人員管理): appraisal, skills, training."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import STAFF_ROLES, Role

EVERYONE = tuple(STAFF_ROLES)
HR = (Role.HR,)

register(
    "people",
    MenuItem(
        _("Appraisals"), "people:appraisal_list", "clipboard-data", "people.view_appraisal", roles=EVERYONE
    ),
    MenuItem(
        _("Grade distribution"),
        "people:distribution",
        "bar-chart",
        "people.distribution_appraisal",
        roles=(Role.HR, Role.MANAGEMENT),
    ),
    MenuItem(_("Appraisal cycles"), "people:cycle_list", "calendar3", "people.add_cycle", roles=HR),
    MenuItem(
        _("Indicator templates"),
        "people:indicatortemplate_list",
        "list-check",
        "people.add_indicatortemplate",
        roles=HR,
    ),
    MenuItem(
        _("Result actions"),
        "people:resultaction_list",
        "award",
        "people.view_resultaction",
        roles=(Role.HR, Role.MANAGEMENT),
    ),
    MenuItem(
        _("Improvement plans"),
        "people:improvementplan_list",
        "graph-up-arrow",
        "people.view_improvementplan",
        roles=EVERYONE,
    ),
    MenuItem(
        _("Skills matrix"), "people:skills_matrix", "grid-3x3", "people.view_personskill", roles=EVERYONE
    ),
    MenuItem(_("Skills catalogue"), "people:skill_list", "stars", "people.add_skill", roles=HR),
    MenuItem(
        _("Yearly training plan"),
        "people:training_plan",
        "calendar-check",
        "people.search_personskill",
        roles=(Role.HR, Role.MANAGEMENT),
    ),
    MenuItem(_("Courses"), "people:course_list", "mortarboard", "people.view_course", roles=EVERYONE),
    MenuItem(
        _("Training sessions"),
        "people:trainingsession_list",
        "easel",
        "people.view_trainingsession",
        roles=EVERYONE,
    ),
    MenuItem(
        _("Training records"),
        "people:enrolment_list",
        "journal-check",
        "people.view_enrolment",
        roles=EVERYONE,
    ),
)
