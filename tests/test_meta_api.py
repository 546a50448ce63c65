"""Every action a record's page offers has an API twin (SPEC X-8: an API for everything the pages do).

The page side is read from the code's own registry: every ``RecordAction`` (and ``record_action``)
on an ``ObjectViews`` (core/views.py ``actions``). The API side is the root router's registry:
each viewset's model and its extra actions (``service_action`` and ``@action``, core/api.py). A page
action's twin is, by default, an action of the same name on a viewset of the same model
(``legal-review`` ↔ ``POST /api/contracts/<id>/legal-review/``). The few that are named or placed
differently are listed in ``TWINS``, and an action that truly has no sense in the API in
``PAGE_ONLY``, each with the reason; both lists are checked for stale entries too.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import get_resolver

from onestop.core.views import all_viewsets

# (model label, page action name) → [(router prefix, twin)], where twin is the url_path of an
# extra action, or "POST" / "DELETE" for the collection's create / the row's delete.
TWINS: dict[tuple[str, str], list[tuple[str, str]]] = {
    # The page's one "decide" form approves or rejects; the API has a verb for each.
    ("coordination.changerequest", "decide"): [("change-requests", "approve"), ("change-requests", "reject")],
    # The page's "answer" form approves or declines the request; the API has a verb for each.
    ("coordination.resourcerequest", "answer"): [
        ("resource-requests", "approve"),
        ("resource-requests", "decline"),
    ],
    # Feedback on a sent report is a row of its own: POST /api/client-feedback/ (same service).
    ("coordination.clientreport", "feedback"): [("client-feedback", "POST")],
    # The acceptance team and checklist are rows with their own endpoints (ACC-2).
    ("acceptance.acceptanceround", "team-remove"): [("acceptance-team-members", "DELETE")],
    ("acceptance.acceptanceround", "checklist"): [("acceptance-rounds", "checklist-items")],
    ("acceptance.acceptanceround", "checklist-tick"): [("acceptance-checklist-items", "tick")],
    ("acceptance.acceptanceround", "checklist-skip"): [("acceptance-rounds", "skip-checklist")],
    ("acceptance.acceptanceround", "report-withdraw"): [("acceptance-rounds", "withdraw-report")],
    # The page's button says "close"; the API names the transition it runs.
    ("feedback.complaint", "close"): [("feedback/complaints", "close-unconfirmed")],
}

# (model label, page action name) → why the API has no twin. Empty today: every page action
# has one. An entry needs a reason an integrator would accept (e.g. a page that only chooses
# between other actions), not "not done yet".
PAGE_ONLY: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class PageAction:
    model: str  # app_label.model_name
    name: str  # the URL segment, e.g. "legal-review"


def onestop_viewsets() -> list:
    """The project's ObjectViews (the test suite's own sample app has its API in tests/urls.py)."""
    get_resolver().url_patterns  # loads every app's urls.py, which declares its ObjectViews
    return [views for views in all_viewsets() if views.model._meta.app_config.name.startswith("onestop.")]


def page_actions() -> list[PageAction]:
    return sorted(
        {
            PageAction(action.model._meta.label_lower, action.name)
            for views in onestop_viewsets()
            for action in views.actions
        },
        key=lambda a: (a.model, a.name),
    )


def api_routes() -> dict[str, tuple[str | None, set[str]]]:
    """Router prefix → (model label or None, the twins it offers: extra actions' url_paths by
    url_path and handler name, plus "POST"/"DELETE" when it creates / deletes rows)."""
    from onestop.urls import router

    routes = {}
    for prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        model = queryset.model._meta.label_lower if queryset is not None else None
        offered = set()
        for extra in viewset.get_extra_actions():
            offered |= {extra.url_path, extra.__name__}
        methods = set(getattr(viewset, "http_method_names", ()))
        if hasattr(viewset, "create") and "post" in methods:
            offered.add("POST")
        if hasattr(viewset, "destroy") and "delete" in methods:
            offered.add("DELETE")
        routes[prefix] = (model, offered)
    return routes


def missing_twins(actions, routes, twins, page_only) -> list[str]:
    """The page actions that have no API twin, as readable lines (empty: all have one)."""
    missing = []
    for action in actions:
        key = (action.model, action.name)
        if key in page_only:
            continue
        if key in twins:
            for prefix, twin in twins[key]:
                if prefix not in routes or twin not in routes[prefix][1]:
                    missing.append(
                        f"{action.model} {action.name}: the listed twin {prefix} {twin} is not there"
                    )
            continue
        underscored = action.name.replace("-", "_")
        if not any(
            model == action.model and (action.name in offered or underscored in offered)
            for model, offered in routes.values()
        ):
            missing.append(f"{action.model} {action.name}: no API action of that name on its viewset")
    return missing


def test_every_page_action_has_an_api_twin():
    missing = missing_twins(page_actions(), api_routes(), TWINS, PAGE_ONLY)
    assert not missing, (
        "page actions without an API twin (add a service_action, or list it here):\n" + "\n".join(missing)
    )


def test_the_comparison_sees_the_page_actions_and_the_api_actions():
    # A registry read wrongly (nothing loaded) would make the test above pass vacuously.
    actions = page_actions()
    assert PageAction("contracts.contract", "legal-review") in actions
    assert len(actions) >= 40
    routes = api_routes()
    assert routes["contracts"] == ("contracts.contract", routes["contracts"][1])
    assert "legal-review" in routes["contracts"][1]


def test_it_reports_a_page_action_without_a_twin():
    actions = [PageAction("contracts.contract", "legal-review"), PageAction("contracts.contract", "shred")]
    assert missing_twins(actions, api_routes(), TWINS, PAGE_ONLY) == [
        "contracts.contract shred: no API action of that name on its viewset"
    ]
    renamed = {("contracts.contract", "shred"): [("contracts", "shred-now")]}
    assert missing_twins(actions, api_routes(), renamed, PAGE_ONLY) == [
        "contracts.contract shred: the listed twin contracts shred-now is not there"
    ]
    assert missing_twins(actions, api_routes(), TWINS, {("contracts.contract", "shred"): "why"}) == []


@pytest.mark.parametrize("listing", [TWINS, PAGE_ONLY], ids=["twins", "page-only"])
def test_every_listed_exception_is_still_a_page_action(listing):
    present = {(a.model, a.name) for a in page_actions()}
    stale = sorted(set(listing) - present)
    assert not stale, f"listed but no longer a page action (remove from the list): {stale}"
