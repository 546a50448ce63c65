"""Markdown of knowledge articles, rendered and then sanitised (RES-2).

markdown-it-py renders CommonMark with tables; raw HTML in the source is not passed through
(``html=False``) and nh3 (ammonia) cleans the result once more, so an article can never carry a
script, a style or an event handler into a colleague's browser.
"""

from __future__ import annotations

import html

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

TAGS = {
    "a", "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "img", "del",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}


def render(text: str) -> SafeString:
    html = _MARKDOWN.render(text or "")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 — sanitised by nh3 just now


def plain(text: str) -> str:
    """The words of the Markdown ``text`` without its markup (for search snippets)."""
    return html.unescape(nh3.clean(_MARKDOWN.render(text or ""), tags=set()))
