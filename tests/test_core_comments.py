"""X-3, INT-1: the communication log on any record; clients see only shared entries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.core.comments import add_comment, comments_for
from onestop.core.exceptions import DomainError
from onestop.core.models import Comment
from tests.workflow_app.models import Ticket


@pytest.fixture
def ticket(personas):
    return Ticket.objects.create(
        title="溝通紀錄", client_organization=personas["client_a"].client_organization
    )


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_INT_1_staff_record_calls_mails_and_notes_with_channel_and_visibility(personas, ticket):
    call = add_comment(
        ticket, actor=personas["cs"], body="客戶來電詢問進度", channel="phone", visibility="shared"
    )
    note = add_comment(ticket, actor=personas["cs"], body="內部：報價需主管核准", channel="note")
    assert (call.channel, call.visibility, call.author) == ("phone", "shared", personas["cs"])
    assert (note.channel, note.visibility) == ("note", "internal")
    assert call.history.get().history_user == personas["cs"]
    assert list(comments_for(ticket, personas["finance"])) == [call, note]


def test_X_3_client_users_see_only_shared_entries_of_their_own_records(client, personas, ticket):
    shared = add_comment(
        ticket, actor=personas["cs"], body="已安排技術人員", channel="email", visibility="shared"
    )
    add_comment(ticket, actor=personas["cs"], body="內部備註：客戶付款慢", channel="note")
    assert list(comments_for(ticket, personas["client_a"])) == [shared]
    assert list(comments_for(ticket, personas["client_b"])) == []
    client.force_login(personas["client_a"])
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "已安排技術人員" in page and "客戶付款慢" not in page
    assert [
        row["id"] for row in api(personas["client_a"]).get(reverse("api:comment-list")).json()["results"]
    ] == [shared.pk]
    assert api(personas["client_b"]).get(reverse("api:comment-list")).json()["results"] == []
    assert api(personas["client_b"]).get(reverse("api:comment-detail", args=[shared.pk])).status_code == 404


def test_X_3_what_a_client_writes_is_shared_through_the_portal(personas, ticket):
    comment = add_comment(
        ticket, actor=personas["client_a"], body="請儘快回覆", channel="note", visibility="internal"
    )
    assert (comment.channel, comment.visibility) == ("portal", "shared")
    other = Ticket.objects.create(title="乙方", client_organization=personas["client_b"].client_organization)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        add_comment(other, actor=personas["client_a"], body="不該成功")


def test_X_4_bad_entries_are_refused_with_a_clear_message(client, personas, ticket):
    for fields in (
        {"body": "   "},
        {"body": "x", "channel": "fax"},
        {"body": "x", "visibility": "everyone"},
        {"body": "x", "channel": "note", "visibility": "shared"},
    ):
        with pytest.raises(DomainError):
            add_comment(ticket, actor=personas["cs"], **fields)
    client.force_login(personas["cs"])
    url = reverse("core:comment_add", args=["workflow_app.ticket", ticket.pk])
    assert client.post(url, {"body": ""}).status_code == 400
    assert client.post(url, {"body": "x", "channel": "fax"}).status_code == 400
    assert client.post(url, {"body": "好的", "channel": "meeting", "visibility": "shared"}).status_code == 302
    body = {"record_type": "workflow_app.ticket", "object_id": ticket.pk, "body": "x" * 10001}
    assert api(personas["cs"]).post(reverse("api:comment-list"), body, format="json").status_code == 400
    assert Comment.objects.count() == 1


def test_INT_1_the_api_adds_to_the_log_and_keeps_it_append_only(personas, ticket):
    url = reverse("api:comment-list")
    body = {
        "record_type": "workflow_app.ticket",
        "object_id": ticket.pk,
        "body": "會議紀要",
        "channel": "meeting",
    }
    response = api(personas["cs"]).post(url, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["visibility"] == "internal"
    assert api(personas["client_b"]).post(url, body, format="json").status_code == 404
    detail = reverse("api:comment-detail", args=[response.json()["id"]])
    assert api(personas["cs"]).patch(detail, {"body": "改寫"}, format="json").status_code in (403, 405)
    assert api(personas["cs"]).delete(detail).status_code in (403, 405)
    assert Comment.objects.get().body == "會議紀要"


def test_X_3_list_queries_do_not_grow_with_the_number_of_entries(personas, ticket):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(personas["client_a"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("api:comment-list"), {"page_size": 100}).status_code == 200
        return len(queries)

    add_comment(ticket, actor=personas["cs"], body="一", channel="email", visibility="shared")
    few = count()
    for index in range(20):
        add_comment(ticket, actor=personas["cs"], body=f"第{index}則", channel="email", visibility="shared")
    assert count() == few
