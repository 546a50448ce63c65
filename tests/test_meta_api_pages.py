"""Every page that is not a record's generic page or action has an API twin too (SPEC X-8).

tests/test_meta_api.py covers the record pages' ``RecordAction``s. This covers the rest of the
URL conf: the pages written as plain functions or classes (the inbox, the chat, the analysis and
ledger pages, the forms' PDFs and signing, attachments, comments, the profile…). The page side is
read from the root URL conf, leaving out ``api/``, ``admin/``, the generic object views
(``ObjectViews``: list, detail, edit, history, delete) and the ``RecordAction`` views; the API
side is the ``api`` namespace of the same URL conf. Each page route is in exactly one table:

- ``PAGE_TWINS``: the API routes that offer the page's data or action;
- ``PAGE_ONLY``: the page has no sense in the API, with the reason;
- ``PAGE_MISSING``: the API should offer it and does not yet — a debt register, not a waiver:
  it may only shrink (``MISSING_CEILING``).

A route missing from all three, a name no longer routed, or a twin the API does not have fails.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from onestop import urls as root
from onestop.core.actions import RecordAction
from onestop.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
)

GENERIC_VIEWS = (ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView, ObjectDeleteView)

# page url name → the API url names (namespace ``api``) that offer the same data or action.
PAGE_TWINS: dict[str, list[str]] = {
    # My work: the same items (core.work.work_for), each with its page's address.
    "home": ["api:my-work"],
    # The global search (page and header drop-down): the same search, only what the user may see.
    "search": ["api:search"],
    # The profile: GET/PATCH /api/me/ (the same form and service), and one's own security events.
    "profile": ["api:me", "api:securityevent-list"],
    "regenerate_token": ["api:token"],
    "end_other_sessions": ["api:end-other-sessions"],
    "accounts:clientorganization_export": ["api:clientorganization-export"],
    # The inbox: the list, opening one (marks it read), and "mark all as read".
    "notifications:inbox": ["api:notification-list"],
    "notifications:open": ["api:notification-detail", "api:notification-read"],
    "notifications:read_all": ["api:notification-read-all"],
    # The engagement's chat (GET lists, POST posts) and starting a chat as a new enquiry.
    "engagements:chat_messages": ["api:engagement-chat-list"],
    "engagements:chat_post": ["api:engagement-chat-list"],
    "engagements:chat_start": ["api:chat-list"],
    # The quick-entry lookup searches the contacts; the contacts list takes ``q`` over the same
    # name, phone, e-mail and organisation name (the page also matches an organisation's code).
    "engagements:client_lookup": ["api:clientcontact-list"],
    "engagements:incoming_mail_list": ["api:incomingmail-list"],
    # Saving and deleting a list's saved filter (core/saved_filters.py).
    "core:saved_filter_save": ["api:savedfilter-list"],
    "core:saved_filter_delete": ["api:savedfilter-detail"],
    # The board is the engagement list by stage (``?stage=``); a drop runs the step's own action.
    "engagements:engagement_board": ["api:engagement-list"],
    "engagements:engagement_move": ["api:engagement-forward", "api:engagement-assess"],
    "projects:project_kickoff": ["api:project-kickoff"],
    "projects:progressreport_pdf": ["api:progressreport-pdf"],
    "projects:progressreport_xlsx": ["api:progressreport-xlsx"],
    "quality:analysis": ["api:quality-analysis-list"],
    "quality:analysis_export": ["api:quality-analysis-export"],
    # The page only redirects to the rounds list filtered by project; the API list takes ?project=.
    "acceptance:project_rounds": ["api:acceptanceround-list"],
    "settlement:contract_balance": ["api:receivables-balance"],
    "settlement:ageing": ["api:receivables-ageing"],
    "settlement:ledger": ["api:ledger-list", "api:ledger-xlsx"],
    # A logged-in client user answers through the API; the invitation's signed link (no log-in)
    # is for a person who follows it from the e-mail, in the browser.
    "feedback:survey_answer": ["api:survey-answer"],
    "feedback:results": ["api:survey-results"],
    # The CSV/Excel file has one row per survey with its scores: the surveys list, as JSON.
    "feedback:results_export": ["api:survey-list"],
    "people:appraisal_figures": ["api:appraisal-figures"],
    "people:distribution": ["api:appraisal-distribution"],
    "people:skills_matrix": ["api:personskill-search", "api:personskill-list"],
    "people:training_plan": ["api:course-plan"],
    # Careers (HR-9, HR-10): the payroll totals and rows; a person's career history.
    "careers:payroll": ["api:incentive-payroll", "api:incentive-list"],
    "careers:person": ["api:positionmove-history"],
    "careers:my_career": ["api:positionmove-history"],
    "resources:knowledge_search": ["api:article-search"],
    # The prefilled case study: its fields from the API, then POST them to the articles.
    "resources:case_study": ["api:article-case-study-draft", "api:article-list"],
    # The template's text is the type's "skeleton" field.
    "resources:documenttype_skeleton": ["api:documenttype-detail"],
    # Staff allocation and costs (RES-4..7): the heat map (its Excel: ?export=xlsx on the page; the
    # API answers the same figures as JSON), a project's cost page, allocating its team, the roll-up.
    "costs:heatmap": ["api:allocation-heatmap"],
    "costs:project_costs": ["api:project-costs-detail"],
    "costs:allocate_team": ["api:project-costs-allocate-team"],
    "costs:rollup": ["api:costrollup-list"],
    "costs:rollup_run": ["api:costrollup-run"],
    # The candidate board is the candidate list by stage (``?stage=``); a drop runs the step's own
    # transition or action, as on the candidate's page.
    "recruitment:candidate_board": ["api:candidate-list"],
    "recruitment:candidate_move": [
        "api:candidate-pass_screening",
        "api:candidate-pass_interviews",
        "api:candidate-record-test",
        "api:candidate-propose-offer",
        "api:candidate-approve_offer",
        "api:candidate-accept_offer",
        "api:candidate-hire",
    ],
    # One generic page route runs every workflow transition; in the API each workflow model's
    # viewset has one action per transition (core/api.py TransitionActionsMixin), checked below
    # by test_every_transition_the_pages_run_is_an_api_action.
    "core:transition": [],
    # Risks (RSK-1..5): the heat map, the matrix (GET the versions, POST a new one), a project's
    # risk page (its heat map, risks and warnings).
    "risks:heatmap": ["api:risk-heat-map"],
    "risks:matrix": ["api:riskmatrix-list"],
    "risks:project_risks": ["api:risk-heat-map", "api:risk-list", "api:warning-list"],
    "core:document_pdf": ["api:document-pdf", "api:documents"],
    # Signing a form: POST /api/signatures/ (the same core.signatures.sign).
    "core:document_sign": ["api:signature-list"],
    "core:signature_verify": ["api:signature-verify"],
    "core:audit_chain": ["api:audit-chain"],
    "core:security_events": ["api:securityevent-list"],
    "core:attachment_add": ["api:attachment-list"],
    "core:attachment_download": ["api:attachment-download"],
    "core:comment_add": ["api:comment-list"],
    # The cockpit and the role dashboards: every tile's figures, each table's rows (the export
    # writes the tile's table) and each drill-down's records, with the same filters.
    "cockpit:cockpit": ["api:cockpit-dashboard-detail"],
    "cockpit:dashboard_lead": ["api:cockpit-dashboard-detail"],
    "cockpit:dashboard_service": ["api:cockpit-dashboard-detail"],
    "cockpit:dashboard_quality": ["api:cockpit-dashboard-detail"],
    "cockpit:dashboard_finance": ["api:cockpit-dashboard-detail"],
    "cockpit:dashboard_hr": ["api:cockpit-dashboard-detail"],
    "cockpit:table_export": ["api:cockpit-tile-detail"],
    "cockpit:drill": ["api:cockpit-tile-drill"],
    # The log of one endpoint: the deliveries list takes ?endpoint=.
    "webhooks:endpoint_deliveries": ["api:delivery-list", "api:delivery-redeliver"],
}

# Page routes whose twins are per model rather than named routes: checked by a test of their own.
PER_MODEL_TWINS = {"core:transition"}

# page url name → why the API has no twin. A reason an integrator would accept, not "not done yet".
PAGE_ONLY: dict[str, str] = {
    "core:prepared_export": (
        "downloads a list page's Excel file prepared by the worker; the API reads the same rows as "
        "JSON, keyset-paged for long lists (?paging=keyset), with no file to prepare"
    ),
    "healthz": "a probe for load balancers, not under /api/ so that it needs no log-in; already machine-readable",
    "readyz": "a probe for load balancers (database and job queue reachable); already machine-readable",
    "metrics": "Prometheus metrics for monitoring, already machine-readable; not user data",
    "login": "the browser's session log-in; the API authenticates each request with a token",
    "logout": "ends the browser's session; an API token is ended by regenerating it (api:token)",
    "login_verify": "the second step of the browser's log-in (two-factor code); API requests carry a token",
    "oidc_login": "sends the browser to the identity provider; single sign-on is a browser flow",
    "oidc_callback": "where the identity provider sends the browser back; a browser flow",
    "two_factor": "enrolment shows a QR code to scan with an authenticator app and a code typed by "
    "the person; a token is not asked for a second factor, and administrators reset it through "
    "api:user-two-factor-reset",
    "password_change": "the person's own log-in password, typed in the browser; API clients use a token "
    "(administrators set passwords through api:user-detail)",
    "password_reset": "the e-mailed reset link is for a person at a browser",
    "password_reset_done": "a confirmation page of the browser's reset flow",
    "password_reset_confirm": "the page the e-mailed link opens in the browser",
    "password_reset_complete": "a confirmation page of the browser's reset flow",
    "switch_language": "the browser's interface language (a cookie); the API takes Accept-Language "
    "and the saved language is part of the profile",
    "risks:levels_css": "the level colours of the risk matrix as a style sheet for the pages (the CSP "
    "forbids inline styles); the API gives the colours with each matrix version (api:riskmatrix-list)",
    "core:letterhead": "the look of the printed forms (logo and address), set by a system administrator "
    "against the page's preview; no client of the API reads or changes it",
}

# page url name → why an API twin is wanted and not yet there. The debt register: it may shrink,
# never grow (MISSING_CEILING). Empty when every page that should have a twin has one.
PAGE_MISSING: dict[str, str] = {}
MISSING_CEILING = 0


def walk(patterns, namespace: str = "", prefix: str = ""):
    """(url name with its namespace, route, callback) of every route under ``patterns``."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from walk(pattern.url_patterns, joined, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, prefix + str(pattern.pattern), pattern.callback


def is_generic(callback) -> bool:
    """A generic object view or a RecordAction (covered by tests/test_meta_api.py)."""
    if getattr(callback, "view_class", None) in GENERIC_VIEWS:
        return True
    return getattr(callback, "__func__", None) is RecordAction.view


def page_routes() -> dict[str, str]:
    """Page url name (or, unnamed, its route) → route, for every page this test is about."""
    pages = {}
    for name, route, callback in walk(root.urlpatterns):
        if route.startswith(("api/", "admin/")) or is_generic(callback):
            continue
        pages[name or route] = route
    return pages


def api_route_names() -> set[str]:
    return {name for name, route, _callback in walk(root.urlpatterns) if route.startswith("api/") and name}


def unlisted(pages, twins, page_only, missing) -> list[str]:
    listed = set(twins) | set(page_only) | set(missing)
    return sorted(f"{name} ({route})" for name, route in pages.items() if name not in listed)


def absent_twins(twins, api_names) -> list[str]:
    return sorted(
        f"{page} → {twin}" for page, names in twins.items() for twin in names if twin not in api_names
    )


def test_every_page_route_is_twinned_page_only_or_in_the_debt_register():
    missing = unlisted(page_routes(), PAGE_TWINS, PAGE_ONLY, PAGE_MISSING)
    assert not missing, (
        "page routes in none of PAGE_TWINS, PAGE_ONLY, PAGE_MISSING (add an API twin and list it):\n"
        + "\n".join(missing)
    )


def test_every_listed_page_is_still_routed():
    pages = page_routes()
    for table in (PAGE_TWINS, PAGE_ONLY, PAGE_MISSING):
        stale = sorted(set(table) - set(pages))
        assert not stale, f"listed but no longer a page route (remove it): {stale}"


def test_every_listed_twin_is_an_api_route():
    absent = absent_twins(PAGE_TWINS, api_route_names())
    assert not absent, "twins the API URL conf does not have:\n" + "\n".join(absent)


def test_a_page_is_in_one_table_only_and_only_per_model_twins_list_none():
    twins, only, missing = set(PAGE_TWINS), set(PAGE_ONLY), set(PAGE_MISSING)
    assert not (twins & only) and not (twins & missing) and not (only & missing)
    assert {page for page, names in PAGE_TWINS.items() if not names} == PER_MODEL_TWINS
    assert all(reason.strip() for reason in (*PAGE_ONLY.values(), *PAGE_MISSING.values()))


def test_the_debt_register_does_not_grow():
    assert len(PAGE_MISSING) <= MISSING_CEILING, (
        "PAGE_MISSING grew: add the API twin instead (or, if it truly has no API sense, PAGE_ONLY)"
    )
    assert len(PAGE_MISSING) == MISSING_CEILING, "a twin was added: lower MISSING_CEILING to match"


def test_the_walk_sees_the_function_pages_and_leaves_the_generic_ones_out():
    # A URL conf read wrongly (nothing found) would make the tests above pass vacuously.
    pages = page_routes()
    assert {"home", "notifications:inbox", "core:document_pdf", "settlement:ledger", "login"} <= set(pages)
    assert "contracts:contract_detail" not in pages and "contracts:contract_list" not in pages
    assert "contracts:contract_legal_review" not in pages  # a RecordAction
    assert not any(route.startswith("api/") for route in pages.values())
    assert len(pages) >= 50
    api = api_route_names()
    assert {"api:me", "api:notification-list", "api:document-pdf"} <= api


def test_it_names_an_unlisted_page_a_stale_one_and_an_absent_twin():
    pages = {"home": "", "shred": "shred/"}
    assert unlisted(pages, {"home": ["api:me"]}, {}, {}) == ["shred (shred/)"]
    assert unlisted(pages, {"home": ["api:me"]}, {}, {"shred": "why"}) == []
    assert absent_twins({"home": ["api:me", "api:shred-now"]}, api_route_names()) == ["home → api:shred-now"]


def test_every_transition_the_pages_run_is_an_api_action():
    """``core:transition`` runs any generic transition of a workflow model that has pages; the
    model's viewset in the API router must offer each as ``POST …/{id}/<transition>/``."""
    from onestop.core.views import all_viewsets
    from onestop.core.workflow import WorkflowModel
    from onestop.urls import router

    page_routes()  # loads every app's urls.py, which declares its ObjectViews
    offered: dict[str, set[str]] = {}
    for _prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        if queryset is not None:
            names = {extra.__name__ for extra in viewset.get_extra_actions()}
            offered.setdefault(queryset.model._meta.label_lower, set()).update(names)
    missing = []
    for views in all_viewsets():
        model = views.model
        if not model._meta.app_config.name.startswith("onestop.") or not issubclass(model, WorkflowModel):
            continue
        label = model._meta.label_lower
        for name in model.generic_transition_names():
            if name not in offered.get(label, set()):
                missing.append(f"{label} {name}")
    assert not missing, "transitions the pages run that the API does not:\n" + "\n".join(sorted(missing))
