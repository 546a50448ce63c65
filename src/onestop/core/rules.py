"""Permissions of the core app that belong to no model."""

import rules

from onestop.core.predicates import is_system_admin

# The audit chain's report names entries of every kind: administrators only.
rules.add_perm("core.verify_audit_chain", is_system_admin)
# The security events of every account (each user sees their own on the profile page).
rules.add_perm("core.view_security_events", is_system_admin)
# The letterhead printed on every form (core/letterhead.py).
rules.add_perm("core.change_letterhead", is_system_admin)
