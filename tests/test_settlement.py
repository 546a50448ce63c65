"""Fee settlement: the application after acceptance (FEE-1), finance's review against the system's
calculation (FEE-2), payments, the balance, write-offs, ageing and the ledger (FEE-3).

The service-only transitions of ``Settlement`` — ``submit``, ``return_to_lead`` and ``approve`` —
are run through ``settlement.services`` in the flow tests below.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from onestop.acceptance.models import AcceptanceRound
from onestop.contracts.models import PaymentInstalment
from onestop.core import signatures
from onestop.core.exceptions import DomainError
from onestop.core.models import SecurityEvent
from onestop.core.workflow import transition_log
from onestop.settlement import selectors, services
from onestop.settlement.documents import settlement_form
from onestop.settlement.models import Payment, Settlement, SettlementItem, WriteOff
from tests.factories import PASSWORD
from tests.generic import ModelTestBase
from tests.stages import make_project, signed_contract, stage_personas
from tests.workflow import run_concurrently

_indexes = itertools.count(3000)  # engagement numbers for records made by create_data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def personas(personas, make_user):
    people = stage_personas(personas, make_user)
    for user in people.values():
        type(user).objects.filter(pk=user.pk).update(language="en")
        user.language = "en"
    return people


@pytest.fixture(autouse=True)
def english(english):
    """English messages everywhere (see tests/conftest.py), also for API calls."""
    yield


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def invoice_file(name="invoice.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def pass_acceptance(project, milestone=None, number=None):
    number = number or project.acceptance_rounds.count() + 1
    return AcceptanceRound.objects.create(
        project=project, number=number, milestone=milestone, state=AcceptanceRound.State.PASSED
    )


def two_instalments(contract):
    """100,000 at 調研完成 and 200,000 at 最終驗收 (the contract value 300,000)."""
    PaymentInstalment.objects.filter(contract=contract, number=1).update(
        amount=Decimal("100000.00"), milestone="調研完成", due_date=None
    )
    PaymentInstalment.objects.create(
        contract=contract, number=2, amount=Decimal("200000.00"), milestone="最終驗收", condition="驗收合格後"
    )


def accepted_project(personas, index=0, *, instalments=1):
    project = make_project(personas, index, state="accepted")
    if instalments == 2:
        two_instalments(project.contract)
    pass_acceptance(project)
    return project


def applied(personas, index=0, **kwargs):
    project = accepted_project(personas, index)
    return services.apply(project.contract, actor=personas["lead"], **kwargs)


def with_invoice(settlement, personas, amount=None):
    return services.attach_invoice(
        settlement,
        actor=personas["lead"],
        number="INV-0001",
        issued_on=date(2026, 7, 1),
        amount=settlement.amount if amount is None else amount,
        upload=invoice_file(),
    )


def submitted(personas, index=0, **kwargs):
    settlement = with_invoice(applied(personas, index, **kwargs), personas)
    return services.submit(settlement, actor=personas["lead"])


def approved(personas, index=0):
    return services.approve(submitted(personas, index), actor=personas["finance"], password=PASSWORD)


# --- generic tests per model -------------------------------------------------------------------


class TestSettlement(ModelTestBase):
    model = Settlement
    api_basename = "settlement"
    manager = "lead"
    deleter = "admin"
    viewer = "cs"
    outsider = "client_b"
    invalid_field = "contract"

    def make_object(self, personas, index=0):
        return applied(personas, index + 100)

    def create_data(self, personas):
        project = accepted_project(personas, next(_indexes))
        return {"contract": project.contract.pk, "instalment": "", "payment_method": "bank_transfer"}

    def api_create_data(self, personas):
        return {**self.create_data(personas), "instalment": None}

    def update_data(self, obj, personas):
        return {"payment_method": "cheque", "description": "完成評估與整改複測"}

    def invalid_data(self, personas):
        return {"contract": "", "payment_method": "bank_transfer"}


class TestSettlementItem(ModelTestBase):
    model = SettlementItem
    api_basename = "settlementitem"
    manager = "lead"
    viewer = "cs"
    outsider = "client_b"
    invalid_field = "amount"

    def make_object(self, personas, index=0):
        return applied(personas, index + 200).items.first()

    def create_data(self, personas):
        settlement = applied(personas, next(_indexes))
        settlement.items.all().delete()  # only the item under test is new
        return {"settlement": settlement.pk, "description": "差旅費", "amount": "1500.00", "instalment": ""}

    def api_create_data(self, personas):
        return {**self.create_data(personas), "instalment": None}

    def update_data(self, obj, personas):
        return {
            "settlement": obj.settlement_id,
            "description": "差旅費（修正）",
            "amount": "1200.00",
            "instalment": "",
        }

    def api_update_data(self, obj, personas):
        return {"description": "差旅費（修正）", "amount": "1200.00"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "amount": "0"}


class TestPayment(ModelTestBase):
    model = Payment
    api_basename = "payment"
    manager = "finance"
    deletable = False
    viewer = "cs"
    outsider = "client_b"
    invalid_field = "amount"

    def make_object(self, personas, index=0):
        contract = signed_contract(personas, index + 500)
        return services.record_payment(
            contract,
            actor=personas["finance"],
            direction=Payment.Direction.RECEIVED,
            paid_on=date(2026, 7, 1),
            amount=Decimal("1000.00"),
            method="bank_transfer",
            note="內部備註",
        )

    def create_data(self, personas):
        contract = signed_contract(personas, next(_indexes))
        return {
            "contract": contract.pk,
            "settlement": "",
            "direction": "received",
            "paid_on": "2026-07-10",
            "amount": "50000.00",
            "method": "bank_transfer",
            "reference": "BANK-001",
            "note": "",
            "over_limit_reason": "",
        }

    def api_create_data(self, personas):
        return {**self.create_data(personas), "settlement": None}

    def update_data(self, obj, personas):
        return {"reference": "BANK-002", "note": "更正流水號"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "amount": "-5"}


class TestWriteOff(ModelTestBase):
    model = WriteOff
    api_basename = "writeoff"
    manager = "finance"
    deletable = False
    viewer = "cs"
    no_view = "client_a"
    invalid_field = "reason"

    def make_object(self, personas, index=0):
        contract = signed_contract(personas, index + 900)
        return services.write_off(contract, actor=personas["finance"], reason="客戶破產清算")

    def create_data(self, personas):
        contract = signed_contract(personas, next(_indexes))
        return {"contract": contract.pk, "written_off_on": "2026-08-01", "reason": "尾款無法收回"}

    def update_data(self, obj, personas):
        return {
            "contract": obj.contract_id,
            "written_off_on": "2026-08-02",
            "reason": "尾款無法收回（董事會決議）",
        }

    def invalid_data(self, personas):
        return {**self.create_data(personas), "reason": ""}


# --- FEE-1: the application -----------------------------------------------------------------------


def test_FEE_1_settlement_before_acceptance_is_refused(personas):
    project = make_project(personas, 1, state="completed")
    with pytest.raises(DomainError) as refused:
        services.apply(project.contract, actor=personas["lead"])
    assert "Settlement can be applied for only after acceptance has passed" in refused.value.message
    response = api(personas["lead"]).post(
        reverse("api:settlement-list"), {"contract": project.contract.pk}, format="json"
    )
    assert response.status_code == 400
    assert "only after acceptance has passed" in response.json()["detail"]
    # A failed round is no better.
    AcceptanceRound.objects.create(project=project, number=1, state=AcceptanceRound.State.FAILED)
    with pytest.raises(DomainError):
        services.apply(project.contract, actor=personas["lead"])
    assert not Settlement.objects.exists()


def test_FEE_1_an_instalment_needs_its_milestones_or_the_whole_projects_passed_acceptance(personas):
    project = make_project(personas, 2, state="completed")
    two_instalments(project.contract)
    first, second = project.contract.instalments.order_by("number")
    research = project.milestones.get(name="調研完成")
    pass_acceptance(project, milestone=research)
    # The milestone passed: its instalment may be settled, the other and the whole contract not.
    settlement = services.apply(project.contract, actor=personas["lead"], instalment=first)
    assert settlement.acceptance_round.milestone == research
    assert [(i.amount, i.instalment) for i in settlement.items.all()] == [(Decimal("100000.00"), first)]
    Settlement.objects.filter(pk=settlement.pk).update(state=Settlement.State.APPROVED)
    with pytest.raises(DomainError, match="only after acceptance has passed"):
        services.apply(project.contract, actor=personas["lead"], instalment=second)
    with pytest.raises(DomainError, match="only after acceptance has passed"):
        services.apply(project.contract, actor=personas["lead"])
    # The whole project passes: the rest is settled, prefilled with the instalment not yet settled.
    pass_acceptance(project)
    rest = services.apply(project.contract, actor=personas["lead"])
    assert [(i.amount, i.instalment) for i in rest.items.all()] == [(Decimal("200000.00"), second)]
    calc = selectors.calculation(rest)
    assert (calc.already_settled, calc.expected, calc.difference) == (
        Decimal("100000.00"),
        Decimal("200000.00"),
        Decimal("0.00"),
    )


def test_FEE_1_the_application_is_prefilled_with_the_approved_changes(personas, monkeypatch):
    monkeypatch.setattr(selectors, "approved_changes", lambda contract: Decimal("15000.00"))
    settlement = applied(personas, 3)
    items = [(item.description, item.amount) for item in settlement.items.all()]
    assert items[-1] == ("Approved changes", Decimal("15000.00"))
    assert settlement.amount == Decimal("315000.00")
    assert selectors.calculation(settlement).expected == Decimal("315000.00")


def test_FEE_1_only_the_project_lead_applies_and_one_application_is_open_at_a_time(personas, make_user):
    project = accepted_project(personas, 4)
    other_lead = make_user("project_lead", username="lead2")
    with pytest.raises(PermissionDenied):
        services.apply(project.contract, actor=other_lead)
    with pytest.raises(PermissionDenied):
        services.apply(project.contract, actor=personas["finance"])
    services.apply(project.contract, actor=personas["lead"])
    with pytest.raises(DomainError, match="in progress"):
        services.apply(project.contract, actor=personas["lead"])


def test_FEE_1_the_invoice_file_is_checked_and_the_acceptance_report_is_linked(personas, client):
    settlement = applied(personas, 5)
    with pytest.raises(DomainError, match="not accepted"):
        services.attach_invoice(
            settlement,
            actor=personas["lead"],
            number="INV-9",
            issued_on=date(2026, 7, 1),
            amount=Decimal("1.00"),
            upload=SimpleUploadedFile(
                "invoice.exe", b"MZ\x90\x00binary", content_type="application/octet-stream"
            ),
        )
    settlement.refresh_from_db()
    assert settlement.invoice_number == "" and settlement.invoice_file is None
    with pytest.raises(DomainError, match="Enter the invoice"):
        services.submit(settlement, actor=personas["lead"])
    client.force_login(personas["lead"])
    response = client.post(
        reverse("settlement:settlement_invoice", args=[settlement.pk]),
        {
            "invoice_number": "INV-7",
            "invoice_date": "2026-07-01",
            "invoice_amount": "300000.00",
            "file": invoice_file(),
        },
    )
    assert response.status_code == 302
    settlement.refresh_from_db()
    assert settlement.invoice_file.original_name == "invoice.pdf"
    page = client.get(settlement.get_absolute_url()).content.decode()
    assert str(settlement.acceptance_round) in page
    assert "invoice.pdf" in page


# --- FEE-2: the review ------------------------------------------------------------------------------


def test_FEE_2_an_invoice_amount_that_differs_from_the_settlement_is_refused_with_both_amounts(
    personas, client
):
    settlement = applied(personas, 6)
    with_invoice(settlement, personas, amount=Decimal("299000.00"))
    services.submit(settlement, actor=personas["lead"])
    with pytest.raises(DomainError) as refused:
        services.approve(settlement, actor=personas["finance"], password=PASSWORD)
    assert "CNY 299,000.00" in refused.value.message and "CNY 300,000.00" in refused.value.message
    settlement.refresh_from_db()
    assert settlement.state == Settlement.State.SUBMITTED
    assert not signatures.signatures_for(settlement).exists()
    response = api(personas["finance"]).post(
        reverse("api:settlement-approve", args=[settlement.pk]), {"password": PASSWORD}
    )
    assert response.status_code == 400 and "299,000.00" in response.json()["detail"]
    client.force_login(personas["finance"])
    page = client.get(settlement.get_absolute_url()).content.decode()
    assert "Differences found" in page and "table-danger" in page


def test_FEE_2_returned_once_corrected_and_approved_with_finances_signature(personas, client):
    settlement = applied(personas, 7)
    with_invoice(settlement, personas, amount=Decimal("290000.00"))
    services.submit(settlement, actor=personas["lead"])
    # Only finance reviews; a return needs the corrections required.
    with pytest.raises(PermissionDenied):
        services.return_to_lead(settlement, actor=personas["lead"], comment="x")
    with pytest.raises(DomainError, match="Give a reason"):
        services.return_to_lead(settlement, actor=personas["finance"], comment="  ")
    services.return_to_lead(settlement, actor=personas["finance"], comment="發票金額與結算金額不符，請更正。")
    settlement.refresh_from_db()
    assert (settlement.state, settlement.returned_count) == (Settlement.State.RETURNED, 1)
    # The lead corrects through the page and resubmits: a new version.
    client.force_login(personas["lead"])
    response = client.post(
        reverse("settlement:settlement_invoice", args=[settlement.pk]),
        {"invoice_number": "INV-0002", "invoice_date": "2026-07-02", "invoice_amount": "300000.00"},
    )
    assert response.status_code == 302
    assert client.post(reverse("settlement:settlement_submit", args=[settlement.pk])).status_code == 302
    settlement.refresh_from_db()
    assert (settlement.state, settlement.version) == (Settlement.State.SUBMITTED, 2)
    # Finance approves through the API: without the password refused (and the refusal recorded,
    # though the approval's transaction rolled back), then signed, the hash kept.
    finance = api(personas["finance"])
    response = finance.post(reverse("api:settlement-approve", args=[settlement.pk]))
    assert (response.status_code, response.json()["code"]) == (400, "reauth_required")
    response = finance.post(reverse("api:settlement-approve", args=[settlement.pk]), {"password": "guess"})
    assert (response.status_code, response.json()["code"]) == (400, "reauth_failed")
    assert SecurityEvent.objects.filter(
        user=personas["finance"], kind=SecurityEvent.Kind.SIGNING_REFUSED
    ).exists()
    assert not signatures.signatures_for(settlement).exists()
    response = finance.post(reverse("api:settlement-approve", args=[settlement.pk]), {"password": PASSWORD})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "approved"
    settlement.refresh_from_db()
    signature = signatures.signatures_for(settlement).get()
    assert (signature.version, signature.role, signature.signer) == (2, "finance", personas["finance"])
    assert signature.sha256 == signatures.sha256(settlement_form().render(settlement))
    assert settlement.approved_amount == Decimal("300000.00")
    log = [(row.transition, row.by) for row in transition_log(settlement)]
    assert log == [
        ("submit", personas["lead"]),
        ("return_to_lead", personas["finance"]),
        ("submit", personas["lead"]),
        ("approve", personas["finance"]),
    ]
    assert settlement.history.count() >= 5
    # Approved: no more changes.
    with pytest.raises(DomainError):
        services.attach_invoice(
            settlement, actor=personas["lead"], number="X", issued_on=date(2026, 7, 3), amount=Decimal("1")
        )
    assert (
        client.post(
            reverse("settlement:settlement_edit", args=[settlement.pk]), {"payment_method": "cash"}
        ).status_code
        == 403
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_FEE_2_two_finance_users_approving_at_the_same_moment_give_one_approval(personas, make_user):
    settlement = submitted(personas, 8)
    second = make_user("finance", username="finance2")

    def attempt(user):
        def prepare():
            current = Settlement.objects.get(pk=settlement.pk)  # both read the submitted settlement
            return lambda: services.approve(current, actor=user, password=PASSWORD)

        return prepare

    _results, errors = run_concurrently(attempt(personas["finance"]), attempt(second))
    assert sum(error is None for error in errors) == 1, errors
    assert all(isinstance(error, DomainError) for error in errors if error is not None), errors
    settlement.refresh_from_db()
    assert settlement.state == Settlement.State.APPROVED
    assert signatures.signatures_for(settlement).count() == 1
    assert [row.transition for row in transition_log(settlement)].count("approve") == 1


def test_FEE_2_finance_sees_the_system_calculation_and_the_instalments_covered(personas):
    project = accepted_project(personas, 9, instalments=2)
    settlement = services.apply(project.contract, actor=personas["lead"])
    SettlementItem.objects.filter(settlement=settlement).first().delete()
    settlement.refresh_from_db()
    calc = selectors.calculation(settlement)
    assert calc.expected == Decimal("300000.00")
    assert calc.declared == Decimal("200000.00")
    assert calc.difference == Decimal("-100000.00")
    assert [i.number for i in calc.instalments] == [1, 2]
    response = api(personas["finance"]).get(reverse("api:settlement-calculation", args=[settlement.pk]))
    assert response.status_code == 200
    assert response.json()["difference"] == "-100000.00"
    assert (
        api(personas["lead"]).get(reverse("api:settlement-calculation", args=[settlement.pk])).status_code
        == 403
    )


# --- FEE-3: payments, balance, write-off -------------------------------------------------------------


def pay(contract, personas, amount, direction=Payment.Direction.RECEIVED, **kwargs):
    return services.record_payment(
        contract,
        actor=personas["finance"],
        direction=direction,
        paid_on=kwargs.pop("paid_on", date(2026, 7, 15)),
        amount=Decimal(amount),
        method="bank_transfer",
        **kwargs,
    )


def test_FEE_3_money_beyond_the_contract_value_and_changes_is_refused_without_a_reason(personas):
    contract = signed_contract(personas, 10)
    pay(contract, personas, "300000.00")
    with pytest.raises(DomainError) as refused:
        pay(contract, personas, "0.01")
    assert "CNY 300,000.01" in refused.value.message and "CNY 300,000.00" in refused.value.message
    assert Payment.objects.filter(contract=contract).count() == 1
    response = api(personas["finance"]).post(
        reverse("api:payment-list"),
        {
            "contract": contract.pk,
            "direction": "received",
            "paid_on": "2026-07-20",
            "amount": "500.00",
            "method": "cash",
        },
        format="json",
    )
    assert response.status_code == 400 and "over_limit_reason" in response.json()["errors"]
    payment = pay(contract, personas, "500.00", over_limit_reason="客戶多付，下月退還")
    assert payment.over_limit_reason == "客戶多付，下月退還"
    assert selectors.balance(contract).balance == Decimal("-500.00")
    # Money paid out is never limited; a refund brings the balance back.
    pay(contract, personas, "500.00", direction=Payment.Direction.REFUND)
    assert selectors.balance(contract).balance == Decimal("0.00")


def test_FEE_3_two_partial_payments_settle_in_full_and_the_engagement_closes(personas):
    settlement = approved(personas, 11)
    contract = settlement.contract
    engagement = contract.engagement
    assert not selectors.is_settled(engagement)
    pay(contract, personas, "120000.00", settlement=settlement)
    engagement.refresh_from_db()
    assert not selectors.is_settled(engagement) and engagement.stage == "confirmed"
    assert selectors.balance(contract).outstanding == Decimal("180000.00")
    pay(contract, personas, "180000.00", settlement=settlement)
    engagement.refresh_from_db()
    assert selectors.is_settled(engagement)
    assert engagement.stage == "closed"


def test_FEE_3_paid_in_full_before_approval_closes_when_finance_approves(personas):
    settlement = submitted(personas, 12)
    pay(settlement.contract, personas, "300000.00")
    engagement = settlement.contract.engagement
    engagement.refresh_from_db()
    assert engagement.stage == "confirmed"  # the settlement is not approved yet
    services.approve(settlement, actor=personas["finance"], password=PASSWORD)
    engagement.refresh_from_db()
    assert engagement.stage == "closed"


def test_FEE_3_a_write_off_of_the_remaining_balance_closes_the_engagement(personas, client):
    settlement = approved(personas, 13)
    contract = settlement.contract
    pay(contract, personas, "250000.00", settlement=settlement)
    with pytest.raises(DomainError, match="reason"):
        services.write_off(contract, actor=personas["finance"], reason=" ")
    with pytest.raises(PermissionDenied):
        services.write_off(contract, actor=personas["lead"], reason="x")
    client.force_login(personas["finance"])
    response = client.post(
        reverse("settlement:writeoff_add"),
        {"contract": contract.pk, "written_off_on": "2026-09-01", "reason": "客戶經營困難，尾款經批准核銷"},
    )
    assert response.status_code == 302
    record = WriteOff.objects.get(contract=contract)
    assert record.amount == Decimal("50000.00") and record.written_off_by == personas["finance"]
    contract.engagement.refresh_from_db()
    assert contract.engagement.stage == "closed"
    assert selectors.is_settled(contract.engagement)
    with pytest.raises(DomainError, match="written off"):
        pay(contract, personas, "1.00")


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from([d.value for d in Payment.Direction]),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("200000"), places=2),
        ),
        max_size=8,
    ),
    changes=st.sampled_from([Decimal("0"), Decimal("25000.00"), Decimal("-10000.00")]),
)
def test_FEE_3_for_any_payments_the_balance_follows_the_formula_and_the_limit_holds(
    personas, monkeypatch, steps, changes
):
    monkeypatch.setattr(selectors, "approved_changes", lambda contract: changes)
    with transaction.atomic():
        point = transaction.savepoint()
        contract = signed_contract(personas, 14, fee=Decimal("300000.00"))
        limit = Decimal("300000.00") + changes
        received = paid_out = Decimal("0")
        for direction, amount in steps:
            if direction == "received" and received + amount > limit:
                with pytest.raises(DomainError):
                    pay(contract, personas, amount, direction=direction)
                continue
            pay(contract, personas, amount, direction=direction)
            if direction == "received":
                received += amount
            else:
                paid_out += amount
        account = selectors.balance(contract)
        assert account.balance == Decimal("300000.00") + changes - received + paid_out
        assert account.received == received <= limit
        assert account.paid_out == paid_out
        transaction.savepoint_rollback(point)


def test_FEE_3_ageing_buckets_on_a_known_set(personas):
    contract = signed_contract(personas, 15)
    PaymentInstalment.objects.filter(contract=contract).delete()
    today = date(2026, 12, 31)
    for number, (amount, days) in enumerate(
        [("50000", 100), ("50000", 75), ("50000", 45), ("50000", 10), ("50000", 0), ("50000", -20)], start=1
    ):
        PaymentInstalment.objects.create(
            contract=contract, number=number, amount=Decimal(amount), due_date=today - timedelta(days=days)
        )
    # 70,000 received pays the oldest instalment and 20,000 of the next; a 5,000 refund gives some back.
    pay(contract, personas, "70000.00")
    pay(contract, personas, "5000.00", direction=Payment.Direction.REFUND)
    rows, totals, total = selectors.ageing(today)
    (row,) = [r for r in rows if r["contract"] == contract]
    assert row["buckets"] == {
        "current": Decimal("100000.00"),
        "1_30": Decimal("50000.00"),
        "31_60": Decimal("50000.00"),
        "61_90": Decimal("35000.00"),
        "over_90": Decimal("0.00"),
    }
    assert row["total"] == Decimal("235000.00") == selectors.balance(contract).balance
    assert totals == row["buckets"] and total == row["total"]
    assert [selectors.bucket_for(d) for d in (-1, 0, 1, 30, 31, 60, 61, 90, 91)] == [
        "current",
        "current",
        "1_30",
        "1_30",
        "31_60",
        "31_60",
        "61_90",
        "61_90",
        "over_90",
    ]


def test_FEE_3_the_ageing_page_is_for_finance_and_management_only(personas, client):
    contract = signed_contract(personas, 16)
    pay(contract, personas, "1000.00")
    for persona, expected in (("finance", 200), ("management", 200), ("cs", 403), ("client_a", 403)):
        client.force_login(personas[persona])
        response = client.get(reverse("settlement:ageing"))
        assert response.status_code == expected, persona
    client.force_login(personas["finance"])
    assert contract.code in client.get(reverse("settlement:ageing")).content.decode()


def test_FEE_3_the_ageing_page_runs_the_same_queries_for_one_contract_and_for_four(personas, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas["finance"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("settlement:ageing")).status_code == 200
        return len(queries)

    pay(signed_contract(personas, 17), personas, "1000.00")
    few = count()
    for index in (18, 19, 20):
        pay(signed_contract(personas, index), personas, "1000.00")
    assert count() == few


def test_FEE_3_the_ledger_exports_csv_and_excel_for_a_date_range(personas, client):
    from openpyxl import load_workbook

    settlement = approved(personas, 17)
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
    url = reverse("settlement:ledger")
    for persona in ("cs", "lead", "client_a"):
        client.force_login(personas[persona])
        assert client.get(url, {"format": "csv"}).status_code == 403, persona
    client.force_login(personas["finance"])
    response = client.get(url, {"start": "2026-07-01", "end": "2026-07-31", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "Date",
        "Contract",
        "Client",
        "Direction",
        "Amount",
        "Payment method",
        "Reference",
        "Settlement",
    ]
    client_name = contract.engagement.client.name
    assert rows[1:] == [
        [
            "2026-07-15",
            contract.code,
            client_name,
            "Received from the client",
            "120000.00",
            "Bank transfer",
            "B-1",
            settlement.code,
        ],
        [
            "2026-07-31",
            contract.code,
            client_name,
            "Paid out: subcontractor",
            "3000.00",
            "Bank transfer",
            "B-2",
            "",
        ],
    ]
    response = client.get(url, {"start": "2026-07-01", "end": "2026-07-31", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Date" and len(values) == 3
    assert values[1][1:5] == [contract.code, client_name, "Received from the client", 120000]
    assert values[1][0].date() == date(2026, 7, 15)
    bad = client.get(url, {"start": "2026-08-01", "end": "2026-07-01"})
    assert bad.status_code == 400


def test_FEE_3_the_contract_balance_page_shows_the_account(personas, client):
    contract = signed_contract(personas, 18)
    pay(contract, personas, "100000.00")
    pay(contract, personas, "2000.00", direction=Payment.Direction.OTHER_OUT)
    client.force_login(personas["finance"])
    page = client.get(reverse("settlement:contract_balance", args=[contract.pk])).content.decode()
    assert "202,000.00" in page
    client.force_login(personas["client_a"])
    assert client.get(reverse("settlement:contract_balance", args=[contract.pk])).status_code == 403


# --- clients, timeline, my work ----------------------------------------------------------------


def test_FEE_clients_see_their_approved_settlements_and_payments_received_never_internal_notes(
    personas, client
):
    settlement = submitted(personas, 19)
    services.return_to_lead(settlement, actor=personas["finance"], comment="內部審核：請補蓋公章")
    services.submit(settlement, actor=personas["lead"])
    services.approve(settlement, actor=personas["finance"], password=PASSWORD)
    contract = settlement.contract
    received = pay(contract, personas, "1000.00", note="內部：客戶財務聯絡人換人")
    paid_out = pay(contract, personas, "500.00", direction=Payment.Direction.SUBCONTRACTOR, note="分包")
    draft = applied(personas, 20)
    client.force_login(personas["client_a"])
    page = client.get(settlement.get_absolute_url()).content.decode()
    assert settlement.code in page and "內部審核" not in page
    body = api(personas["client_a"]).get(reverse("api:settlement-detail", args=[settlement.pk])).json()
    assert body["state"] == "approved" and "return_comment" not in body
    assert client.get(draft.get_absolute_url()).status_code == 404
    page = client.get(received.get_absolute_url()).content.decode()
    assert "內部" not in page
    assert client.get(paid_out.get_absolute_url()).status_code == 404
    rows = api(personas["client_a"]).get(reverse("api:payment-list")).json()["results"]
    assert [row["id"] for row in rows] == [received.pk]
    assert "note" not in rows[0] and "over_limit_reason" not in rows[0]
    assert api(personas["client_a"]).get(reverse("api:writeoff-list")).status_code == 403
    # Another organisation's client sees none of it.
    client.force_login(personas["client_b"])
    for url in (settlement.get_absolute_url(), received.get_absolute_url()):
        assert client.get(url).status_code == 404
    other = api(personas["client_b"])
    assert other.get(reverse("api:settlement-detail", args=[settlement.pk])).status_code == 404
    assert other.get(reverse("api:payment-detail", args=[received.pk])).status_code == 404


def test_FEE_the_timeline_shows_application_returns_approval_payments_and_write_off(personas):
    from onestop.settlement.timeline import events

    settlement = submitted(personas, 21)
    services.return_to_lead(settlement, actor=personas["finance"], comment="請補充發票")
    services.submit(settlement, actor=personas["lead"])
    services.approve(settlement, actor=personas["finance"], password=PASSWORD)
    engagement = settlement.contract.engagement
    pay(settlement.contract, personas, "100000.00")
    events(engagement, personas["cs"])  # warm-up: the user's roles are read once and kept on the user
    with CaptureQueriesContext(connection) as few:
        events(engagement, personas["cs"])
    pay(settlement.contract, personas, "1000.00")
    pay(settlement.contract, personas, "10.00", direction=Payment.Direction.REFUND)
    with CaptureQueriesContext(connection) as more:
        events(engagement, personas["cs"])
    assert len(few) == len(more)
    services.write_off(settlement.contract, actor=personas["finance"], reason="尾款核銷")
    staff = events(engagement, personas["cs"])
    titles = " | ".join(event["title"] for event in staff)
    assert "applied for" in titles and "Returned for correction" in titles and "Approved by finance" in titles
    assert "Received from the client" in titles and "written off" in titles
    digest = signatures.signatures_for(settlement).get().sha256
    assert any(digest in event.get("detail", "") for event in staff)
    seen_by_client = " | ".join(event["title"] for event in events(engagement, personas["client_a"]))
    assert "Returned" not in seen_by_client and "written off" not in seen_by_client
    assert "Approved by finance" in seen_by_client


def test_FEE_my_work_lists_reviews_for_finance_and_returns_and_applications_for_the_lead(personas):
    from onestop.core.work import work_for

    waiting = submitted(personas, 22)
    accepted = accepted_project(personas, 23)
    finance_urls = [item.url for item in work_for(personas["finance"])]
    assert waiting.get_absolute_url() in finance_urls
    lead_urls = [item.url for item in work_for(personas["lead"])]
    assert reverse("settlement:settlement_add") + f"?contract={accepted.contract_id}" in lead_urls
    services.return_to_lead(waiting, actor=personas["finance"], comment="請更正")
    assert waiting.get_absolute_url() in [item.url for item in work_for(personas["lead"])]
    assert waiting.get_absolute_url() not in [item.url for item in work_for(personas["finance"])]


def test_FEE_the_settlement_form_prints_as_pdf(personas, client):
    settlement = approved(personas, 24)
    client.force_login(personas["finance"])
    response = client.get(
        reverse("core:document_pdf", args=["settlement.settlement", settlement.pk, "settlement"])
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_FEE_a_refused_page_action_keeps_the_input_and_a_hidden_settlement_answers_404(personas, client):
    settlement = applied(personas, 30)
    client.force_login(personas["lead"])
    url = reverse("settlement:settlement_invoice", args=[settlement.pk])
    # No file yet: refused on the same page (400), with what was typed kept and nothing saved.
    response = client.post(
        url, {"invoice_number": "INV-KEEP-1", "invoice_date": "2026-07-01", "invoice_amount": "123.45"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="INV-KEEP-1"' in page and 'value="123.45"' in page
    settlement.refresh_from_db()
    assert settlement.invoice_number == ""
    # A client does not see a settlement before finance approved it: 404, as for a missing one.
    client.force_login(personas["client_a"])
    for name in ("settlement_invoice", "settlement_submit", "settlement_approve", "settlement_return"):
        assert client.post(reverse(f"settlement:{name}", args=[settlement.pk])).status_code == 404, name


# --- forms that offer only what can be chosen (issue 11 §4) ------------------------------------


def test_FEE_3_the_payment_form_opened_from_an_approved_settlement_is_prefilled(client, personas):
    settlement = approved(personas)
    client.force_login(personas["finance"])
    page = client.get(settlement.get_absolute_url()).content.decode()
    add = reverse("settlement:payment_add") + f"?settlement={settlement.pk}"
    assert f'href="{add}"' in page
    form = client.get(add).context["form"]
    assert form.initial["contract"] == settlement.contract_id
    assert form.initial["direction"] == Payment.Direction.RECEIVED
    assert form.initial["amount"] == settlement.amount
    assert form.initial["method"] == settlement.payment_method
    # Once part is received, the rest is what the form proposes.
    services.record_payment(
        settlement.contract,
        actor=personas["finance"],
        direction=Payment.Direction.RECEIVED,
        paid_on=date(2026, 7, 10),
        amount=Decimal("100000.00"),
        method=settlement.payment_method,
        settlement=settlement,
    )
    assert client.get(add).context["form"].initial["amount"] == settlement.amount - Decimal("100000.00")
    # A settlement one may not see, or not approved, prefills nothing.
    assert "contract" not in client.get(add.replace(str(settlement.pk), "999999")).context["form"].initial


def test_FEE_1_only_contracts_with_something_accepted_can_be_settled(client, personas):
    accepted = accepted_project(personas, 0)
    not_yet = make_project(personas, 1, state="completed")
    client.force_login(personas["lead"])
    choices = client.get(reverse("settlement:settlement_add")).context["form"].fields["contract"].queryset
    assert accepted.contract in choices and not_yet.contract not in choices


# --- a button that cannot succeed is disabled with the reason (issue 11 §4) ---------------------


def test_FEE_1_FEE_2_submit_and_approve_are_disabled_with_the_reason_until_they_can_succeed(personas, client):
    settlement = applied(personas, 41)
    client.force_login(personas["lead"])
    page = client.get(settlement.get_absolute_url()).content.decode()
    button = re.search(r'<button[^>]*id="submit-settlement"[^>]*>', page).group(0)
    assert " disabled" in button
    assert "Enter the invoice (number, date and amount) and upload its file before submitting." in page

    settlement = with_invoice(settlement, personas, amount=settlement.amount + 1)  # mistyped
    page = client.get(settlement.get_absolute_url()).content.decode()
    assert " disabled" not in re.search(r'<button[^>]*id="submit-settlement"[^>]*>', page).group(0)
    services.submit(settlement, actor=personas["lead"])

    client.force_login(personas["finance"])
    page = client.get(settlement.get_absolute_url()).content.decode()
    approve = re.search(r'<(?:a|button)[^>]*id="approve-settlement"[^>]*>', page).group(0)
    assert approve.startswith("<button") and " disabled" in approve
    assert "differs from the settlement amount" in page
    assert " disabled" not in re.search(r'<button[^>]*id="return-settlement"[^>]*>', page).group(0)

    # Returning without the corrections required is refused on the same page, nothing lost.
    response = client.post(reverse("settlement:settlement_return", args=[settlement.pk]), {"comment": ""})
    assert response.status_code == 400
    assert 'id="return-settlement"' in response.content.decode()
