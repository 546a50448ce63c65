"""The navigation, grouped by the chapters of the policy and filtered by permission.

Apps register their entries from ``AppConfig.ready``; a chapter with no entry the
user may open is not shown, so a role sees only what its job needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    icon: str
    permission: str | None = None  # a permission codename; None: any logged-in user

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
