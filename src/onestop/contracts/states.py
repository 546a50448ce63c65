"""The states of a service contract (CON-1..3), for models, rules, services and templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractState(models.TextChoices):
    DRAFT = "draft", _("Drafting")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned to the drafter")
    APPROVED = "approved", _("Approved, awaiting signatures")
    SIGNED = "signed", _("Signed")
    ARCHIVED = "archived", _("Archived")


# The terms are edited by hand only while drafting; the services record reviews and archiving.
EDITABLE = (ContractState.DRAFT,)
# The payment schedule may be changed while the contract is drafted or back with the drafter.
DRAFTING = (ContractState.DRAFT, ContractState.RETURNED)
# Differences from the plan and confirmation are justified while drafting or in review.
JUSTIFIABLE = (ContractState.DRAFT, ContractState.IN_REVIEW)
# The client sees its contract from the approval on (not the internal drafts and reviews).
CLIENT_VISIBLE = (ContractState.APPROVED, ContractState.SIGNED, ContractState.ARCHIVED)
