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
