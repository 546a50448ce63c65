"""Menu entries of the cockpit (X-7): the cockpit for management, each role's dashboard for it."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import CHAPTERS, Chapter, MenuItem, register
from onestop.core.roles import Role

if "cockpit" not in CHAPTERS:
    # The cockpit comes first: management starts there.
    CHAPTERS.update({"cockpit": Chapter("cockpit", _("Cockpit"), "speedometer2")})
    CHAPTERS.update({key: CHAPTERS.pop(key) for key in [k for k in CHAPTERS if k != "cockpit"]})

register(
    "cockpit",
    MenuItem(
        _("Management cockpit"),
        "cockpit:cockpit",
        "speedometer2",
        "cockpit.view_cockpit",
        roles=(Role.MANAGEMENT,),
    ),
)
for key, label, icon, role in (
    ("lead", _("My projects' dashboard"), "kanban", Role.PROJECT_LEAD),
    ("service", _("Customer service dashboard"), "headset", Role.CUSTOMER_SERVICE),
    ("quality", _("Quality dashboard"), "clipboard-data", Role.QUALITY),
    ("finance", _("Finance dashboard"), "cash-stack", Role.FINANCE),
    ("hr", _("HR dashboard"), "people", Role.HR),
):
    register(
        "cockpit",
        MenuItem(label, f"cockpit:dashboard_{key}", icon, f"cockpit.view_{key}_dashboard", roles=(role,)),
    )
register(
    "cockpit",
    MenuItem(
        _("Scheduled reports"),
        "cockpit:reportsubscription_list",
        "envelope-paper",
        "cockpit.view_reportsubscription",
    ),
)
register(
    "cockpit",
    MenuItem(_("Policy settings"), "cockpit:policyversion_list", "sliders", "cockpit.view_policyversion"),
)
