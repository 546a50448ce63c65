from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register

register(
    "intake",
    MenuItem(_("Engagements"), "engagements:engagement_list", "briefcase", "engagements.view_engagement"),
    MenuItem(_("New inquiry"), "engagements:engagement_add", "plus-circle", "engagements.add_engagement"),
)
