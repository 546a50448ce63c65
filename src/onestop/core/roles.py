"""The roles of the policy. Each role is a Django group whose name is the role's code.

The groups are created by a data migration (accounts 0002); permissions are not
stored on the groups but expressed as `rules` predicates over these codes, so the
whole access model is readable in code (see each app's rules.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    TECHNICIAN = "technician", _("Technician")
    PROJECT_LEAD = "project_lead", _("Project lead")
    REVIEWER = "reviewer", _("Reviewer / expert")
    MANAGEMENT = "management", _("Management")
    LEGAL = "legal", _("Legal")
    ARCHIVE = "archive", _("Archive room")
    QUALITY = "quality", _("Quality")
    FINANCE = "finance", _("Finance")
    HR = "hr", _("Human resources")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    CLIENT = "client", _("Client")


STAFF_ROLES = [role for role in Role if role != Role.CLIENT]


def role_label(code: str) -> str:
    try:
        return str(Role(code).label)
    except ValueError:
        return code
