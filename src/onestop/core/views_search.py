"""The global search page and the header's drop-down (core/search.py does the finding)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onestop.core.search import PAGE, PREVIEW, QUERY_MAX, search


@login_required
@require_GET
def search_page(request):
    words = " ".join(request.GET.get("q", "").split())
    # The header's box asks for a short preview as the user types (htmx); Enter opens the page.
    preview = request.GET.get("preview") == "1"
    context = {
        "q": words,
        "too_long": len(words) > QUERY_MAX,
        "query_max": QUERY_MAX,
        "groups": search(request.user, words, per_kind=PREVIEW if preview else PAGE),
    }
    status = 400 if context["too_long"] else 200
    template = "core/search_preview.html" if preview else "core/search.html"
    return render(request, template, context, status=status)
