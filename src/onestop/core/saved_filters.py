"""Saved filters (issue 11 §2): a user keeps a list's search, filters and sort under a name and
finds it again as a link in that list's filter bar.

A saved filter is its owner's alone (``SavedFilter.objects.visible_to``: another user's answers
404, on the pages and in the API). What is saved is only what the list understands
(core/listing.py ``list_parameters``): a crafted query string saves as the filters it really
sets, nothing more. ``save_filter`` and ``delete_filter`` are the one way either happens, for the
filter bar's forms and for ``/api/saved-filters/``.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.core.exceptions import DomainError
from onestop.core.listing import list_parameters
from onestop.core.models import SavedFilter

NAME_LENGTH: int = SavedFilter._meta.get_field("name").max_length or 100
QUERY_LENGTH: int = SavedFilter._meta.get_field("query").max_length or 1000


def list_viewset(list_key: str, user):
    """The ``ObjectViews`` of the list named ``list_key`` (a model's label), when it has a list
    page this user may open; otherwise a refusal naming the field."""
    from onestop.core.views import viewset_for  # noqa: PLC0415 — cycle: core.views imports this module at load

    try:
        model = apps.get_model(list_key)
    except (LookupError, ValueError):
        model = None
    viewset = viewset_for(model) if model is not None else None
    if model is None or viewset is None or not viewset.allow_list:
        raise DomainError(_("There is no such list."), field="list_key")
    opts = model._meta
    if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        raise DomainError(_("There is no such list."), field="list_key")
    return viewset


def of_list(user, list_key: str) -> list[SavedFilter]:
    """The user's saved filters of one list, by name (one query)."""
    return list(SavedFilter.objects.visible_to(user).filter(list_key=list_key).order_by("name", "pk"))


def save_filter(*, actor, list_key: str, name: str, query: str, request=None) -> SavedFilter:
    """Save (or, under a name already used for this list, replace) the user's filter of a list."""
    viewset = list_viewset(list_key, actor)
    name = " ".join(str(name or "").split())
    if not name:
        raise DomainError(_("Give the filter a name."), field="name")
    if len(name) > NAME_LENGTH:
        raise DomainError(
            _("A filter's name has at most %(length)s characters.") % {"length": NAME_LENGTH}, field="name"
        )
    cleaned = list_parameters(viewset, query, request).urlencode()
    if len(cleaned) > QUERY_LENGTH:
        raise DomainError(_("These filters are too long to save; use fewer of them."), field="query")
    mine = SavedFilter.objects.visible_to(actor)
    with transaction.atomic():
        existing = mine.filter(list_key=viewset.model._meta.label_lower, name=name).first()
        if existing is not None:
            existing.query = cleaned
            existing.save(update_fields=["query", "updated_at"])
            return existing
        if mine.count() >= SavedFilter.LIMIT_PER_USER:
            raise DomainError(
                _("You have %(limit)s saved filters, the most one person may keep; delete one first.")
                % {"limit": SavedFilter.LIMIT_PER_USER},
                field="name",
            )
        try:
            with transaction.atomic():
                return SavedFilter.objects.create(
                    user=actor, list_key=viewset.model._meta.label_lower, name=name, query=cleaned
                )
        except IntegrityError:  # the same name saved at the same moment (another tab)
            raise DomainError(
                _("You already have a filter named “%(name)s” for this list.") % {"name": name}, field="name"
            ) from None


def delete_filter(saved: SavedFilter, *, actor) -> None:
    if saved.user_id != actor.pk:
        raise Http404  # another user's filter is not there
    saved.delete()


# --- the filter bar's forms -------------------------------------------------------------------


def _list_url(list_key: str, query: str = "") -> str:
    app_label, model_name = list_key.split(".", 1)
    url = reverse(f"{app_label}:{model_name}_list")
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def save_view(request, list_key):
    """Save the list's current filters under the name typed; back to the list either way."""
    query = request.POST.get("query", "")
    try:
        saved = save_filter(
            actor=request.user,
            list_key=list_key,
            name=request.POST.get("name", ""),
            query=query,
            request=request,
        )
    except DomainError as error:
        if error.field == "list_key":
            raise Http404 from None
        messages.error(request, error.message)
        viewset = list_viewset(list_key, request.user)
        return HttpResponseRedirect(_list_url(list_key, list_parameters(viewset, query, request).urlencode()))
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    return HttpResponseRedirect(saved.get_absolute_url())


@login_required
@require_POST
def delete_view(request, pk):
    saved = get_object_or_404(SavedFilter.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm("core.delete_savedfilter", saved):
        raise PermissionDenied
    delete_filter(saved, actor=request.user)
    messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    return HttpResponseRedirect(_list_url(saved.list_key))
