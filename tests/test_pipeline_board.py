"""The engagement list is the pipeline (X-1, issue 11 §2): a board by stage with the list's
filters, cards that move only where the next step allows it, and the engagement page linking
every record of its path that the user may see."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onestop.engagements import services
from onestop.engagements.models import Channel, Engagement
from tests.factories import ClientContactFactory
from tests.stages import stage_personas
from tests.test_contracts import confirmed_engagement

pytestmark = pytest.mark.django_db

BOARD = reverse("engagements:engagement_board")


@pytest.fixture(autouse=True)
def english(english):
    """Messages are asserted in their English source words (tests/conftest.py)."""
    yield


@pytest.fixture
def people(personas, make_user):
    return stage_personas(personas, make_user)


def inquiry(people, subject="產線數據採集", client="client_a", **extra):
    org = people[client].client_organization
    return services.record_inquiry(
        actor=people["cs"],
        client=org,
        contact=ClientContactFactory(organization=org),
        channel=Channel.PHONE,
        subject=subject,
        need="希望把設備數據集中採集。",
        **extra,
    ).engagement


def in_assessment(people, subject="評估中的需求"):
    return inquiry(people, subject, technician=people["technician"])


def column_of(page: str, stage: str) -> str:
    found = re.search(
        rf'<section class="app-board-column[^"]*" data-stage="{stage}".*?</section>', page, re.S
    )
    assert found, stage
    return found.group(0)


def card_of(page: str, engagement) -> str:
    found = re.search(rf'<article [^>]*id="card-{engagement.pk}".*?</article>', page, re.S)
    assert found, engagement.code
    return found.group(0)


# --- the board --------------------------------------------------------------------------------------


def test_the_board_has_a_column_per_stage_of_the_path_and_each_engagement_in_its_own(client, people):
    new = inquiry(people, "新來的詢問")
    assessing = in_assessment(people)
    planning = confirmed_engagement(people, 1, with_plan=False)
    contracting = confirmed_engagement(people, 2)
    client.force_login(people["admin"])
    page = client.get(BOARD).content.decode()
    stages = re.findall(r'<section class="app-board-column[^"]*" data-stage="([a-z_]+)"', page)
    assert stages == [
        "inquiry",
        "assessment",
        "confirmation",
        "plan",
        "contract",
        "implementation",
        "acceptance",
        "settlement",
    ]
    for engagement, stage in (
        (new, "inquiry"),
        (assessing, "assessment"),
        (planning, "plan"),
        (contracting, "contract"),
    ):
        assert f'id="card-{engagement.pk}"' in column_of(page, stage), (engagement.code, stage)
    # A card: code, title, client, who holds the ball and for how long.
    card = card_of(page, contracting)
    assert contracting.code in card and contracting.title in card and contracting.client.name in card
    assert "Legal (queue)" in card and "Waiting for" in card
    assert people["technician"].display_name in card_of(page, assessing)
    # The closed stages are folded away, counted, and link to the list.
    assert "?stage=withdrawn" in page and "app-board-closed" in page


def test_the_list_and_the_board_link_to_each_other_keeping_the_filters(client, people):
    client.force_login(people["admin"])
    listing = client.get(reverse("engagements:engagement_list"), {"q": "OS"}).content.decode()
    assert f'href="{BOARD}?q=OS"' in listing
    board = client.get(BOARD, {"q": "OS"}).content.decode()
    assert f'href="{reverse("engagements:engagement_list")}?q=OS"' in board


def test_the_board_uses_the_lists_filters(client, people):
    mine = in_assessment(people, "張工的需求")
    someone_elses = inquiry(people, "別人的需求")
    other_client = inquiry(people, "乙方的需求", client="client_b")
    client.force_login(people["admin"])
    by_technician = client.get(BOARD, {"technician": people["technician"].pk}).content.decode()
    assert mine.code in by_technician and someone_elses.code not in by_technician
    by_client = client.get(BOARD, {"client": other_client.client_id}).content.decode()
    assert other_client.code in by_client and mine.code not in by_client
    by_search = client.get(BOARD, {"q": "別人"}).content.decode()
    assert someone_elses.code in by_search and mine.code not in by_search
    client.force_login(people["technician"])
    held = client.get(BOARD, {"mine": "true"}).content.decode()
    assert mine.code in held and someone_elses.code not in held


def test_a_client_sees_only_its_own_organisations_cards(client, people):
    own = inquiry(people, "甲方需求")
    other = inquiry(people, "乙方需求", client="client_b")
    confirmed = confirmed_engagement(people, 3)
    client.force_login(people["client_a"])
    page = client.get(BOARD).content.decode()
    assert own.code in page and confirmed.code in page and other.code not in page
    # Nor may it drag anything: the company's steps are not the client's.
    assert 'draggable="true"' not in page
    client.force_login(people["client_b"])
    page = client.get(BOARD).content.decode()
    assert other.code in page and own.code not in page


def test_the_board_runs_a_fixed_number_of_queries_whatever_the_number_of_cards(client, people):
    inquiry(people)
    in_assessment(people)
    confirmed_engagement(people, 10)
    client.force_login(people["admin"])
    client.get(BOARD)  # warm up: the user's roles are read once per request user
    with CaptureQueriesContext(connection) as few:
        client.get(BOARD)
    for index in range(3):
        inquiry(people, f"詢問{index}")
        in_assessment(people, f"評估{index}")
        confirmed_engagement(people, 11 + index)
        confirmed_engagement(people, 21 + index, with_plan=False)
    with CaptureQueriesContext(connection) as many:
        page = client.get(BOARD).content.decode()
    assert page.count("<article ") == 15
    assert len(many.captured_queries) == len(few.captured_queries), len(many.captured_queries)


def test_a_full_column_shows_its_cap_and_links_to_the_list_filtered_to_its_stage(client, people, monkeypatch):
    from onestop.engagements import board

    monkeypatch.setattr(board, "CAP", 2)
    for index in range(5):
        inquiry(people, f"詢問{index}")
    client.force_login(people["admin"])
    column = column_of(client.get(BOARD, {"q": "詢問"}).content.decode(), "inquiry")
    assert column.count("<article ") == 2
    assert "and 3 more → list" in column
    assert f'href="{reverse("engagements:engagement_list")}?q=%E8%A9%A2%E5%95%8F&amp;stage=inquiry"' in column


def test_overdue_cards_say_so_in_words(client, people):
    from onestop.notifications.models import Deadline

    late = inquiry(people, "遲了的詢問")
    Deadline.objects.filter(target_id=late.pk).update(due_at=timezone.now() - timezone.timedelta(days=2))
    on_time = inquiry(people, "準時的詢問")
    Deadline.objects.filter(target_id=on_time.pk).update(due_at=timezone.now() + timezone.timedelta(days=2))
    client.force_login(people["admin"])
    page = client.get(BOARD).content.decode()
    assert "Overdue" in card_of(page, late) and "Overdue" not in card_of(page, on_time)


# --- moving cards -------------------------------------------------------------------------------------


def test_cards_are_draggable_only_where_the_next_step_is_allowed_to_this_user(client, people):
    new = inquiry(people)
    assessing = in_assessment(people)
    planning = confirmed_engagement(people, 4, with_plan=False)
    client.force_login(people["cs"])  # forwards inquiries; assessing is the technician's
    page = client.get(BOARD).content.decode()
    card = card_of(page, new)
    assert 'draggable="true"' in card and 'data-to="assessment"' in card and "Move to…" in card
    assert 'draggable="false"' in card_of(page, assessing)
    after = card_of(page, planning)
    assert 'draggable="false"' in after and "each stage moves on by its own records" in after
    client.force_login(people["technician"])
    page = client.get(BOARD).content.decode()
    assert 'data-to="confirmation"' in card_of(page, assessing)
    # Forwarding is customer service's step (the technician may not even see the new inquiry).
    assert f'id="card-{new.pk}"' not in page or 'draggable="false"' in card_of(page, new)


def test_a_drop_opens_the_steps_form_prefilled_and_submitting_it_moves_the_card(client, people):
    new = inquiry(people)
    client.force_login(people["cs"])
    url = reverse("engagements:engagement_move", args=[new.pk, "assessment"])
    form = client.get(url, {"partial": "1", "next": BOARD}).content.decode()
    assert "<form" in form and 'name="technician"' in form and "<html" not in form
    # The card's "Move to…" menu (keyboard, touch) opens the same form as a page of its own.
    assert 'name="technician"' in client.get(url).content.decode()
    response = client.post(url, {"technician": people["technician"].pk, "next": BOARD})
    assert response.status_code == 302 and response["Location"] == BOARD
    new.refresh_from_db()
    assert new.stage == Engagement.Stage.ASSESSMENT and new.technician == people["technician"]
    page = client.get(BOARD).content.decode()
    assert f'id="card-{new.pk}"' in column_of(page, "assessment")
    assert "Forwarded to" in page


def test_dropping_on_confirmation_records_the_assessment_as_in_scope(client, people):
    assessing = in_assessment(people)
    client.force_login(people["technician"])
    url = reverse("engagements:engagement_move", args=[assessing.pk, "confirmation"])
    form = client.get(url).content.decode()
    assert re.search(r'<input type="hidden" name="decision" value="in_scope"', form)
    # The form's own "out of scope" cannot be smuggled in: the column decides.
    response = client.post(
        url,
        {"decision": "out_of_scope", "service_goals": "集中採集", "technical_requirements": "秒級延遲"},
    )
    assert response.status_code == 302
    assessing.refresh_from_db()
    assert assessing.stage == Engagement.Stage.CONFIRMATION


def test_a_refused_move_keeps_the_user_on_the_form_with_the_message_and_the_input(client, people):
    assessing = in_assessment(people)
    client.force_login(people["technician"])
    url = reverse("engagements:engagement_move", args=[assessing.pk, "confirmation"])
    response = client.post(url, {"service_goals": "只寫了目標"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Required when the request is in scope." in page and "只寫了目標" in page
    assert Engagement.objects.get(pk=assessing.pk).stage == Engagement.Stage.ASSESSMENT


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("skip a column", 400, "cannot move from “Inquiry received” to “Requirement confirmation”"),
        ("after the confirmation", 400, "each stage moves on by its own records"),
        ("no such stage", 400, "There is no such stage on the board."),
        ("not the user's step", 403, "You may not move"),
    ],
)
def test_a_move_the_board_does_not_offer_is_refused_with_a_clear_message(
    client, people, case, status, message
):
    new = inquiry(people)
    assessing = in_assessment(people)
    planning = confirmed_engagement(people, 5, with_plan=False)
    target = {
        "skip a column": (new, "confirmation", "cs"),
        "after the confirmation": (planning, "contract", "admin"),
        "no such stage": (new, "nowhere", "cs"),
        "not the user's step": (assessing, "confirmation", "cs"),  # the technician's step
    }
    engagement, to, user = target[case]
    client.force_login(people[user])
    url = reverse("engagements:engagement_move", args=[engagement.pk, to])
    for response in (client.get(url), client.post(url, {"technician": people["technician"].pk})):
        assert response.status_code == status, case
        assert message in response.content.decode(), case
    assert Engagement.objects.get(pk=engagement.pk).stage == engagement.stage


def test_a_client_cannot_move_or_even_find_another_organisations_engagement(client, people):
    other = inquiry(people, client="client_b")
    client.force_login(people["client_a"])
    url = reverse("engagements:engagement_move", args=[other.pk, "assessment"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"technician": people["technician"].pk}).status_code == 404
    client.logout()
    assert client.post(url).status_code == 302  # to the log-in page


# --- the records of the path on the engagement page ---------------------------------------------------


def whole_path(people):
    """An engagement through approval of its settlement, with a payment, an inspection, the
    survey and a complaint."""
    from onestop.feedback import services as feedback
    from onestop.feedback.models import Survey
    from onestop.quality import services as quality
    from onestop.settlement import services as settlement_services
    from onestop.settlement.models import Payment
    from tests.test_settlement import approved

    settlement = approved(people, 60)
    contract = settlement.contract
    engagement = contract.engagement
    settlement_services.record_payment(
        contract,
        actor=people["finance"],
        direction=Payment.Direction.RECEIVED,
        paid_on=date(2026, 7, 15),
        amount=Decimal("1000.00"),
        method="bank_transfer",
    )
    project = contract.project if hasattr(contract, "project") else engagement.project
    quality.plan_inspection(
        project=project,
        planned_date=date(2026, 3, 1),
        inspector=people["quality"],
        kind="spot",
        actor=people["quality"],
    )
    if not Survey.objects.filter(engagement=engagement).exists():
        feedback.invite(engagement, actor=people["cs"])
    feedback.file_complaint(
        actor=people["client_a"], subject="報告延遲", description="報告晚了兩週。", engagement=engagement
    )
    return engagement


KINDS = [
    "Requirement confirmation",
    "Service plans",
    "Plan versions",
    "Service contracts",
    "Projects",
    "Inspections",
    "Acceptance rounds",
    "Fee settlements",
    "Payments",
    "Satisfaction surveys",
    "Complaints",
]


def records_panel(page: str) -> str:
    found = re.search(r'<div class="card mb-3" id="path-records">.*?\n</div>', page, re.S)
    assert found
    return found.group(0)


def test_the_engagement_page_links_every_record_of_its_path(client, people):
    engagement = whole_path(people)
    client.force_login(people["admin"])
    page = client.get(engagement.get_absolute_url()).content.decode()
    panel = records_panel(page)
    kinds = re.findall(r'data-kind="([^"]+)"', panel)
    assert kinds == KINDS
    assert engagement.plan.get_absolute_url() in panel
    assert engagement.contract.get_absolute_url() in panel
    assert "/forms/confirmation/pdf/" in panel
    for href in re.findall(r'<a href="([^"]+)"', panel):
        assert client.get(href).status_code == 200, href


def test_the_records_panel_hides_what_the_user_may_not_see(client, people):
    engagement = whole_path(people)
    client.force_login(people["client_a"])
    kinds = re.findall(
        r'data-kind="([^"]+)"', records_panel(client.get(engagement.get_absolute_url()).content.decode())
    )
    # The client sees its own side of the path: no internal plan, inspections or complaints of others.
    assert "Service plans" not in kinds and "Plan versions" not in kinds and "Inspections" not in kinds
    assert "Requirement confirmation" in kinds and "Complaints" in kinds
    for href in re.findall(
        r'<a href="([^"]+)"', records_panel(client.get(engagement.get_absolute_url()).content.decode())
    ):
        assert client.get(href).status_code == 200, href
    # Someone of another client may not even open the page.
    client.force_login(people["client_b"])
    assert client.get(engagement.get_absolute_url()).status_code == 404


def test_the_records_panel_runs_a_fixed_number_of_queries(people):
    from onestop.engagements.records import path_records
    from onestop.quality import services as quality

    engagement = whole_path(people)
    user = people["admin"]
    path_records(engagement, user)  # warm up the user's roles
    with CaptureQueriesContext(connection) as one:
        before = path_records(engagement, user)
    project = engagement.project
    for day in (2, 3, 4):
        quality.plan_inspection(
            project=project,
            planned_date=date(2026, 3, day),
            inspector=people["quality"],
            kind="spot",
            actor=people["quality"],
        )
    with CaptureQueriesContext(connection) as more:
        after = path_records(engagement, user)
    assert len(dict(after)["Inspections"]) == len(dict(before)["Inspections"]) + 3
    assert len(more.captured_queries) == len(one.captured_queries)
