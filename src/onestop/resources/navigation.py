"""Menu entries of the resources chapter (RES-1..3)."""

from django.utils.translation import gettext_lazy as _

from onestop.core.navigation import MenuItem, register
from onestop.core.roles import Role

STAFF = (
    Role.TECHNICIAN,
    Role.PROJECT_LEAD,
    Role.REVIEWER,
    Role.QUALITY,
    Role.ARCHIVE,
    Role.CUSTOMER_SERVICE,
)

register(
    "resources",
    MenuItem(
        _("Technical documents"),
        "resources:technicaldocument_list",
        "file-earmark-text",
        "resources.view_technicaldocument",
        roles=(Role.TECHNICIAN, Role.PROJECT_LEAD, Role.REVIEWER, Role.QUALITY, Role.ARCHIVE),
    ),
    MenuItem(
        _("Document types and templates"),
        "resources:documenttype_list",
        "file-earmark-ruled",
        "resources.view_documenttype",
        roles=(Role.QUALITY, Role.ARCHIVE, Role.PROJECT_LEAD),
    ),
    MenuItem(
        _("Knowledge base"),
        "resources:article_list",
        "journal-richtext",
        "resources.view_article",
        roles=STAFF,
    ),
    MenuItem(
        _("Search the knowledge base"),
        "resources:knowledge_search",
        "search",
        "resources.view_article",
        roles=STAFF,
    ),
    MenuItem(
        _("Tools and equipment"), "resources:equipment_list", "tools", "resources.view_equipment", roles=STAFF
    ),
)
