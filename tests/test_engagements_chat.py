"""INT-1 online chat: the chat panel on the engagement page (htmx polling and posting), starting
a chat from the client portal, and the same through the API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.core import comments
from onestop.core.models import Comment, Visibility
from onestop.engagements import chat, services
from onestop.engagements.models import Channel, Engagement
from onestop.notifications.models import Notification
from tests.factories import ClientContactFactory


@pytest.fixture
def engagement(cs_user, org_a):
    contact = ClientContactFactory(organization=org_a, name="陳建華", email="chen@a.example")
    inquiry = services.record_inquiry(
        actor=cs_user,
        client=org_a,
        contact=contact,
        channel=Channel.PHONE,
        subject="產線數據採集",
        need="需要方案",
    )
    return inquiry.engagement


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_INT_1_the_engagement_page_shows_a_chat_panel_that_polls_every_5_seconds(
    client, client_a, engagement
):
    client.force_login(client_a)
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert 'id="chat"' in page
    assert 'hx-trigger="every 5s"' in page
    assert reverse("engagements:chat_messages", args=[engagement.pk]) in page
    assert 'hx-post="{}"'.format(reverse("engagements:chat_post", args=[engagement.pk])) in page


def test_INT_1_client_and_customer_service_chat_on_the_engagement_page(client, client_a, cs_user, engagement):
    client.force_login(client_a)
    response = client.post(
        reverse("engagements:chat_post", args=[engagement.pk]), {"body": "請問多久能報價？"}, **HTMX
    )
    assert response.status_code == 200 and "請問多久能報價？" in response.content.decode()
    assert 'id="chat"' in response.content.decode()  # the panel again, with an empty form
    # Customer service is told, and answers; the client's next poll shows the answer.
    assert Notification.objects.filter(recipient=cs_user, title__contains=engagement.code).exists()
    client.force_login(cs_user)
    client.post(reverse("engagements:chat_post", args=[engagement.pk]), {"body": "三個工作天內。"}, **HTMX)
    client.force_login(client_a)
    fragment = client.get(reverse("engagements:chat_messages", args=[engagement.pk]), **HTMX)
    html = fragment.content.decode()
    assert html.index("請問多久能報價？") < html.index("三個工作天內。")
    assert "<html" not in html and 'id="chat-form"' not in html  # only the messages
    rows = Comment.objects.for_object(engagement)
    assert {row.visibility for row in rows} == {Visibility.SHARED}
    assert rows.get(author=cs_user).channel == Comment.Channel.CHAT
    assert Notification.objects.filter(recipient=client_a, title__contains=engagement.code).exists()


def test_INT_1_internal_notes_are_never_shown_in_the_clients_chat(client, client_a, cs_user, engagement):
    comments.add_comment(engagement, actor=cs_user, body="內部：客戶預算偏緊", visibility=Visibility.INTERNAL)
    comments.add_comment(
        engagement,
        actor=cs_user,
        body="內部電話紀錄",
        channel=Comment.Channel.CHAT,
        visibility=Visibility.INTERNAL,
    )
    chat.post_message(engagement, actor=cs_user, body="您好，我們已收到需求。")
    client.force_login(client_a)
    for url in (
        engagement.get_absolute_url(),
        reverse("engagements:chat_messages", args=[engagement.pk]),
    ):
        html = client.get(url).content.decode()
        assert "您好，我們已收到需求。" in html
        assert "客戶預算偏緊" not in html and "內部電話紀錄" not in html
    api = APIClient()
    api.force_authenticate(client_a)
    bodies = [row["body"] for row in api.get(f"/api/engagements/{engagement.pk}/chat/").json()]
    assert bodies == ["您好，我們已收到需求。"]
    # Staff see only the shared conversation in the chat too: the notes stay in the log.
    assert [m.body for m in chat.messages_for(engagement, cs_user)] == ["您好，我們已收到需求。"]


def test_INT_1_the_chat_fragment_runs_a_fixed_number_of_queries(client, client_a, cs_user, engagement):
    client.force_login(client_a)
    url = reverse("engagements:chat_messages", args=[engagement.pk])
    chat.post_message(engagement, actor=cs_user, body="第一則")
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(15):
        chat.post_message(engagement, actor=client_a if number % 2 else cs_user, body=f"訊息 {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("data-message=") == 16
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_INT_1_an_empty_chat_message_is_refused_next_to_the_field(client, client_a, engagement):
    client.force_login(client_a)
    response = client.post(reverse("engagements:chat_post", args=[engagement.pk]), {"body": "  "}, **HTMX)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Comment.objects.for_object(engagement).exists()


def test_X_3_client_b_cannot_read_or_write_client_as_chat(client, client_b, cs_user, engagement):
    chat.post_message(engagement, actor=cs_user, body="只給甲方看")
    client.force_login(client_b)
    assert client.get(reverse("engagements:chat_messages", args=[engagement.pk])).status_code == 404
    response = client.post(reverse("engagements:chat_post", args=[engagement.pk]), {"body": "偷看"}, **HTMX)
    assert response.status_code == 404
    api = APIClient()
    api.force_authenticate(client_b)
    assert api.get(f"/api/engagements/{engagement.pk}/chat/").status_code == 404
    assert (
        api.post(f"/api/engagements/{engagement.pk}/chat/", {"body": "x"}, format="json").status_code == 404
    )
    assert Comment.objects.for_object(engagement).count() == 1


def test_INT_1_a_client_starts_a_chat_in_the_portal_which_opens_a_new_engagement(
    client, client_a, cs_user, org_a
):
    client.force_login(client_a)
    assert client.get(reverse("engagements:chat_start")).status_code == 200
    response = client.post(
        reverse("engagements:chat_start"), {"subject": "", "body": "想了解設備聯網方案\n大約 50 台"}
    )
    engagement = Engagement.objects.get()
    assert response.status_code == 302 and response["Location"] == engagement.get_absolute_url() + "#chat"
    assert engagement.client == org_a and engagement.channel == Channel.CHAT
    assert engagement.title == "想了解設備聯網方案"
    inquiry = engagement.inquiries.get()
    assert inquiry.channel == Channel.CHAT and inquiry.recorded_by == client_a
    assert [m.body for m in chat.messages_for(engagement, client_a)] == ["想了解設備聯網方案\n大約 50 台"]
    # Customer service is told and holds the ball.
    assert Notification.objects.filter(recipient=cs_user, target_id=engagement.pk, level="action").exists()
    assert engagement.holder == cs_user
    page = client.get(response["Location"]).content.decode()
    assert "想了解設備聯網方案" in page and 'id="chat"' in page


def test_INT_1_starting_a_chat_without_a_question_is_refused_and_opens_nothing(client, client_a):
    client.force_login(client_a)
    response = client.post(reverse("engagements:chat_start"), {"body": ""})
    assert response.status_code == 400 and not Engagement.objects.exists()


def test_INT_1_only_client_users_start_a_chat_from_the_portal(client, cs_user):
    client.force_login(cs_user)
    assert client.get(reverse("engagements:chat_start")).status_code == 403
    api = APIClient()
    api.force_authenticate(cs_user)
    assert api.post("/api/chats/", {"body": "x"}, format="json").status_code == 403


def test_INT_1_the_chat_through_the_api(client_a, cs_user, org_a):
    api = APIClient()
    api.force_authenticate(client_a)
    response = api.post("/api/chats/", {"body": "需要檢測服務"}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["channel"] == "chat"
    staff = APIClient()
    staff.force_authenticate(cs_user)
    answer = staff.post(f"/api/engagements/{pk}/chat/", {"body": "好的，請提供樣品數量。"}, format="json")
    assert answer.status_code == 201 and answer.json()["channel"] == "chat"
    assert staff.post(f"/api/engagements/{pk}/chat/", {"body": ""}, format="json").status_code == 400
    messages = api.get(f"/api/engagements/{pk}/chat/").json()
    assert [m["body"] for m in messages] == ["需要檢測服務", "好的，請提供樣品數量。"]
    assert messages[1]["author_name"] == cs_user.display_name


def test_INT_1_a_closed_request_takes_no_more_chat_messages(personas):
    from onestop.core.exceptions import DomainError

    client_a, cs_user = personas["client_a"], personas["cs"]
    engagement = services.record_inquiry(
        actor=cs_user, client=client_a.client_organization, channel=Channel.PHONE, subject="諮詢", need="需求"
    ).engagement
    services.withdraw(engagement, actor=cs_user, comment="客戶取消")
    with pytest.raises(DomainError):
        chat.post_message(engagement, actor=client_a, body="還在嗎？")
