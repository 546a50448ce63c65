from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.utils.translation import gettext_lazy as _
from simple_history.signals import post_create_historical_record


class CoreConfig(AppConfig):
    name = "onestop.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from onestop.core import navigation, rules, security  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registers the permissions
        from onestop.core.receivers import chain_audit_entry, login_failed_from  # noqa: PLC0415 — app registry not ready at import time (apps.py)

        user_login_failed.connect(login_failed_from, dispatch_uid="onestop-login-failed-from")
        user_logged_in.connect(security.logged_in, dispatch_uid="onestop-security-login")
        user_logged_out.connect(security.logged_out, dispatch_uid="onestop-security-logout")
        user_login_failed.connect(security.login_failed, dispatch_uid="onestop-security-login-failed")
        post_create_historical_record.connect(chain_audit_entry, dispatch_uid="onestop-audit-chain")
        navigation.register(
            "system",
            navigation.MenuItem(
                _("Security events"), "core:security_events", "shield-lock", "core.view_security_events"
            ),
        )
        navigation.register(
            "system",
            navigation.MenuItem(
                _("Audit chain"), "core:audit_chain", "link-45deg", "core.verify_audit_chain"
            ),
        )
        navigation.register(
            "system",
            navigation.MenuItem(_("Letterhead"), "core:letterhead", "building", "core.change_letterhead"),
        )
