"""Signal handlers of the core app."""

from __future__ import annotations

from onestop.core import chain, limits

LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60


def login_failed_from(sender, credentials=None, request=None, **kwargs):
    """Count a wrong password against the address it came from (LoginView stops the address
    once it reaches ``ONESTOP_LOGIN_FAILURES_PER_ADDRESS`` within 15 minutes)."""
    if request is None:
        return
    address = limits.client_ip(request) or "unknown"
    limits.count("login-address", address, period=LOGIN_FAILURE_WINDOW_SECONDS)


def chain_audit_entry(sender, history_instance=None, **kwargs):
    """Every audit entry joins the tamper-evident chain in the transaction that wrote it."""
    if history_instance is not None:
        chain.append(history_instance)
