from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "onestop.cockpit"
    label = "cockpit"
    verbose_name = _("Management cockpit")

    def ready(self):
        from onestop.cockpit import navigation, rules, tasks  # noqa: F401, PLC0415 — app registry not ready at import time (apps.py); registrations
        from onestop.cockpit.models import PolicyVersion  # noqa: PLC0415 — app registry not ready at import time (apps.py)
        from onestop.core import policy  # noqa: PLC0415 — app registry not ready at import time (apps.py)

        def in_force(day):
            version = PolicyVersion.objects.in_force(day)
            return version.values if version is not None else {}

        policy.provide(in_force)
