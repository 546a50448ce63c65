"""What the pages show, through the API too (SPEC X-8): the forms' PDFs, the review criteria,
receivables ageing, the ledger, the engagement's path, and lists filtered by engagement or
contract. Each answer is compared with what the page's own code computes, and each endpoint
keeps the pages' visibility: a record the user may not see answers 404.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from onestop.contracts.models import PaymentInstalment
from onestop.engagements import timeline
from onestop.plans.models import PlanVersion, ReviewCriteriaSet
from onestop.settlement import selectors
from onestop.settlement.models import Payment
from tests.stages import in_english, signed_contract, stage_personas
from tests.test_settlement import api, approved, pay


@pytest.fixture
def personas(personas, make_user):
    return in_english(stage_personas(personas, make_user))


@pytest.fixture(autouse=True)
def english(english):
    yield


def pdf_url(record, code, **query):
    url = reverse("api:document-pdf", args=[record._meta.label_lower, record.pk, code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- the signed forms as PDF --------------------------------------------------------------------


def test_the_signed_settlement_form_downloads_as_a_pdf_for_whoever_sees_the_settlement(personas):
    settlement = approved(personas, 1)
    response = api(personas["finance"]).get(pdf_url(settlement, "settlement"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF")
    signed = api(personas["finance"]).get(pdf_url(settlement, "settlement", version=1))
    assert signed.status_code == 200 and signed.content.startswith(b"%PDF")


def test_the_pdf_of_a_record_the_user_may_not_see_is_missing(personas):
    settlement = approved(personas, 2)
    # Another client, and a member of staff not on the engagement's team (need-to-know).
    for persona in ("client_b", "hr"):
        response = api(personas[persona]).get(pdf_url(settlement, "settlement"))
        assert response.status_code == 404, persona


def test_an_unknown_form_a_wrong_record_kind_or_an_unsigned_version_is_missing(personas):
    settlement = approved(personas, 3)
    finance = api(personas["finance"])
    assert finance.get(pdf_url(settlement, "confirmation")).status_code == 404  # another kind's form
    assert finance.get(pdf_url(settlement, "no_such_form")).status_code == 404
    assert finance.get(pdf_url(settlement, "settlement", version=7)).status_code == 404
    assert finance.get(pdf_url(settlement, "settlement", version="x")).status_code == 404
    bad_model = reverse("api:document-pdf", args=["nowhere.nothing", settlement.pk, "settlement"])
    assert finance.get(bad_model).status_code == 404


def test_an_unknown_query_parameter_on_the_pdf_is_refused(personas):
    settlement = approved(personas, 4)
    response = api(personas["finance"]).get(pdf_url(settlement, "settlement", versoin=1))
    assert response.status_code == 400
    assert "versoin" in response.json()["errors"]


def test_the_pdf_requires_a_logged_in_user(personas):
    settlement = approved(personas, 5)
    from rest_framework.test import APIClient

    assert APIClient().get(pdf_url(settlement, "settlement")).status_code in (401, 403)


def test_the_contract_draft_pdf_is_there_for_legal(personas):
    contract = signed_contract(personas, 6)
    response = api(personas["legal"]).get(pdf_url(contract, "contract"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_forms_are_listed_with_their_record_kind_and_roles(personas):
    response = api(personas["cs"]).get(reverse("api:documents"))
    assert response.status_code == 200
    forms = {row["code"]: row for row in response.json()}
    assert forms["settlement"]["record_type"] == "settlement.settlement"
    assert forms["confirmation"]["record_type"] == "engagements.engagement"
    assert set(forms["confirmation"]["roles"]) == {"client", "technician"}


def test_the_schema_documents_the_pdf_as_a_binary_download(personas):
    response = api(personas["cs"]).get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"]["/api/documents/{model}/{id}/{code}/pdf/"]["get"]
    assert operation["responses"]["200"]["content"]["application/pdf"]["schema"]["format"] == "binary"


# --- the plan review criteria -------------------------------------------------------------------


def test_the_review_criteria_sets_give_the_score_keys_weights_scale_and_thresholds(personas):
    criteria = ReviewCriteriaSet.objects.create(
        name="十分制",
        version=5,
        scale_min=1,
        scale_max=10,
        pass_mean=Decimal("7"),
        min_criterion_mean=Decimal("5"),
        criteria=[{"code": "rationality", "weight": "2"}, {"code": "speed", "weight": "1", "label": "時效"}],
    )
    response = api(personas["lead"]).get(reverse("api:reviewcriteriaset-detail", args=[criteria.pk]))
    assert response.status_code == 200
    body = response.json()
    assert [(c["code"], Decimal(c["weight"])) for c in body["criteria"]] == [
        ("rationality", Decimal("2")),
        ("speed", Decimal("1")),
    ]
    assert body["criteria"][1]["label"] == "時效"
    assert (body["scale_min"], body["scale_max"]) == (1, 10)
    assert Decimal(body["pass_mean"]) == Decimal("7") and Decimal(body["min_criterion_mean"]) == Decimal("5")
    listed = api(personas["lead"]).get(reverse("api:reviewcriteriaset-list"), {"is_active": "true"})
    assert criteria.pk in [row["id"] for row in listed.json()["results"]]


def test_clients_do_not_see_the_review_criteria_and_nobody_changes_them_here(personas):
    criteria = ReviewCriteriaSet.active()
    client = api(personas["client_a"])
    # Clients have no permission for the kind of record at all (403), as on the admin pages.
    assert client.get(reverse("api:reviewcriteriaset-detail", args=[criteria.pk])).status_code == 403
    assert client.get(reverse("api:reviewcriteriaset-list")).status_code == 403
    url = reverse("api:reviewcriteriaset-detail", args=[criteria.pk])
    # Read-only: the sets are edited in the admin site, where a used set is frozen.
    assert api(personas["admin"]).patch(url, {"pass_mean": "1"}, format="json").status_code in (403, 405)
    criteria.refresh_from_db()
    assert criteria.pass_mean == Decimal("3.5")


def test_a_plan_version_links_the_criteria_set_it_is_scored_by(personas):
    contract = signed_contract(personas, 7)
    version = contract.engagement.plan.effective_version
    criteria = ReviewCriteriaSet.active()
    PlanVersion.objects.filter(pk=version.pk).update(criteria_set=criteria)
    response = api(personas["management"]).get(reverse("api:planversion-detail", args=[version.pk]))
    assert response.status_code == 200
    body = response.json()
    assert body["criteria_set"] == criteria.pk
    assert body["criteria_set_url"].endswith(reverse("api:reviewcriteriaset-detail", args=[criteria.pk]))


# --- receivables ageing and the ledger ----------------------------------------------------------


def test_the_ageing_answers_the_same_buckets_as_the_ageing_page(personas):
    contract = signed_contract(personas, 8)
    PaymentInstalment.objects.filter(contract=contract).delete()
    today = timezone.localdate()
    for number, (amount, days) in enumerate([("100000", 100), ("100000", 45), ("100000", -10)], start=1):
        PaymentInstalment.objects.create(
            contract=contract, number=number, amount=Decimal(amount), due_date=today - timedelta(days=days)
        )
    pay(contract, personas, "30000.00")
    response = api(personas["finance"]).get(reverse("api:receivables-ageing"))
    assert response.status_code == 200
    body = response.json()
    (row,) = [r for r in body["rows"] if r["contract"] == contract.pk]
    assert {k: Decimal(v) for k, v in row["buckets"].items()} == {
        "current": Decimal("100000.00"),
        "days_1_30": Decimal("0"),
        "days_31_60": Decimal("100000.00"),
        "days_61_90": Decimal("0"),
        "over_90": Decimal("70000.00"),
    }
    assert row["contract_code"] == contract.code
    assert row["client_name"] == contract.engagement.client.name
    _rows, _totals, total = selectors.ageing(today)
    assert Decimal(body["total"]) == total == Decimal("270000.00")
    assert body["today"] == today.isoformat()


def test_the_ageing_is_for_finance_and_management_only(personas):
    signed_contract(personas, 9)
    for persona, expected in (("finance", 200), ("management", 200), ("cs", 403), ("client_a", 403)):
        response = api(personas[persona]).get(reverse("api:receivables-ageing"))
        assert response.status_code == expected, persona


def ledger_payments(personas):
    settlement = approved(personas, 10)
    contract = settlement.contract
    pay(contract, personas, "1000.00", paid_on=date(2026, 6, 30), reference="EARLY")
    pay(contract, personas, "120000.00", paid_on=date(2026, 7, 15), reference="B-1", settlement=settlement)
    pay(
        contract,
        personas,
        "3000.00",
        direction=Payment.Direction.SUBCONTRACTOR,
        paid_on=date(2026, 7, 31),
        reference="B-2",
    )
    return settlement


def test_the_ledger_lists_the_payments_of_a_period_oldest_first(personas):
    settlement = ledger_payments(personas)
    response = api(personas["finance"]).get(
        reverse("api:ledger-list"), {"start": "2026-07-01", "end": "2026-07-31"}
    )
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["paid_on"], r["reference"], r["direction"], Decimal(r["amount"])) for r in rows] == [
        ("2026-07-15", "B-1", "received", Decimal("120000.00")),
        ("2026-07-31", "B-2", "subcontractor", Decimal("3000.00")),
    ]
    assert rows[0]["settlement_code"] == settlement.code and rows[1]["settlement_code"] == ""
    assert rows[0]["contract_code"] == settlement.contract.code
    assert rows[0]["direction_display"] == "Received from the client"
    everything = api(personas["finance"]).get(reverse("api:ledger-list")).json()
    assert [r["reference"] for r in everything["results"]] == ["EARLY", "B-1", "B-2"]


def test_the_ledger_downloads_as_the_same_excel_file_as_the_page(personas, client):
    from openpyxl import load_workbook

    ledger_payments(personas)
    query = {"start": "2026-07-01", "end": "2026-07-31"}
    response = api(personas["finance"]).get(reverse("api:ledger-xlsx"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(personas["finance"])
    page = client.get(reverse("settlement:ledger"), {**query, "format": "xlsx"})

    def cells(content):
        sheet = load_workbook(io.BytesIO(content)).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    assert cells(response.content) == cells(page.content)
    assert [row[6] for row in cells(response.content)[1:]] == ["B-1", "B-2"]


def test_the_ledger_refuses_a_period_ending_before_it_starts_and_unknown_parameters(personas):
    finance = api(personas["finance"])
    backwards = finance.get(reverse("api:ledger-list"), {"start": "2026-07-31", "end": "2026-07-01"})
    assert backwards.status_code == 400
    assert "end" in backwards.json()["errors"]
    assert finance.get(reverse("api:ledger-xlsx"), {"start": "not a date"}).status_code == 400
    misspelt = finance.get(reverse("api:ledger-list"), {"strat": "2026-07-01"})
    assert misspelt.status_code == 400 and "strat" in misspelt.json()["errors"]


def test_the_ledger_is_for_finance_and_management_only(personas):
    for persona in ("cs", "lead", "client_a"):
        assert api(personas[persona]).get(reverse("api:ledger-list")).status_code == 403, persona
        assert api(personas[persona]).get(reverse("api:ledger-xlsx")).status_code == 403, persona
    assert api(personas["management"]).get(reverse("api:ledger-list")).status_code == 200


# --- the engagement's path ----------------------------------------------------------------------


def test_the_engagements_path_gives_the_stages_with_durations_and_the_timeline(personas):
    from onestop.engagements import services
    from onestop.engagements.models import Channel

    engagement = services.record_inquiry(
        actor=personas["cs"],
        client=personas["client_a"].client_organization,
        channel=Channel.PHONE,
        subject="產線數據採集",
        need="需求描述",
    ).engagement
    services.forward(engagement, actor=personas["cs"], technician=personas["technician"])
    response = api(personas["management"]).get(reverse("api:engagement-path", args=[engagement.pk]))
    assert response.status_code == 200
    body = response.json()
    spans, events = timeline.build(engagement, personas["management"])
    assert [(s["stage"], s["label"]) for s in body["stages"]] == [(s.stage, s.label) for s in spans]
    inquiry, assessment = body["stages"][0], body["stages"][1]
    assert inquiry["started"] is not None and inquiry["ended"] is not None and not inquiry["is_current"]
    assert inquiry["duration_seconds"] == int(spans[0].duration.total_seconds())
    assert assessment["is_current"] and assessment["ended"] is None and assessment["duration_seconds"] >= 0
    upcoming = body["stages"][-1]
    assert upcoming["started"] is None and upcoming["duration_seconds"] is None
    assert [(e["kind"], e["title"]) for e in body["events"]] == [(e.kind, e.title) for e in events]
    assert body["events"][0]["who_name"] == personas["cs"].display_name


def test_the_path_of_an_engagement_the_user_may_not_see_is_missing(personas):
    engagement = signed_contract(personas, 12).engagement
    for persona in ("client_b", "hr"):
        response = api(personas[persona]).get(reverse("api:engagement-path", args=[engagement.pk]))
        assert response.status_code == 404, persona


# --- lists filtered by engagement and contract --------------------------------------------------


def test_plans_and_contracts_filter_by_engagement(personas):
    first, second = signed_contract(personas, 13), signed_contract(personas, 14)
    management = api(personas["management"])
    plans = management.get(reverse("api:plan-list"), {"engagement": first.engagement_id}).json()["results"]
    assert [p["engagement"] for p in plans] == [first.engagement_id]
    contracts = management.get(reverse("api:contract-list"), {"engagement": second.engagement_id}).json()
    assert [c["id"] for c in contracts["results"]] == [second.pk]


def test_settlements_and_payments_filter_by_contract_and_engagement(personas):
    settlement = approved(personas, 15)
    other = signed_contract(personas, 16)
    pay(settlement.contract, personas, "10.00")
    pay(other, personas, "20.00")
    finance = api(personas["finance"])
    by_contract = finance.get(reverse("api:payment-list"), {"contract": other.pk}).json()["results"]
    assert [Decimal(p["amount"]) for p in by_contract] == [Decimal("20.00")]
    by_engagement = finance.get(
        reverse("api:payment-list"), {"engagement": settlement.contract.engagement_id}
    )
    assert [Decimal(p["amount"]) for p in by_engagement.json()["results"]] == [Decimal("10.00")]
    settlements = finance.get(reverse("api:settlement-list"), {"contract": other.pk}).json()["results"]
    assert settlements == []
    settlements = finance.get(
        reverse("api:settlement-list"), {"engagement": settlement.contract.engagement_id}
    ).json()["results"]
    assert [s["id"] for s in settlements] == [settlement.pk]


def test_a_filter_by_an_id_that_is_not_a_number_is_refused(personas):
    response = api(personas["finance"]).get(reverse("api:payment-list"), {"contract": "abc"})
    assert response.status_code == 400 and "contract" in response.json()["errors"]


def test_the_list_pages_take_the_same_engagement_filter(personas, client):
    first, second = signed_contract(personas, 17), signed_contract(personas, 18)
    client.force_login(personas["management"])
    page = client.get(
        reverse("contracts:contract_list"), {"engagement": first.engagement_id}
    ).content.decode()
    assert first.code in page and second.code not in page


# --- a contract's account ------------------------------------------------------------------------


def test_a_contracts_account_gives_the_balance_page_figures(personas):
    contract = signed_contract(personas, 19)
    pay(contract, personas, "100000.00")
    pay(contract, personas, "2500.00", direction=Payment.Direction.REFUND)
    url = reverse("api:receivables-balance", args=[contract.pk])
    response = api(personas["finance"]).get(url)
    assert response.status_code == 200
    body = {k: v if k == "contract" else Decimal(v) for k, v in response.json().items()}
    assert body == {
        "contract": contract.pk,
        "contract_value": Decimal("300000.00"),
        "approved_changes": Decimal("0"),
        "receivable": Decimal("300000.00"),
        "received": Decimal("100000.00"),
        "paid_out": Decimal("2500.00"),
        "balance": Decimal("202500.00"),
        "written_off": Decimal("0"),
        "outstanding": Decimal("202500.00"),
    }


def test_a_contracts_account_is_not_for_clients_nor_for_staff_without_need_to_know(personas):
    contract = signed_contract(personas, 20)
    url = reverse("api:receivables-balance", args=[contract.pk])
    assert api(personas["client_a"]).get(url).status_code == 403
    assert api(personas["hr"]).get(url).status_code in (403, 404)
    assert api(personas["finance"]).get(reverse("api:receivables-balance", args=[999999])).status_code == 404
