"""Issue 16 §3: the engagement list, its API, the client type-ahead and the header's search find
engagements through the full-text index of their search text — Chinese substrings of two
characters included, on SQLite (FTS5) and PostgreSQL (GIN) — with no DISTINCT over joined tables."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.accounts.models import ClientContact, ClientOrganization
from onestop.core.search import search
from onestop.engagements import services
from onestop.engagements.models import Channel, Engagement
from onestop.engagements.search_index import refresh
from tests.test_engagements import new_engagement


@pytest.fixture
def engagements(cs_user, org_a, org_b, make_user):
    """Three engagements of two clients with distinct words in title, client, contact and need."""
    org_a.name, org_b.name = "華東精密製造有限公司", "嶺南食品集團"
    org_a.save()
    org_b.save()
    contact_a = ClientContact.objects.create(organization=org_a, name="陳建華", mobile="13800000001")
    contact_b = ClientContact.objects.create(organization=org_b, name="黎婉儀", mobile="13800000002")
    first = new_engagement(cs_user, org_a, contact_a)  # 產線數據採集 / 200 台設備的運行數據
    second = services.record_inquiry(
        actor=cs_user,
        client=org_b,
        contact=contact_b,
        channel=Channel.EMAIL,
        subject="冷鏈倉儲溫控",
        need="冷庫溫度每分鐘上報，超標即時告警。",
    ).engagement
    third = services.record_inquiry(
        actor=cs_user,
        client=org_a,
        contact=contact_a,
        channel=Channel.PHONE,
        subject="Modbus gateway upgrade",
        need="把舊網關換成支持 OPC UA 的型號。",
    ).engagement
    return first, second, third


def listed(user, words: str) -> tuple[set[str], list[str]]:
    """The codes the engagement list shows for ``?q=words``, and the SQL it ran."""
    client = APIClient()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("engagements:engagement_list"), {"q": words})
    assert response.status_code == 200
    codes = {e.code for e in response.context["page"].object_list}
    return codes, [q["sql"] for q in queries.captured_queries]


def test_the_list_finds_two_chinese_characters_of_a_title_a_client_a_contact_and_a_need(engagements, cs_user):
    first, second, third = engagements
    assert listed(cs_user, "採集")[0] == {first.code}  # title
    assert listed(cs_user, "嶺南")[0] == {second.code}  # client
    assert listed(cs_user, "婉儀")[0] == {second.code}  # contact
    assert listed(cs_user, "告警")[0] == {second.code}  # need
    assert listed(cs_user, "精密製造")[0] == {first.code, third.code}  # a longer word, both of the client
    assert listed(cs_user, "gateway")[0] == {third.code}  # a Latin word, any case
    assert listed(cs_user, "冷鏈 溫控")[0] == {second.code}  # every word must match
    assert listed(cs_user, "冷鏈 網關")[0] == set()
    assert listed(cs_user, "火星")[0] == set()


def test_the_last_word_is_a_prefix_so_a_number_or_a_word_being_typed_is_found(engagements, cs_user):
    first, second, third = engagements
    assert listed(cs_user, first.code[:-1])[0] >= {first.code}
    assert listed(cs_user, first.code)[0] == {first.code}
    assert listed(cs_user, "Modb")[0] == {third.code}
    assert listed(cs_user, "冷")[0] == {second.code}  # one character: the pairs it starts


def test_the_list_search_reads_the_index_and_never_a_distinct_over_joins(engagements, cs_user):
    codes, sql = listed(cs_user, "採集")
    assert codes
    listing = [q for q in sql if "engagements_engagement" in q]
    assert not any("DISTINCT" in q.upper() for q in listing), listing
    assert not any("inquiry" in q.lower() for q in listing if "LIKE" in q.upper()), listing
    if connection.vendor == "sqlite":
        assert any("engagements_engagement_fts" in q and "MATCH" in q for q in sql), sql
    else:
        assert any("to_tsquery" in q for q in sql), sql


def test_a_renamed_client_or_contact_and_a_new_inquiry_are_found_at_once(engagements, cs_user, org_a):
    first, second, third = engagements
    org_a.name = "東海智能裝備"
    org_a.save()
    assert listed(cs_user, "智能裝備")[0] == {first.code, third.code}
    assert listed(cs_user, "精密")[0] == set()
    contact = first.contact
    contact.name = "歐陽修遠"
    contact.save()
    assert listed(cs_user, "歐陽")[0] == {first.code, third.code}
    # A further inquiry on the same engagement: its need is found too.
    services.record_inquiry(
        actor=cs_user,
        client=second.client,
        contact=second.contact,
        channel=Channel.PHONE,
        subject="冷鏈倉儲溫控",
        need="另需濕度監測。",
        engagement=second,
    )
    assert listed(cs_user, "濕度")[0] == {second.code}
    # Whatever the path, a refresh puts back exactly what the sources say, and changes nothing twice.
    assert refresh(Engagement.objects.all()) == 0


def test_a_client_sees_only_its_own_engagements_among_the_matches(engagements, client_a, client_b):
    _first, second, _third = engagements
    client_b.client_organization = ClientOrganization.objects.get(name="嶺南食品集團")
    client_b.save()
    assert listed(client_b, "溫控")[0] == {second.code}
    assert listed(client_b, "採集")[0] == set()  # client A's engagement, though it matches
    response = _api(client_b).get("/api/engagements/", {"q": "採集"})
    assert response.status_code == 200 and response.json()["count"] == 0


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_and_the_header_search_find_the_same_engagements(engagements, cs_user):
    first, _second, third = engagements
    response = _api(cs_user).get("/api/engagements/", {"q": "設備"})
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == [first.code]
    groups = {group.kind.model: group for group in search(cs_user, "設備")}
    assert [hit.url for hit in groups["engagements.Engagement"].hits] == [first.get_absolute_url()]
    # An exact number comes first in the header's search.
    groups = {group.kind.model: group for group in search(cs_user, third.code)}
    assert groups["engagements.Engagement"].hits[0].url == third.get_absolute_url()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_on_postgresql_the_search_uses_the_gin_index(engagements, cs_user):
    from onestop.core import fulltext

    rows = fulltext.matching(Engagement.objects.all(), "採集")
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows would be read whole anyway; without sequential scans the planner shows
        # that the query can be answered by the index at all. Without plain index scans too: with
        # few rows it may walk the primary key backwards (the list's order) and filter each row,
        # which depends on the table's statistics; a GIN index is read by a bitmap scan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "engagements_engagement_fts_gin" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's")
def test_on_sqlite_the_search_reads_the_fts5_index(engagements):
    from onestop.core import fulltext

    rows = fulltext.matching(Engagement.objects.all(), "採集")
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "VIRTUAL TABLE INDEX" in plan and "engagements_engagement_fts" in plan, plan


def test_words_of_punctuation_only_find_nothing_and_break_nothing(engagements, cs_user):
    assert listed(cs_user, " / ")[0] == set()
    assert search(cs_user, " / ") == [] or all(
        g.kind.model != "engagements.Engagement" for g in search(cs_user, " / ")
    )
    response = _api(cs_user).get("/api/search/", {"q": " / "})
    assert response.status_code == 200
