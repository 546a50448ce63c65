"""LDAP / Active Directory passwords (issue 17), through django-auth-ldap; off unless
``ONESTOP_LDAP_SERVER_URI`` is set (onestop/signin_settings.py reads the variables).

The directory checks the password of a user name OneStop already knows, and refreshes that
account's name and e-mail address from it. It never creates an account (``AUTH_LDAP_NO_NEW_USERS``)
and never grants a role: an administrator adds the account and its roles in OneStop as before.
Only staff accounts sign in this way — a client user who happens to share a user name with
someone in the company's directory must not get in with that person's password. Everything else
of a log-in is as with a password kept by OneStop: the lockout, two-factor, the idle timeout.
"""

from __future__ import annotations

from django_auth_ldap.backend import LDAPBackend as BaseLDAPBackend
from django_auth_ldap.backend import populate_user


class LDAPBackend(BaseLDAPBackend):
    def get_or_build_user(self, username, ldap_user):
        user, built = super().get_or_build_user(username, ldap_user)
        if not built and user.is_client:
            raise ldap_user.AuthenticationFailed("client users do not sign in through the directory")
        if not built:
            user._ldap_before = (user.full_name, user.email)
        return user, built

    def get_user(self, user_id):
        # Like Django's own backend: a deactivated account's sessions end at their next request.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def _history_only_on_change(sender, user=None, ldap_user=None, **kwargs):
    """django-auth-ldap saves the account at every log-in; its history records a change only
    when the directory changed the name or e-mail address."""
    if getattr(user, "_ldap_before", None) == (user.full_name, user.email):
        user.skip_history_when_saving = True


populate_user.connect(_history_only_on_change, dispatch_uid="onestop-ldap-history")
