"""Menu entries of this app (core.navigation.register)."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

register(
    "settlement",
    MenuItem(
        _("Fee settlements"),
        "settlement:settlement_list",
        "cash-coin",
        "settlement.view_settlement",
        roles=(Role.FINANCE, Role.PROJECT_LEAD, Role.CLIENT),
    ),
    MenuItem(
        _("Apply for settlement"), "settlement:settlement_add", "plus-circle", "settlement.add_settlement"
    ),
    MenuItem(
        _("Payments"),
        "settlement:payment_list",
        "wallet2",
        "settlement.view_payment",
        roles=(Role.FINANCE, Role.CLIENT),
    ),
    MenuItem(_("Receivables ageing"), "settlement:ageing", "hourglass-split", "settlement.export_payment"),
    MenuItem(
        _("Ledger export"), "settlement:ledger", "file-earmark-spreadsheet", "settlement.export_payment"
    ),
    MenuItem(
        _("Write-offs"),
        "settlement:writeoff_list",
        "x-octagon",
        "settlement.view_writeoff",
        roles=(Role.FINANCE,),
    ),
)
