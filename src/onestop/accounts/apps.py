from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "onestop.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self):
        from onestop.accounts import (  # noqa: PLC0415 — app registry not ready at import time (apps.py)
            navigation,  # noqa: F401  (registers menu entries)
            sessions,
            tasks,  # noqa: F401  (the nightly retention job)
        )

        user_logged_in.connect(sessions.remember, dispatch_uid="onestop-session-remember")
        user_logged_out.connect(sessions.forget, dispatch_uid="onestop-session-forget")
