from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register

register(
    "system",
    MenuItem(_("Webhooks"), "webhooks:endpoint_list", "broadcast", "webhooks.view_endpoint"),
)
