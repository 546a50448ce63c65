"""Keyset pages in the API (issue 16 §4): ``?paging=keyset`` pages continue after the last row of
the page before, so a deep page costs what the first does and rows added between two requests
neither repeat nor drop out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.accounts.models import User
from onestop.core.generate import generate
from onestop.engagements.models import Engagement


@pytest.fixture
def api(db):
    generate(40, seed=2)
    client = APIClient()
    client.force_authenticate(User.objects.get(username="gen.mgmt001"))
    return client


def walk(api, url):
    seen, pages = [], 0
    while url:
        answer = api.get(url)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert "count" not in body  # keyset pages do not count
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    return seen, pages


def test_keyset_pages_walk_every_row_once_in_the_lists_order(api):
    seen, pages = walk(api, "/api/engagements/?paging=keyset&page_size=7")
    expected = list(Engagement.objects.order_by("-received_at", "-pk").values_list("pk", flat=True))
    assert seen == expected
    assert pages == -(-len(expected) // 7)


def test_keyset_pages_are_stable_when_rows_are_added_between_requests(api):
    first = api.get("/api/engagements/?paging=keyset&page_size=5").json()
    newest = Engagement.objects.order_by("-received_at", "-pk").first()
    # Someone records a new inquiry (at the top of the list) while the client reads page one.
    newcomer = Engagement.objects.create(
        code="OS-2099-99999",
        title="新來的詢問",
        client=newest.client,
        contact=newest.contact,
        channel=newest.channel,
        received_at=timezone.now() + timedelta(minutes=1),
    )
    rest, _pages = walk(api, first["next"])
    seen = [row["id"] for row in first["results"]] + rest
    assert newcomer.pk not in seen
    assert len(seen) == len(set(seen)) == Engagement.objects.count() - 1


def test_a_deep_keyset_page_seeks_to_its_rows_instead_of_skipping_the_ones_before(api):
    url, counts = "/api/engagements/?paging=keyset&page_size=5", []
    while url:
        with CaptureQueriesContext(connection) as captured:
            body = api.get(url).json()
        # The page's rows come from a WHERE on the sort key, never an OFFSET over earlier rows.
        page_query = next(q["sql"] for q in captured if 'FROM "engagements_engagement"' in q["sql"])
        assert "OFFSET" not in page_query.upper()
        counts.append(len(captured))
        url = body["next"]
    # The queries per page depend on which stages its rows are in (who holds the ball), never on
    # how deep the page is.
    assert len(counts) >= 8 and max(counts) <= 6


def test_page_numbers_stay_the_default_with_a_capped_count(api):
    body = api.get("/api/engagements/?page=2&page_size=5").json()
    assert body["count"] == Engagement.objects.count() and body["count_is_capped"] is False
    assert len(body["results"]) == 5


def test_a_list_ordered_by_a_related_record_refuses_keyset_paging_with_a_message(api):
    answer = api.get("/api/project-tasks/?paging=keyset")
    assert answer.status_code == 400
    assert "paging" in answer.json()["errors"]


def test_a_forged_cursor_is_refused_cleanly(api):
    assert api.get("/api/engagements/?cursor=bm9uc2Vuc2U").status_code == 404


def test_keyset_paging_of_a_list_sorted_through_a_related_record_is_refused_not_a_500(api):
    answer = api.get("/api/client-contacts/?paging=keyset&cursor=Zz")
    assert answer.status_code == 400


def test_a_report_of_computed_rows_ignores_keyset_paging_and_keeps_its_page_numbers(api):
    answer = api.get("/api/feedback/surveys/results/?paging=keyset&by=engagement")
    assert answer.status_code == 200 and "results" in answer.json()
