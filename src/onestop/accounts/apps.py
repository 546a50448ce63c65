from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "onestop.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self):
        from onestop.accounts import navigation  # noqa: F401  (registers menu entries)
