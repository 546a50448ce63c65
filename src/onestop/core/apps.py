from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "onestop.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from onestop.core.receivers import login_failed_from

        user_login_failed.connect(login_failed_from, dispatch_uid="onestop-login-failed-from")
