"""Races (issue 10, SPEC X-4): parallel requests for one action give exactly one success and
409s with a clear message, never a 400, a 403 or a 500; on SQLite and PostgreSQL alike.

Each test fires real parallel API requests (``tests.workflow.race``: threads, each with its own
client and database connection) and judges them with ``assert_one_wins``. The generic
transitions get the same test from ``TransitionTestBase``; here are the service actions of the
apps and every signing endpoint. What keeps one winner (docs/architecture.md, "Races"):

- SQLite: every transaction is ``BEGIN IMMEDIATE``, so writers queue one at a time (the busy
  timeout), and the guarded UPDATE of ``perform_transition`` (the state read in its WHERE)
  matches no row for a writer that read the record before the winner wrote;
- PostgreSQL: ``select_for_update`` on the record (the services' ``_locked``, ``signatures.sign``)
  makes the second writer wait and then read the winner's state; the guarded UPDATE catches
  whatever read the record without the lock.

Transactional tests are slow, so each test builds its records and loops over its cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_fsm_log.models import StateLog

from onestop.core.models import Signature
from tests.factories import ClientContactFactory
from tests.stages import stage_personas
from tests.workflow import N, assert_lost, assert_one_wins, late, race

concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def personas(personas, make_user):
    return stage_personas(personas, make_user)


def log_count(obj, transition: str) -> int:
    content_type = ContentType.objects.get_for_model(type(obj))
    return StateLog.objects.filter(content_type=content_type, object_id=obj.pk, transition=transition).count()


def signature_count(obj, role: str | None = None) -> int:
    rows = Signature.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    )
    return rows.filter(role=role).count() if role else rows.count()


def assert_both_succeed(responses, context=None) -> None:
    answers = [(r.status_code, r.json()) for r in responses]
    assert all(200 <= status < 300 for status, _body in answers), (context, answers)


# --- signatures -------------------------------------------------------------------------------


def awaiting_confirmation_signatures(personas, index):
    """An engagement whose agreed terms wait for the client's and the technician's signatures."""
    from onestop.engagements import services
    from tests.test_engagements import TERMS, in_confirmation

    org = personas["client_a"].client_organization
    engagement = in_confirmation(
        personas["cs"], personas["technician"], org, ClientContactFactory(organization=org)
    )
    terms = {**TERMS, "period_start": date(2027, 1, 4), "period_end": date(2027, 6, 30), "fee": Decimal("99")}
    proposal = services.propose(engagement, actor=personas["technician"], **terms)
    services.accept_proposal(proposal, actor=personas["client_a"])
    engagement.refresh_from_db()
    return engagement


def awaiting_contract_signatures(personas, index):
    """An approved contract, management holding a signing authorization."""
    from tests.test_contracts import authorization, drafted, reviewed

    authorization(personas["management"], valid_from=date(2020, 1, 1), valid_to=None)
    return reviewed(personas, drafted(personas, index))


@concurrent
def test_X_4_the_confirmation_form_signed_by_both_parties_at_once_completes_exactly_once(personas):
    engagement = awaiting_confirmation_signatures(personas, 0)
    url = reverse("api:engagement-sign", args=[engagement.pk])
    responses = race(
        url,
        None,
        [personas["client_a"], personas["technician"]],
        bodies=[{"role": "client"}, {"role": "technician"}],
    )
    assert_both_succeed(responses)
    assert_lost(late(url, {"role": "client"}, personas["client_a"]))
    engagement.refresh_from_db()
    assert signature_count(engagement, "client") == 1 and signature_count(engagement, "technician") == 1
    assert log_count(engagement, "confirm") == 1, "the form completes exactly once"
    assert engagement.confirmed_at is not None


@concurrent
def test_X_4_the_confirmation_form_signed_by_one_party_several_times_at_once_lands_once(personas):
    engagement = awaiting_confirmation_signatures(personas, 1)
    url = reverse("api:engagement-sign", args=[engagement.pk])
    for role, user in (("client", personas["client_a"]), ("technician", personas["technician"])):
        responses = race(url, {"role": role}, [user] * N)
        assert_one_wins(responses, role)
        assert_lost(late(url, {"role": role}, user), role)
        assert signature_count(engagement, role) == 1, role
    # The second role's winner completed the form; a later request finds it complete: 409, not 403.
    assert log_count(engagement, "confirm") == 1


@concurrent
def test_X_4_the_contract_signed_by_both_parties_at_once_is_signed_exactly_once(personas):
    contract = awaiting_contract_signatures(personas, 0)
    url = reverse("api:contract-sign", args=[contract.pk])
    responses = race(
        url,
        None,
        [personas["management"], personas["client_a"]],
        bodies=[{"role": "company"}, {"role": "client"}],
    )
    assert_both_succeed(responses)
    assert_lost(late(url, {"role": "client"}, personas["client_a"]))
    contract.refresh_from_db()
    assert contract.state == "signed" and contract.signed_at is not None
    assert signature_count(contract, "company") == 1 and signature_count(contract, "client") == 1
    assert log_count(contract, "complete_signing") == 1


@concurrent
def test_X_4_the_contract_signed_by_one_party_several_times_at_once_lands_once(personas):
    contract = awaiting_contract_signatures(personas, 1)
    url = reverse("api:contract-sign", args=[contract.pk])
    for role, user in (("company", personas["management"]), ("client", personas["client_a"])):
        responses = race(url, {"role": role}, [user] * N)
        assert_one_wins(responses, role)
        assert_lost(late(url, {"role": role}, user), role)
        assert signature_count(contract, role) == 1, role
    assert log_count(contract, "complete_signing") == 1


# --- the apps' service actions -------------------------------------------------------------------


@dataclass
class Case:
    """One transition fired through its app's API action by N parallel requests.

    ``build(personas)`` returns the record in a state the transition starts from (meeting its
    conditions); ``body`` is the action's input; ``actor`` a persona who may run it."""

    transition: str
    action: str  # the API route name, "<basename>-<action>"
    actor: str
    build: Callable
    body: dict = field(default_factory=dict)
    history_rows: int = 1  # history rows one run writes on the record (a service may save twice)


def in_state(obj, state):
    """``obj`` with its state column set directly (its own tests prove the path there)."""
    type(obj)._base_manager.filter(pk=obj.pk).update(**{obj.state_field_name: state})
    obj.refresh_from_db()
    return obj


def run_cases(personas, cases) -> None:
    """Each case: one 2xx and N-1 409s, then a late request 409; the transition logged once, the
    record's history grown by what one run writes (so nothing twice)."""
    for case in cases:
        obj = case.build(personas)
        model = type(obj)
        _sources, target = model.transition_graph()[case.transition]
        history_before = obj.history.count()
        url = reverse(f"api:{case.action}", args=[obj.pk])
        user = personas[case.actor]
        assert_one_wins(race(url, case.body, [user] * N), case.action)
        assert_lost(late(url, case.body, user), (case.action, "late"))
        fresh = model._base_manager.get(pk=obj.pk)
        assert fresh.current_state == target, case.action
        assert log_count(obj, case.transition) == 1, (case.action, "one log entry")
        written = fresh.history.count() - history_before
        assert 1 <= written <= case.history_rows, (case.action, written, "history rows")


# Coordination (PRJ-3, PRJ-4) -------------------------------------------------------------------


def coordination_cases():
    from onestop.coordination import services
    from tests.factories import DepartmentFactory
    from tests.test_coordination import change, issue, project_of, report

    def change_in(state):
        return lambda personas: in_state(change(personas), state)

    def resources(personas):
        department = DepartmentFactory()
        return services.request_resources(
            project_of(personas),
            actor=personas["lead"],
            department=department,
            needed="測試設備",
            quantity="1 台",
            needed_by=date(2026, 5, 1),
        )

    def issue_in(state):
        return lambda personas: in_state(issue(personas, owner=personas["technician"]), state)

    return [
        Case("resolve", "projectissue-resolve", "technician", issue_in("open"), {"resolution": "已更換網關"}),
        Case("close", "projectissue-close", "lead", issue_in("resolved"), {"comment": "確認"}),
        Case("reopen", "projectissue-reopen", "lead", issue_in("resolved"), {"comment": "問題再現"}),
        Case("reopen", "projectissue-reopen", "lead", issue_in("closed"), {"comment": "問題再現"}),
        Case("send", "clientreport-send", "lead", lambda personas: report(personas)),
        Case(
            "submit", "changerequest-submit", "lead", lambda personas: change(personas), {"comment": "請審批"}
        ),
        Case(
            "approve",
            "changerequest-approve",
            "management",
            change_in("submitted"),
            {"comment": "同意"},
            history_rows=2,  # the transition, then the link to the plan version it starts
        ),
        Case("reject", "changerequest-reject", "management", change_in("submitted"), {"comment": "不同意"}),
        Case("approve", "resourcerequest-approve", "management", resources, {"answer": "派一台"}),
        Case("decline", "resourcerequest-decline", "management", resources, {"answer": "沒有設備"}),
    ]


@concurrent
def test_X_4_coordination_actions_fired_at_once_succeed_once(personas):
    run_cases(personas, coordination_cases())


# Complaints (EXT-2) ------------------------------------------------------------------------------


def complaint_cases():
    from tests.test_feedback import filed

    def complaint_in(state):
        def build(personas):
            complaint = filed(personas)
            if state != "filed":
                type(complaint).objects.filter(pk=complaint.pk).update(handler=personas["technician"])
            return in_state(complaint, state)

        return build

    def assign_body(personas):
        return {"handler": personas["technician"].pk, "comment": "請處理"}

    return [
        Case(
            "respond",
            "complaint-respond",
            "technician",
            complaint_in("in_handling"),
            {"response": "已補寄報告"},
        ),
        Case("confirm", "complaint-confirm", "client_a", complaint_in("responded"), {"comment": "滿意"}),
        Case("reopen", "complaint-reopen", "client_a", complaint_in("responded"), {"reason": "仍未收到"}),
        Case(
            "close_unconfirmed",
            "complaint-close-unconfirmed",
            "cs",
            complaint_in("responded"),
            {"note": "客戶未回覆"},
        ),
    ]


@concurrent
def test_X_4_complaint_actions_fired_at_once_succeed_once(personas):
    run_cases(personas, complaint_cases())
