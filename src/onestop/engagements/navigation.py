from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register

register(
    "intake",
    MenuItem(_("Engagements"), "engagements:engagement_list", "briefcase", "engagements.view_engagement"),
    MenuItem(_("New inquiry"), "engagements:engagement_add", "plus-circle", "engagements.add_engagement"),
)

# INT-1: unmatched e-mail for customer service; the portal chat for client users (views_intake.py).
register(
    "intake",
    MenuItem(
        _("Unmatched e-mail"),
        "engagements:incoming_mail_list",
        "envelope-exclamation",
        "engagements.view_incomingmail",
    ),
    MenuItem(_("Start a chat"), "engagements:chat_start", "chat-dots", "engagements.start_chat_engagement"),
)
