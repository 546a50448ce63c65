"""Generic tests every transition gets by declaring it (SPEC X-2, X-4; DESIGN "Tests").

A subclass names the workflow model, the personas and, for each transition, the states it
starts from, the state it leads to, who may run it and who may see the record but not run it::

    class TestPlanTransitions(TransitionTestBase):
        model = Plan
        outsider = "client_b"
        transitions = [
            TransitionCase("submit", {"draft"}, "submitted", actor="technician", forbidden="finance"),
            TransitionCase("approve", {"submitted"}, "approved", actor="management", forbidden="technician"),
        ]

        def make_object(self, personas):
            return PlanFactory(...)  # meets every transition's conditions

It then inherits, for every declared transition, through the API and the UI:

- the declaration matches the model (a changed state machine must change its test);
- allowed from each source state: the state moves, the log names who, from, to and the
  comment, and the history row is attributed to that user;
- refused from every other state: 409 (``not_possible_now``: the record has moved on) with a
  clear message, nothing changed, nothing logged;
- refused without permission: 403, nothing changed; the button is not offered;
- a stale state sent by the client (someone acted first) answers 409, nothing changed;
- a record outside the user's reach answers 404;
- N parallel requests (real threads, each with its own connection) for each transition from
  each source state: exactly one succeeds, the others answer 409, one log entry, one history row.

tests/test_meta.py fails when a transition of a onestop model is not declared in a subclass.
The mechanism's own concurrency tests are in test_core_workflow.py; ``race`` and
``assert_one_wins`` below fire and judge parallel API requests for any endpoint
(tests/test_races.py uses them for the service actions of every app).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.urls import reverse
from django_fsm_log.models import StateLog
from rest_framework.test import APIClient

from tests.factories import PASSWORD


@dataclass
class TransitionCase:
    name: str
    sources: set[str]
    target: str
    actor: str  # persona allowed to run it
    forbidden: str | None = None  # persona who may see the record but not run this transition
    comment: str = "測試說明：依規定辦理。"
    extra: dict = field(default_factory=dict)  # extra form / API fields, if the transition needs any


class TransitionTestBase:
    model = None
    transitions: list[TransitionCase] = []
    outsider: str | None = None  # persona who may not see the record made by make_object
    api_namespace = "api"
    api_basename: str | None = None

    # --- what a subclass provides -------------------------------------------------------
    def make_object(self, personas):
        raise AssertionError("subclass must define make_object (a record meeting every condition)")

    def make_object_in(self, personas, state):
        """A record in ``state``. The default sets the state column directly; override when a
        state needs related data (a signature, an approved plan…)."""
        obj = self.make_object(personas)
        field_name = self.model.state_field_name
        type(obj)._base_manager.filter(pk=obj.pk).update(**{field_name: state})
        obj.refresh_from_db()
        return obj

    def make_object_for(self, personas, state, case):
        """The record a test of ``case`` starts from, in ``state``. Override where two
        transitions from the same state have conditions no single record meets at once (approve
        once below an amount, approve the first of two above it)."""
        return self.make_object_in(personas, state)

    # --- helpers ------------------------------------------------------------------------
    @property
    def all_states(self) -> list[str]:
        return [value for value, _label in self.model.state_field().flatchoices]

    def ui_url(self, obj, name):
        label = f"{obj._meta.app_label}.{obj._meta.model_name}"
        return reverse("core:transition", args=[label, obj.pk, name])

    def api_url(self, obj, name):
        basename = self.api_basename or self.model._meta.model_name
        return reverse(f"{self.api_namespace}:{basename}-{name}", args=[obj.pk])

    def api(self, user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    def log_of(self, obj):
        content_type = ContentType.objects.get_for_model(self.model)
        return StateLog.objects.filter(content_type=content_type, object_id=obj.pk).order_by(
            "timestamp", "pk"
        )

    def snapshot(self, obj):
        fresh = self.model._base_manager.get(pk=obj.pk)
        return (fresh.current_state, self.log_of(obj).count(), fresh.history.count())

    def body(self, case, **more):
        return {"comment": case.comment, **case.extra, **more}

    # --- the declaration ----------------------------------------------------------------
    def test_declared_transitions_match_the_model(self):
        declared = {case.name: (set(case.sources), case.target) for case in self.transitions}
        actual = {
            name: (set(sources), target) for name, (sources, target) in self.model.transition_graph().items()
        }
        assert declared == actual

    # --- allowed --------------------------------------------------------------------------
    def assert_done(self, obj, case, source, user, before):
        fresh = self.model._base_manager.get(pk=obj.pk)
        assert fresh.current_state == case.target, (case.name, source)
        entries = list(self.log_of(obj))
        assert len(entries) == before[1] + 1, (case.name, source)
        entry = entries[-1]
        assert (entry.transition, entry.source_state, entry.state, entry.by_id) == (
            case.name,
            source,
            case.target,
            user.pk,
        ), (case.name, source)
        assert entry.description == case.comment
        assert entry.timestamp is not None
        last = fresh.history.order_by("-history_date", "-history_id").first()
        assert (last.history_type, last.history_user_id) == ("~", user.pk), (case.name, source)
        assert case.name in (last.history_change_reason or "") or case.comment in (
            last.history_change_reason or ""
        )

    def test_each_transition_is_allowed_from_its_source_states_through_the_api(self, personas):
        for case in self.transitions:
            user = personas[case.actor]
            for source in sorted(case.sources):
                obj = self.make_object_for(personas, source, case)
                before = self.snapshot(obj)
                response = self.api(user).post(
                    self.api_url(obj, case.name), self.body(case, expected_state=source), format="json"
                )
                assert response.status_code == 200, (case.name, source, response.json())
                assert response.json()[self.model.state_field_name] == case.target
                self.assert_done(obj, case, source, user, before)

    def test_each_transition_is_allowed_from_its_source_states_in_the_ui(self, client, personas):
        for case in self.transitions:
            user = personas[case.actor]
            client.force_login(user)
            for source in sorted(case.sources):
                obj = self.make_object_for(personas, source, case)
                page = client.get(obj.get_absolute_url()).content.decode()
                assert f'data-transition="{case.name}"' in page, (case.name, source, "button not offered")
                before = self.snapshot(obj)
                response = client.post(self.ui_url(obj, case.name), self.body(case, expected_state=source))
                assert response.status_code == 302, (case.name, source, response.content.decode()[:2000])
                self.assert_done(obj, case, source, user, before)

    # --- refused from other states ------------------------------------------------------------
    def test_each_transition_is_refused_from_other_states(self, client, personas):
        for case in self.transitions:
            user = personas[case.actor]
            client.force_login(user)
            for state in self.all_states:
                if state in case.sources:
                    continue
                obj = self.make_object_for(personas, state, case)
                before = self.snapshot(obj)
                response = self.api(user).post(self.api_url(obj, case.name), self.body(case), format="json")
                assert response.status_code == 409, (case.name, state, response.json())
                body = response.json()
                assert body["code"] == "not_possible_now" and body["detail"], body
                response = client.post(self.ui_url(obj, case.name), self.body(case))
                assert response.status_code == 409, (case.name, state)
                assert body["detail"] in response.content.decode()
                assert self.snapshot(obj) == before, (case.name, state, "something changed")

    # --- refused without permission --------------------------------------------------------
    def test_each_transition_is_refused_without_permission(self, client, personas):
        for case in self.transitions:
            if case.forbidden is None:
                continue
            user = personas[case.forbidden]
            client.force_login(user)
            source = sorted(case.sources)[0]
            obj = self.make_object_for(personas, source, case)
            before = self.snapshot(obj)
            page = client.get(obj.get_absolute_url())
            assert page.status_code == 200, (
                case.name,
                "the forbidden persona must be able to see the record",
            )
            assert f'data-transition="{case.name}"' not in page.content.decode(), case.name
            response = self.api(user).post(
                self.api_url(obj, case.name), self.body(case, expected_state=source), format="json"
            )
            assert response.status_code == 403, (case.name, response.json())
            response = client.post(self.ui_url(obj, case.name), self.body(case, expected_state=source))
            assert response.status_code == 403, case.name
            assert self.snapshot(obj) == before, (case.name, "something changed")

    # --- stale state --------------------------------------------------------------------------
    def test_a_stale_expected_state_answers_409_and_changes_nothing(self, client, personas):
        for case in self.transitions:
            user = personas[case.actor]
            client.force_login(user)
            source = sorted(case.sources)[0]
            stale = next(state for state in self.all_states if state != source)
            obj = self.make_object_for(personas, source, case)
            before = self.snapshot(obj)
            response = self.api(user).post(
                self.api_url(obj, case.name), self.body(case, expected_state=stale), format="json"
            )
            assert response.status_code == 409, (case.name, response.json())
            assert response.json()["code"] == "stale_state"
            response = client.post(self.ui_url(obj, case.name), self.body(case, expected_state=stale))
            assert response.status_code == 409, case.name
            assert self.snapshot(obj) == before, case.name

    # --- outside the user's reach -----------------------------------------------------------------
    def test_records_outside_the_users_reach_answer_404_for_every_transition(self, client, personas):
        if self.outsider is None:
            return
        user = personas[self.outsider]
        client.force_login(user)
        for case in self.transitions:
            source = sorted(case.sources)[0]
            obj = self.make_object_for(personas, source, case)
            before = self.snapshot(obj)
            assert (
                self.api(user).post(self.api_url(obj, case.name), self.body(case), format="json").status_code
                == 404
            )
            assert client.post(self.ui_url(obj, case.name), self.body(case)).status_code == 404
            assert self.snapshot(obj) == before

    # --- races --------------------------------------------------------------------------------
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_parallel_requests_for_each_transition_give_one_success_and_409s(self, personas):
        """X-4, R-races: one transactional test per model, looping over its transitions."""
        for case in self.transitions:
            user = personas[case.actor]
            for source in sorted(case.sources):
                obj = self.make_object_for(personas, source, case)
                before = self.snapshot(obj)
                url, body = self.api_url(obj, case.name), self.body(case, expected_state=source)
                assert_one_wins(race(url, body, [user] * N), (case.name, source))
                assert_lost(late(url, body, user), (case.name, source, "late"))
                assert_lost(late(url, self.body(case), user), (case.name, source, "late, no state"))
                fresh = self.model._base_manager.get(pk=obj.pk)
                assert fresh.current_state == case.target, (case.name, source)
                assert self.log_of(obj).count() == before[1] + 1, (case.name, source, "one log entry")
                assert fresh.history.count() == before[2] + 1, (case.name, source, "one history row")


# How many requests race for one action: enough for a winner, a loser that read the record
# before the winner wrote and (usually) one that read it after; more only costs time.
N = 3
# The answers a lost race may give (409 each): the request met the winner's write
# (stale_state), arrived after it (not_possible_now), or repeated a signature (already_done).
LOST_RACE_CODES = {"stale_state", "not_possible_now", "already_done"}


def race(url, body, users, *, bodies=None, method: str = "post"):
    """One API request per user to ``url``, all released at once; the responses, in order.

    ``bodies`` gives each request its own body (in the order of ``users``) instead of ``body``.
    Each request runs in its own thread with its own client and database connection, as
    parallel web requests would; needs a transactional test (``concurrent``)."""

    def request_as(user, data):
        def prepare():
            api = APIClient()
            api.force_authenticate(user)
            return lambda: getattr(api, method)(url, with_password(data), format="json")

        return prepare

    bodies = bodies or [body] * len(users)
    responses, errors = run_concurrently(*(request_as(u, b) for u, b in zip(users, bodies, strict=True)))
    assert errors == [None] * len(users), errors  # an exception here is a 500 to a real client
    return responses


def late(url, body, user, *, method: str = "post"):
    """The same request once more, after the race: what a user arriving a moment late gets."""
    api = APIClient()
    api.force_authenticate(user)
    return getattr(api, method)(url, with_password(body), format="json")


def with_password(body):
    """Every raced request carries the user's password: signing asks for it (core/reauth.py), the
    other actions ignore it (the factory users all have ``PASSWORD``)."""
    return {**(body or {}), "password": PASSWORD}


def assert_lost(response, context=None) -> None:
    """A 409 with a lost-race code and a message for people."""
    body = response.json() if response.content else None
    assert response.status_code == 409, (context, response.status_code, body)
    assert body["code"] in LOST_RACE_CODES and body["detail"], (context, body)


def assert_one_wins(responses, context=None) -> None:
    """Exactly one 2xx; every other answer a 409 with a lost-race code and a message."""
    answers = [(r.status_code, r.json() if r.content else None) for r in responses]
    won = [a for a in answers if 200 <= a[0] < 300]
    lost = [a for a in answers if not 200 <= a[0] < 300]
    assert len(won) == 1, (context, answers)
    for status, body in lost:
        assert status == 409, (context, answers)
        assert body["code"] in LOST_RACE_CODES and body["detail"], (context, answers)


def run_concurrently(*calls, timeout: float = 30):
    """Run each callable in its own thread, released together; return (results, errors).

    Each thread uses its own database connection (closed at the end), as two web requests
    would. Needs the ``transactional_db`` fixture so the threads see the test's rows.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = [None] * len(calls)

    def worker(index, call):
        try:
            prepared = call()  # may read its object first, like a request loading the page's record
            barrier.wait(timeout)
            results[index] = prepared() if callable(prepared) else prepared
        except BaseException as exc:  # collected for the test to inspect
            errors[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results, errors
