from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

register(
    "contracts",
    MenuItem(
        _("Service contracts"),
        "contracts:contract_list",
        "file-earmark-text",
        "contracts.view_contract",
        roles=(Role.LEGAL, Role.ARCHIVE, Role.FINANCE, Role.PROJECT_LEAD, Role.CLIENT),
    ),
    MenuItem(_("Draft a contract"), "contracts:contract_add", "plus-circle", "contracts.add_contract"),
    MenuItem(
        _("Contract templates"),
        "contracts:contracttemplate_list",
        "file-earmark-ruled",
        "contracts.view_contracttemplate",
        roles=(Role.LEGAL,),
    ),
    MenuItem(
        _("Signing authorizations"),
        "contracts:signingauthorization_list",
        "pen",
        "contracts.view_signingauthorization",
        roles=(Role.LEGAL,),
    ),
)
