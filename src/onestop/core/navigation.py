"""The navigation, grouped by the chapters of the policy and filtered by permission.

Apps register their entries from ``AppConfig.ready``; a chapter with no entry the
user may open is not shown, so a role sees only what its job needs (issue 11 §3): an entry
shows when the user has its permission and, for an entry that names the ``roles`` whose job it
serves, one of those roles. Management and system administrators see every entry they may
open; hiding an entry hides a menu line, never a record (links and search still lead to what
the user may see).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onestop.core.roles import Role

# They see every menu entry they have the permission for: management oversees the work of every
# role, the system administrator configures it.
OVERSEERS = (Role.MANAGEMENT, Role.SYSTEM_ADMIN)


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    icon: str
    permission: str | None = None  # a permission codename; None: any logged-in user
    roles: tuple[str, ...] | None = None  # the roles whose job uses it; None: everyone permitted

    def serves(self, user) -> bool:
        if self.roles is None or user.client_organization_id is not None:
            return self.roles is None or Role.CLIENT in self.roles
        return any(user.has_role(role) for role in (*self.roles, *OVERSEERS))

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


@dataclass
class Chapter:
    key: str
    label: str | Promise
    icon: str
    items: list[MenuItem] = field(default_factory=list)


# The order and titles follow 一站式技術服務管理制度; later stages add their entries.
CHAPTERS: dict[str, Chapter] = {
    chapter.key: chapter
    for chapter in [
        Chapter("intake", _("Service intake"), "telephone-inbound"),
        Chapter("plans", _("Service plans"), "journal-text"),
        Chapter("contracts", _("Contracts"), "file-earmark-text"),
        Chapter("projects", _("Projects"), "kanban"),
        Chapter("quality", _("Quality monitoring"), "clipboard-check"),
        Chapter("acceptance", _("Acceptance"), "patch-check"),
        Chapter("settlement", _("Fee settlement"), "cash-coin"),
        Chapter("people", _("People"), "people"),
        Chapter("resources", _("Resources"), "tools"),
        Chapter("risks", _("Risk"), "exclamation-triangle"),
        Chapter("organisation", _("Organisation"), "diagram-3"),
        Chapter("system", _("System"), "gear"),
    ]
}


def register(chapter: str, *items: MenuItem) -> None:
    for item in items:
        if item not in CHAPTERS[chapter].items:
            CHAPTERS[chapter].items.append(item)


def menu_for(user, current_path: str = "") -> list[dict]:
    """The chapters and entries ``user`` may open, with the active entry marked."""
    if not getattr(user, "is_authenticated", False):
        return []
    menu: list[dict[str, Any]] = []
    for chapter in CHAPTERS.values():
        entries: list[dict[str, Any]] = []
        for item in chapter.items:
            if item.permission and not user.has_perm(item.permission):
                continue
            if not item.serves(user):
                continue
            url = item.url
            if url:
                entries.append({"label": item.label, "url": url, "icon": item.icon, "active": False})
        if entries:
            menu.append({"key": chapter.key, "label": chapter.label, "icon": chapter.icon, "items": entries})
    # The entry whose address is the longest prefix of the current page is the active one.
    candidates = [
        entry
        for chapter in menu
        for entry in chapter["items"]
        if current_path.startswith(entry["url"]) and entry["url"] != "/"
    ]
    if candidates:
        max(candidates, key=lambda entry: len(entry["url"]))["active"] = True
    for section in menu:
        section["active"] = any(entry["active"] for entry in section["items"])
    return menu
