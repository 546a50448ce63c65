"""The states of a fee settlement (FEE-1..2) and the directions of a payment (FEE-3), for
models, rules, services and templates."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.contracts.states import ContractState


class SettlementState(models.TextChoices):
    DRAFT = "draft", _("Being filled in")
    SUBMITTED = "submitted", _("Submitted to finance")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved by finance")


class PaymentDirection(models.TextChoices):
    RECEIVED = "received", _("Received from the client")
    REFUND = "refund", _("Paid out: refund to the client")
    SUBCONTRACTOR = "subcontractor", _("Paid out: subcontractor")
    OTHER_OUT = "other_out", _("Paid out: other")


# The application (its invoice and fee items) is changed by the lead while being filled in or
# after finance returned it.
EDITABLE = (SettlementState.DRAFT, SettlementState.RETURNED)
# A client sees its organisation's settlements once finance approved them.
CLIENT_VISIBLE = (SettlementState.APPROVED,)
# Payments, write-offs and receivables concern contracts in force: signed (and archived).
CONTRACTS_IN_FORCE = (ContractState.SIGNED, ContractState.ARCHIVED)
