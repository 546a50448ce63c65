"""Generic list / detail / create / edit / delete / history views, declared per model.

A model's pages are a few lines in its app's views.py::

    class ClientOrganizationViews(ObjectViews):
        model = ClientOrganization
        filterset_class = ClientOrganizationFilterSet
        form_class = ClientOrganizationForm
        columns = [Column("code", link=True), Column("name", link=True), Column("city")]

    urlpatterns = ClientOrganizationViews.urls()

A record's page grows through two hooks, never by overriding ``urls()``:

- ``actions``: the ``RecordAction``s of its page (core/actions.py): each gets its route, and
  the page gets ``actions`` (what the user may do now: the allowed transitions and the
  offered actions) and ``forms`` (each offered action's form, bound with the user's input
  again when the action was refused);
- ``detail_context(request, obj)``: whatever else the page's template needs.

Every view starts from ``Model.objects.visible_to(user)`` and asks the model's
`rules` permissions, so the UI, the API and the tests share one access check:
no permission for the kind of record answers 403, a record outside the user's
reach answers 404 exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import ForeignKey
from django.forms import ModelForm
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View

from onestop.core import list_export, saved_filters, services
from onestop.core.actions import RecordAction
from onestop.core.display import display_value, field_label, format_value, model_field
from onestop.core.exceptions import DomainError
from onestop.core.forms import bootstrapify
from onestop.core.listing import PAGE_SIZES, list_parameters, list_rows
from onestop.core.pagination import CappedPaginator
from onestop.core.workflow import AllowedActions, WorkflowModel, allowed_actions


@dataclass
class Column:
    """One column of a list table."""

    name: str
    label: str | None = None
    sort: str | bool | None = True  # True: sort by the field itself; a string: by that lookup
    link: bool = False

    def bind(self, model) -> Column:
        label = self.label or field_label(model, self.name)
        sort = self.sort
        if sort is True:
            sort = self.name if model_field(model, self.name) is not None else None
        return Column(self.name, str(label), sort or None, self.link)

    def render(self, obj):
        value = display_value(obj, self.name)
        if self.link:
            return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), value)
        return value


@dataclass
class RelatedTable:
    """A table of related rows on a detail page (e.g. an organisation's contacts)."""

    accessor: str
    columns: list[Column]
    title: str | None = None
    add_url_param: str | None = None  # prefill this field when adding from the detail page


_VIEWSETS: dict = {}


def viewset_for(model):
    """The ``ObjectViews`` that shows ``model``'s pages (None when it has none)."""
    return _VIEWSETS.get(model)


def all_viewsets() -> list:
    """Every ``ObjectViews`` declared so far (all of them once the URL conf is loaded)."""
    return list(_VIEWSETS.values())


class ObjectViews:
    """Declares the pages of one model; subclasses set the attributes below."""

    model: Any = None  # the model class; every subclass names one
    filterset_class = None
    form_class = None
    columns: list[Column] = []
    detail_fields: list[str] = []
    related_tables: list[RelatedTable] = []
    list_select_related: tuple[str, ...] = ()
    list_prefetch_related: tuple[str, ...] = ()
    detail_select_related: tuple[str, ...] = ()
    default_sort: str | None = None
    detail_template = "core/object_detail.html"
    list_template = "core/object_list.html"  # a page may extend it (e.g. a List | Board toggle)
    form_template = "core/object_form.html"
    add_form_class = None  # a different form for creating (e.g. a quick-entry form); default form_class
    icon = "table"
    allow_delete = True
    allow_add = True
    allow_list = True  # False: the records are reached only from another page (no list route)
    actions: list[RecordAction] = []

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is not None:
            _VIEWSETS[cls.model] = cls
            cls.actions = [action.bind(cls.model) for action in cls.actions]

    @classmethod
    def save(cls, form, *, actor, request, obj=None):
        """Write a valid form; a model whose creation is a use case calls its service here."""
        return services.save_form(form, actor=actor)

    @classmethod
    def prepare_page(cls, request, objects) -> None:
        """Work out, for the rows of one list page at once, what their columns show beyond their
        fields (a fixed number of queries, whatever the page size)."""

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        """What the record's page needs beyond its fields, related tables, actions and forms.

        ``bound_forms`` holds the form of an action just refused (by its key), so a page that
        builds further forms here shows that one, with the user's input, instead of a blank one.
        """
        return {}

    @classmethod
    def detail_response(cls, request, obj, *, bound_forms=None, status=200):
        """The record's page, e.g. again after a refused action with the user's input kept."""
        view = ObjectDetailView(viewset=cls)
        view.setup(request, pk=obj.pk)
        view.model, view.opts = cls.model, cls.model._meta
        return view.render_detail(obj, bound_forms=bound_forms or {}, status=status)

    @classmethod
    def action_urls(cls) -> list:
        name = cls.model._meta.model_name
        return [
            path(
                f"{name}s/<int:pk>/{action.route or action.name + '/'}",
                action.view,
                name=f"{name}_{action.key}",
            )
            for action in cls.actions
        ]

    @classmethod
    def urls(cls) -> list:
        name = cls.model._meta.model_name
        patterns = [
            path(f"{name}s/<int:pk>/", ObjectDetailView.as_view(viewset=cls), name=f"{name}_detail"),
            path(f"{name}s/<int:pk>/edit/", ObjectEditView.as_view(viewset=cls), name=f"{name}_edit"),
            path(
                f"{name}s/<int:pk>/history/", ObjectHistoryView.as_view(viewset=cls), name=f"{name}_history"
            ),
        ]
        if cls.allow_list:
            patterns.append(path(f"{name}s/", ObjectListView.as_view(viewset=cls), name=f"{name}_list"))
        if cls.allow_add:
            patterns.append(path(f"{name}s/add/", ObjectEditView.as_view(viewset=cls), name=f"{name}_add"))
        if cls.allow_delete:
            patterns.append(
                path(
                    f"{name}s/<int:pk>/delete/", ObjectDeleteView.as_view(viewset=cls), name=f"{name}_delete"
                )
            )
        return [*patterns, *cls.action_urls()]


class ObjectView(View):
    """Authentication, permission and scoping shared by every generic view."""

    # as_view(viewset=...) always sets it; the class attribute must exist for as_view to accept it.
    viewset: type[ObjectViews] = None  # type: ignore[assignment]
    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.model = self.viewset.model
        self.opts = self.model._meta
        return super().dispatch(request, *args, **kwargs)

    def perm(self, action: str) -> str:
        return f"{self.opts.app_label}.{action}_{self.opts.model_name}"

    def require(self, action: str, obj=None) -> None:
        if not self.request.user.has_perm(self.perm(action), obj):
            raise PermissionDenied

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_object(self):
        queryset = self.get_queryset().select_related(*self.viewset.detail_select_related)
        obj = get_object_or_404(queryset, pk=self.kwargs["pk"])
        # A record the scope lets through but the rule refuses is still "not there".
        if not self.request.user.has_perm(self.perm("view"), obj):
            raise_not_found()
        return obj

    def base_context(self, **extra):
        user = self.request.user
        context = {
            "opts": self.opts,
            "viewset": self.viewset,
            "model_name": capfirst(str(self.opts.verbose_name)),
            "model_name_plural": capfirst(str(self.opts.verbose_name_plural)),
            "list_url": reverse(self.model.url_name("list")) if self.viewset.allow_list else "",
            "can_add": self.viewset.allow_add and user.has_perm(self.perm("add")),
            "icon": self.viewset.icon,
        }
        context.update(extra)
        return context


def raise_not_found():
    raise Http404


# --- transitional: the old per-app action helpers, until every app uses RecordAction ----------


def action_done(request, record, message: str, anchor: str = ""):
    messages.success(request, message)
    return HttpResponseRedirect(record.get_absolute_url() + anchor)


def action_refused(request, record, error: DomainError):
    messages.error(request, error.message)
    return HttpResponseRedirect(record.get_absolute_url())


class ObjectListView(ObjectView):
    """The list page; with ``?export=xlsx`` or ``?export=csv`` the same rows as a file
    (core/list_export.py)."""

    def may_export(self) -> bool:
        # Whoever may open the list may download it, unless the model has its own "export"
        # rule (payments: finance and management only, like the ledger).
        name = self.perm("export")
        return not rules.perm_exists(name) or self.request.user.has_perm(name)

    def get(self, request):
        self.require("view")
        viewset = self.viewset
        export = request.GET.get("export", "")
        if export:
            if export not in list_export.FORMATS:
                raise_not_found()
            if not self.may_export():
                raise PermissionDenied
            return list_export.export_response(viewset, request, export)
        listed = list_rows(viewset, request)
        columns, queryset, filterset, sort = listed.columns, listed.queryset, listed.filterset, listed.sort

        try:
            per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
        except ValueError:
            per_page = PAGE_SIZES[0]
        per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
        paginator = CappedPaginator(queryset, per_page)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)  # one query; the rows below are these objects
        viewset.prepare_page(request, page.object_list)
        rows = [(obj, [column.render(obj) for column in columns]) for obj in page.object_list]

        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        context = self.base_context(
            columns=columns,
            rows=rows,
            page=page,
            paginator=paginator,
            filterset=filterset,
            sort=sort,
            per_page=per_page,
            page_sizes=PAGE_SIZES,
            querystring=query.urlencode(),
            sort_querystring=sort_query.urlencode(),
            can_export=self.may_export(),
            list_key=self.opts.label_lower,
            saved_filters=saved_filters.of_list(request.user, self.opts.label_lower),
            saved_query=list_parameters(viewset, request.GET, request).urlencode(),
            filtered=bool(
                filterset is not None
                and filterset.is_bound
                and any(request.GET.get(k) for k in filterset.form.fields)
            ),
        )
        template = (
            "core/_object_table.html" if request.htmx and not request.htmx.boosted else viewset.list_template
        )
        return render(request, template, context)


class ObjectDetailView(ObjectView):
    def get(self, request, pk):
        return self.render_detail(self.get_object())

    def render_detail(self, obj, *, bound_forms=None, status=200):
        request = self.request
        user = request.user
        fields = [
            (field_label(self.model, name), display_value(obj, name)) for name in self.viewset.detail_fields
        ]
        related = []
        for table in self.viewset.related_tables:
            manager = getattr(obj, table.accessor)
            related_model = manager.model
            columns = [column.bind(related_model) for column in table.columns]
            items = (
                list(manager.visible_to(user)[:50])
                if hasattr(manager, "visible_to")
                else list(manager.all()[:50])
            )
            add_url = ""
            if table.add_url_param and user.has_perm(
                f"{related_model._meta.app_label}.add_{related_model._meta.model_name}"
            ):
                add_url = f"{reverse(related_model.url_name('add'))}?{table.add_url_param}={obj.pk}"
            related.append(
                {
                    "title": table.title or capfirst(str(related_model._meta.verbose_name_plural)),
                    "columns": columns,
                    "rows": [(item, [column.render(item) for column in columns]) for item in items],
                    "add_url": add_url,
                }
            )
        allowed = allowed_actions(obj, user) if isinstance(obj, WorkflowModel) else AllowedActions()
        action_forms = {}
        for action in self.viewset.actions:
            if not action.available(obj, user, allowed):
                continue
            allowed.add(action.key)
            # A button that cannot succeed shows disabled with the reason (issue 11 §4).
            reason = action.reason(obj, user, allowed)
            if reason:
                allowed.blocked[action.key] = reason
            if action.form is not None:
                form = (bound_forms or {}).get(action.key) or action.make_form(obj, user)
                if reason:
                    action.mark_blocked(form, reason)
                action_forms[action.key] = bootstrapify(form)
        context = self.base_context(
            object=obj,
            fields=fields,
            related=related,
            tab="detail",
            can_change=user.has_perm(self.perm("change"), obj),
            can_delete=self.viewset.allow_delete and user.has_perm(self.perm("delete"), obj),
            is_workflow=isinstance(obj, WorkflowModel),
            actions=allowed,
            forms=action_forms,
            State=getattr(self.model, "State", None),
        )
        context.update(self.viewset.detail_context(request, obj, bound_forms or {}))
        return render(request, self.viewset.detail_template, context, status=status)


class ObjectEditView(ObjectView):
    """Create (no pk) or edit (pk) one record through the model's form."""

    def setup_object(self):
        if "pk" in self.kwargs:
            self.require("change")
            obj = self.get_object()
            self.require("change", obj)
            return obj
        self.require("add")
        return None

    def form_class(self, obj):
        if obj is None and self.viewset.add_form_class is not None:
            return self.viewset.add_form_class
        return self.viewset.form_class

    def form_kwargs(self, obj):
        form_class = self.form_class(obj)
        kwargs = {"user": self.request.user}
        if issubclass(form_class, ModelForm):
            kwargs["instance"] = obj
        if obj is None:
            kwargs["initial"] = {
                key: value for key, value in self.request.GET.items() if key in form_class.base_fields
            }
        return kwargs

    def get(self, request, pk=None):
        obj = self.setup_object()
        form = self.form_class(obj)(**self.form_kwargs(obj))
        return self.render_form(form, obj)

    def post(self, request, pk=None):
        obj = self.setup_object()
        form = self.form_class(obj)(data=request.POST, files=request.FILES, **self.form_kwargs(obj))
        if form.is_valid():
            try:
                saved = self.viewset.save(form, actor=request.user, request=request, obj=obj)
            except DomainError as exc:
                form.add_error(exc.field, exc.message)
            else:
                if obj is None:
                    messages.success(
                        request,
                        _("%(model)s “%(obj)s” was created.")
                        % {"model": capfirst(str(self.opts.verbose_name)), "obj": saved},
                    )
                else:
                    messages.success(request, _("Changes to “%(obj)s” were saved.") % {"obj": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
        return self.render_form(form, obj, status=400)

    def render_form(self, form, obj, status=200):
        bootstrapify(form)
        context = self.base_context(
            object=obj,
            form=form,
            cancel_url=obj.get_absolute_url() if obj else reverse(self.model.url_name("list")),
        )
        return render(self.request, self.viewset.form_template, context, status=status)


class ObjectDeleteView(ObjectView):
    def setup_object(self):
        self.require("delete")
        obj = self.get_object()
        self.require("delete", obj)
        return obj

    def get(self, request, pk):
        obj = self.setup_object()
        return render(request, "core/object_confirm_delete.html", self.base_context(object=obj))

    def post(self, request, pk):
        obj = self.setup_object()
        try:
            services.delete_instance(obj, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("“%(obj)s” was deleted.") % {"obj": obj})
        return HttpResponseRedirect(reverse(self.model.url_name("list")))


class ObjectHistoryView(ObjectView):
    """Who changed what and when, newest first, with each change's before and after."""

    def get(self, request, pk):
        obj = self.get_object()
        if request.user.client_organization_id is not None:
            # The audit trail names colleagues and internal notes; clients follow the timeline.
            raise_not_found()
        records = obj.history.select_related("history_user").order_by("-history_date", "-history_id")
        paginator = CappedPaginator(records, 25)
        page = paginator.get_page(request.GET.get("page"))
        page_records = list(page.object_list)
        # The record just older than this page is needed to diff the page's last entry.
        older = None
        if page_records:
            last = page_records[-1]
            older = (
                obj.history.filter(history_date__lte=last.history_date)
                .exclude(history_id=last.history_id)
                .order_by("-history_date", "-history_id")
                .first()
            )
        entries = history_entries(self.model, page_records, older)
        context = self.base_context(
            object=obj, entries=entries, page=page, paginator=paginator, tab="history"
        )
        return render(request, "core/object_history.html", context)


HISTORY_EXCLUDED = {"created_at", "updated_at", "password", "last_login"}


def history_entries(model, records, older):
    """Pair each history record with its predecessor and describe the differences."""
    chain = [*records, older]
    entries, related_ids = [], {}
    excluded = [name for name in HISTORY_EXCLUDED if model_field(model, name)]
    for record, previous in zip(records, chain[1:], strict=False):
        changes = []
        if record.history_type == "~" and previous is not None:
            for change in record.diff_against(previous, excluded_fields=excluded).changes:
                field = model_field(model, change.field)
                if field is None:
                    continue
                old, new = change.old, change.new
                if field.many_to_many:
                    # Tracked many-to-many values are lists of through-row dicts.
                    key = field.related_model._meta.model_name
                    old = [row[key] for row in old or []]
                    new = [row[key] for row in new or []]
                    related_ids.setdefault(field.related_model, set()).update(old, new)
                elif isinstance(field, ForeignKey):
                    related_ids.setdefault(field.related_model, set()).update({old, new} - {None})
                changes.append([field, old, new])
        entries.append({"record": record, "changes": changes})
    # Resolve related rows in one query per related model rather than one per change.
    resolved = {m: m._base_manager.in_bulk(ids) for m, ids in related_ids.items()}
    for entry in entries:
        rows = []
        for field, old, new in entry["changes"]:
            if field.many_to_many or isinstance(field, ForeignKey):
                lookup = resolved.get(field.related_model, {})
                if field.many_to_many:
                    old = "、".join(str(format_value(lookup.get(pk, pk))) for pk in old) or None
                    new = "、".join(str(format_value(lookup.get(pk, pk))) for pk in new) or None
                else:
                    old, new = lookup.get(old, old), lookup.get(new, new)
            label = capfirst(str(field.verbose_name))
            rows.append({"label": label, "old": format_value(old, field), "new": format_value(new, field)})
        entry["changes"] = rows
    return entries
