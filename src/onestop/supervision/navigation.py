"""Menu entries of supervision (EXT-3), in the quality chapter beside the inspections: findings,
the check runs, audit samples, and the rewards and penalties."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

SUPERVISORS = (Role.MANAGEMENT, Role.QUALITY)

register(
    "quality",
    MenuItem(
        _("Compliance findings"),
        "supervision:finding_list",
        "shield-check",
        "supervision.view_finding",
        roles=SUPERVISORS,
    ),
    MenuItem(
        _("Compliance check runs"),
        "supervision:checkrun_list",
        "arrow-repeat",
        "supervision.view_checkrun",
        roles=SUPERVISORS,
    ),
    MenuItem(
        _("Audit samples"),
        "supervision:auditsample_list",
        "shuffle",
        "supervision.view_auditsample",
        roles=SUPERVISORS,
    ),
    MenuItem(
        _("Rewards and penalties"),
        "supervision:sanction_list",
        "award",
        "supervision.view_sanction",
        roles=(*SUPERVISORS, Role.HR),
    ),
)
