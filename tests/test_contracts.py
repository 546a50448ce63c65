"""The contract stage: signing authorizations (CON-3), templates (CON-1), the consistency check (CON-2)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from onestop.contracts import consistency, services
from onestop.contracts.consistency import Instalment, Milestone, Terms
from onestop.contracts.models import (
    LEGAL_CHECKLIST,
    Contract,
    ContractCopy,
    ContractTemplate,
    PaymentInstalment,
    SigningAuthorization,
)
from onestop.contracts.templating import render_clause, render_clauses, sample_context
from onestop.core import policy
from onestop.core.exceptions import ConflictError, DomainError
from onestop.core.roles import Role
from tests.factories import PASSWORD
from tests.generic import ModelTestBase


@pytest.fixture
def personas(personas, make_user):
    """The shared personas plus legal, management and the archive room, all reading English
    (the messages asserted below are the English source strings)."""
    people = {
        **personas,
        "legal": make_user(Role.LEGAL, username="legal", full_name="法務甲"),
        "management": make_user(Role.MANAGEMENT, username="boss", full_name="總經理"),
        "archive": make_user(Role.ARCHIVE, username="archive", full_name="檔案員"),
    }
    for user in people.values():
        type(user).objects.filter(pk=user.pk).update(language="en")
        user.language = "en"
    return people


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def authorization(user, **fields):
    values = {
        "representative": user,
        "amount_limit": Decimal("500000.00"),
        "currency": "CNY",
        "valid_from": date(2026, 1, 1),
        "valid_to": date(2026, 12, 31),
        "granted_by": "法定代表人",
    }
    values.update(fields)
    return SigningAuthorization.objects.create(**values)


CLAUSE_TEXTS = {
    "preamble": "甲方：{{ client }}\n乙方：{{ company }}",
    "service_content_clause": "服務內容：{{ service_content }}",
    "term_clause": "服務期限：{{ period_start|date:'Y-m-d' }}至{{ period_end|date:'Y-m-d' }}",
    "fee_clause": "合同總價：{{ currency }} {{ total_fee }}。{% for p in payment_schedule %}第{{ forloop.counter }}期 {{ p.amount }}；{% endfor %}",
    "quality_clause": "質量標準：{{ quality_standard }}",
    "acceptance_clause": "驗收方式：{{ acceptance_method }}",
    "liability_clause": "任何一方違約，應承擔違約責任。",
    "rights_clause": "甲方應按時付款；乙方應按期交付。",
}


def make_template(index=0, **fields):
    values = {"code": f"service-{index}", "name": f"技術服務合同範本{index}", **CLAUSE_TEXTS}
    values.update(fields)
    template = ContractTemplate(**values)
    return services.save_template(template, actor=None)


# --- CON-3: the register of signing authorizations ---------------------------------------------


class TestSigningAuthorization(ModelTestBase):
    model = SigningAuthorization
    api_basename = "signingauthorization"
    manager = "legal"
    deleter = "admin"
    viewer = "cs"
    no_view = "client_a"
    invalid_field = "amount_limit"

    def make_object(self, personas, index=0):
        return authorization(personas["cs"], amount_limit=Decimal(1000 + index))

    def create_data(self, personas):
        return {
            "representative": personas["management"].pk,
            "is_legal_representative": False,
            "amount_limit": "1000000.00",
            "currency": "CNY",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "granted_by": "董事會決議 2026-01",
            "note": "",
        }

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "amount_limit": "2000000.00", "note": "調整限額"}

    def invalid_data(self, personas):
        # Not the legal representative, and no limit: refused.
        return {**self.create_data(personas), "amount_limit": ""}


SIGNING_CASES = [
    # (what, grant fields, amount, day, currency, expected message part or None when allowed)
    ("within the limit", {}, "500000.00", date(2026, 6, 1), "CNY", None),
    ("above the limit", {}, "500000.01", date(2026, 6, 1), "CNY", "may sign contracts up to"),
    ("expired", {}, "100.00", date(2027, 1, 1), "CNY", "expired"),
    ("not yet valid", {}, "100.00", date(2025, 12, 31), "CNY", "not valid yet"),
    ("other currency", {}, "100.00", date(2026, 6, 1), "USD", "may sign contracts up to"),
    ("first valid day", {}, "1.00", date(2026, 1, 1), "CNY", None),
    ("last valid day", {}, "1.00", date(2026, 12, 31), "CNY", None),
    (
        "legal representative without limit",
        {"is_legal_representative": True, "amount_limit": None, "valid_to": None},
        "99999999.00",
        date(2030, 1, 1),
        "USD",
        None,
    ),
    (
        "open-ended grant",
        {"valid_to": None},
        "10.00",
        date(2031, 5, 1),
        "CNY",
        None,
    ),
]


@pytest.mark.parametrize(("what", "grant", "amount", "day", "currency", "refusal"), SIGNING_CASES)
def test_CON_3_signing_authority_is_checked_against_the_period_amount_and_currency(
    personas, what, grant, amount, day, currency, refusal
):
    signer = personas["management"]
    authorization(signer, **grant)
    if refusal is None:
        found = services.check_signing_authority(signer, Decimal(amount), day, currency=currency)
        assert found.representative == signer
    else:
        with pytest.raises(DomainError) as refused:
            services.check_signing_authority(signer, Decimal(amount), day, currency=currency)
        assert refusal in refused.value.message
        assert signer.display_name in refused.value.message


def test_CON_3_a_signature_above_the_authorized_amount_is_refused(personas):
    signer = personas["management"]
    authorization(signer, amount_limit=Decimal("100000.00"))
    with pytest.raises(DomainError) as refused:
        services.check_signing_authority(signer, Decimal("150000.00"), date(2026, 3, 1))
    assert "100,000.00" in refused.value.message and "150,000.00" in refused.value.message


def test_CON_3_someone_without_any_authorization_may_not_sign(personas):
    with pytest.raises(DomainError) as refused:
        services.check_signing_authority(personas["legal"], Decimal("1.00"), date(2026, 3, 1))
    assert "no signing authorization" in refused.value.message


def test_CON_3_any_valid_grant_covering_the_amount_is_enough(personas):
    signer = personas["management"]
    authorization(signer, amount_limit=Decimal("1000.00"))
    wider = authorization(signer, amount_limit=Decimal("900000.00"), valid_from=date(2026, 3, 1))
    assert services.check_signing_authority(signer, Decimal("800000"), date(2026, 4, 1)) == wider


def test_CON_3_an_authorization_cannot_end_before_it_starts(personas):
    response = (
        _api(personas["legal"])
        .post(
            reverse("api:signingauthorization-list"),
            {
                "representative": personas["management"].pk,
                "amount_limit": "100.00",
                "currency": "CNY",
                "valid_from": "2026-05-01",
                "valid_to": "2026-04-30",
                "granted_by": "董事會",
            },
            format="json",
        )
        .json()
    )
    assert "valid_to" in response["errors"]


def _api(user):
    from django.conf import settings

    api = APIClient()
    api.force_authenticate(user)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # token auth comes after the language middleware
    return api


# --- CON-1: contract templates -------------------------------------------------------------------


class TestContractTemplate(ModelTestBase):
    model = ContractTemplate
    api_basename = "contracttemplate"
    manager = "legal"
    deleter = "admin"
    viewer = "cs"
    no_view = "client_a"
    invalid_field = "fee_clause"

    def make_object(self, personas, index=0):
        return make_template(index)

    def create_data(self, personas):
        return {"code": "consulting", "name": "技術諮詢合同", "is_active": True, **CLAUSE_TEXTS}

    def update_data(self, obj, personas):
        return {**self.create_data(personas), "code": obj.code, "name": obj.name + "（修訂）"}

    def invalid_data(self, personas):
        return {**self.create_data(personas), "fee_clause": "{% for p in payment_schedule %}未閉合"}


def test_CON_1_saving_under_an_existing_code_makes_the_next_version_and_one_version_is_active(personas):
    first = make_template(code="service", is_active=True)
    second = make_template(code="service", is_active=True)
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert not first.is_active and second.is_active
    assert services.active_template("service") == second


def test_CON_1_a_template_version_used_for_a_contract_cannot_change_but_can_get_a_new_version(
    client, personas
):
    template = make_template(code="service", is_active=True)
    services.mark_used(template)
    client.force_login(personas["legal"])
    data = {"code": "service", "name": "改名", "is_active": "on", **CLAUSE_TEXTS}
    response = client.post(reverse("contracts:contracttemplate_edit", args=[template.pk]), data)
    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()
    api = _api(personas["legal"])
    response = api.patch(
        reverse("api:contracttemplate-detail", args=[template.pk]), {"fee_clause": "改"}, format="json"
    )
    assert response.status_code == 400
    template.refresh_from_db()
    assert template.name == "技術服務合同範本0"

    response = client.post(reverse("contracts:contracttemplate_new_version", args=[template.pk]))
    copy = ContractTemplate.objects.get(code="service", version=2)
    assert response.url == copy.get_absolute_url()
    assert not copy.is_active and not copy.in_use and copy.fee_clause == template.fee_clause
    response = api.post(reverse("api:contracttemplate-new-version", args=[copy.pk]))
    assert response.status_code == 201 and response.json()["version"] == 3
    assert (
        _api(personas["cs"]).post(reverse("api:contracttemplate-new-version", args=[copy.pk])).status_code
        == 403
    )


def test_CON_1_clauses_render_the_contract_terms_in_chinese(personas):
    template = make_template()
    clauses = render_clauses(template, sample_context())
    assert clauses["preamble"].startswith("甲方：示例客戶有限公司")
    assert "2026-01-01至2026-06-30" in clauses["term_clause"]
    assert "第1期 90000.00；第2期 210000.00；" in clauses["fee_clause"]
    # No HTML escaping inside the clause (the page and PDF escape the result).
    assert render_clause("{{ client }}", {"client": "A&B <公司>"}) == "A&B <公司>"


def test_CON_1_a_clause_cannot_load_other_templates(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        render_clause('{% include "base.html" %}', {})
    with pytest.raises(ValidationError):
        render_clause("{% load static %}", {})


def test_CON_1_the_template_page_shows_a_preview(client, personas):
    template = make_template()
    client.force_login(personas["cs"])
    page = client.get(template.get_absolute_url()).content.decode()
    assert "甲方：示例客戶有限公司" in page
    assert "new-version" not in page  # customer service may not make versions


# --- CON-2: the consistency check ------------------------------------------------------------------


def reference_terms(**changes) -> Terms:
    values = {
        "total_fee": Decimal("300000.00"),
        "currency": "CNY",
        "payment_schedule": [],
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 6, 30),
        "scope_items": ["現場調研", "安全評估"],
        "milestones": [Milestone("調研完成", date(2026, 2, 28)), Milestone("最終驗收", date(2026, 6, 30))],
        "quality_standard": "符合 GB/T 22239-2019",
        "acceptance_method": "雙方共同驗收",
    }
    values.update(changes)
    return Terms(**values)


def contract_terms(**changes) -> Terms:
    values = {
        "payment_schedule": [
            Instalment(Decimal("90000.00"), date(2026, 1, 15)),
            Instalment(Decimal("210000.00"), milestone="最終驗收"),
        ]
    }
    values.update(changes)
    return reference_terms(**values)


def fields_of(differences):
    return [difference.field for difference in differences]


def test_CON_2_matching_terms_show_no_difference():
    assert consistency.compare(contract_terms(), reference_terms()) == []


def test_CON_2_a_wrong_fee_is_reported_with_both_values():
    (fee, schedule) = consistency.compare(contract_terms(total_fee=Decimal("320000.00")), reference_terms())
    assert (fee.field, fee.contract_value, fee.reference_value, fee.severity) == (
        "total_fee",
        "320,000.00",
        "300,000.00",
        "error",
    )
    assert schedule.field == "payment_schedule"  # the schedule no longer adds up to the new total


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"currency": "USD"}, ["currency"]),
        ({"period_start": date(2026, 1, 2)}, ["period_start"]),
        ({"period_end": date(2026, 7, 31)}, ["period_end"]),
        ({"scope_items": ["現場調研"]}, ["scope:安全評估"]),
        ({"scope_items": ["安全評估", "  現場調研 ", "培訓"]}, ["scope:培訓"]),
        (
            {
                "milestones": [
                    Milestone("調研完成", date(2026, 3, 1)),
                    Milestone("最終驗收", date(2026, 6, 30)),
                ]
            },
            ["milestone:調研完成"],
        ),
        ({"milestones": [Milestone("最終驗收", date(2026, 6, 30))]}, ["milestone:調研完成"]),
        ({"quality_standard": "符合行業標準"}, ["quality_standard"]),
        ({"acceptance_method": "甲方單方驗收"}, ["acceptance_method"]),
        (
            {"payment_schedule": [Instalment(Decimal("300000.00"), milestone="中期檢查")]},
            ["instalment:1"],
        ),
    ],
)
def test_CON_2_each_kind_of_difference_is_listed(change, expected):
    assert fields_of(consistency.compare(contract_terms(**change), reference_terms())) == expected


def test_CON_2_wording_differences_are_warnings_and_money_differences_errors():
    differences = consistency.compare(
        contract_terms(quality_standard="其他", total_fee=Decimal("1")), reference_terms()
    )
    severity = {d.field: d.severity for d in differences}
    assert severity == {"total_fee": "error", "payment_schedule": "error", "quality_standard": "warning"}


def test_CON_2_what_the_reference_does_not_state_is_not_compared():
    reference = Terms(total_fee=Decimal("300000.00"), currency="CNY")
    assert consistency.compare(contract_terms(quality_standard="任意"), reference) == []


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)


@hsettings(max_examples=200, deadline=None)
@given(parts=st.lists(amounts, min_size=1, max_size=6), delta=amounts, sign=st.sampled_from([1, -1]))
def test_CON_2_a_schedule_that_does_not_add_up_to_the_total_is_always_reported(parts, delta, sign):
    total = sum(parts, Decimal("0"))
    schedule = [Instalment(amount) for amount in parts]
    contract = contract_terms(total_fee=total + sign * delta, payment_schedule=schedule)
    reference = reference_terms(total_fee=total + sign * delta)
    differences = consistency.compare(contract, reference)
    assert fields_of(differences) == ["payment_schedule"]
    # And when it does add up, nothing is reported.
    assert (
        consistency.compare(
            contract_terms(total_fee=total, payment_schedule=schedule), reference_terms(total_fee=total)
        )
        == []
    )


@hsettings(max_examples=200, deadline=None)
@given(
    fee=amounts,
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 1, 1)),
    days=st.integers(0, 1000),
    scope=st.lists(st.text(min_size=1, max_size=8), max_size=5),
    names=st.lists(st.text(min_size=1, max_size=8), max_size=4, unique=True),
)
def test_CON_2_identical_terms_never_differ(fee, start, days, scope, names):
    milestones = [Milestone(name, start + timedelta(days=i)) for i, name in enumerate(names)]
    terms = Terms(
        total_fee=fee,
        currency="CNY",
        payment_schedule=[Instalment(fee, start)],
        period_start=start,
        period_end=start + timedelta(days=days),
        scope_items=scope,
        milestones=milestones,
        quality_standard="標準",
        acceptance_method="驗收",
    )
    assert consistency.compare(terms, terms) == []


# --- CON-1..3: the contract ------------------------------------------------------------------------

PLAN_SCOPE = "現場調研\n安全評估\n整改方案"


def confirmed_engagement(personas, index=0, *, with_plan=True, fee=Decimal("300000.00")):
    """A confirmed engagement (agreed terms) and, unless told otherwise, an approved, effective plan."""
    from onestop.engagements.models import Channel, Engagement, Proposal

    author = personas["cs"]
    engagement = Engagement.objects.create(
        code=f"OS-T-{index:05d}",
        title=f"工控安全評估{index}",
        client=personas["client_a"].client_organization,
        channel=Channel.PHONE,
        stage=Engagement.Stage.CONFIRMED,
    )
    proposal = Proposal.objects.create(
        engagement=engagement,
        round=1,
        party=Proposal.Party.COMPANY,
        author=author,
        service_content=PLAN_SCOPE,
        technical_requirements="符合等保 2.0",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        fee=fee,
        currency="CNY",
        status=Proposal.Status.ACCEPTED,
    )
    Engagement.objects.filter(pk=engagement.pk).update(agreed_proposal=proposal)
    engagement.refresh_from_db()
    if with_plan:
        from onestop.plans.models import Milestone as PlanMilestone
        from onestop.plans.models import Plan, PlanVersion

        plan = Plan.objects.create(
            code=f"PL-T-{index:05d}", engagement=engagement, title=engagement.title, project_lead=author
        )
        version = PlanVersion.objects.create(
            plan=plan,
            number=1,
            state=PlanVersion.State.APPROVED,
            service_content=PLAN_SCOPE,
            quality_measures="符合 GB/T 22239-2019",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 6, 30),
            fee=fee,
            currency="CNY",
            author=author,
        )
        PlanMilestone.objects.create(version=version, name="調研完成", due_date=date(2026, 2, 28))
        PlanMilestone.objects.create(version=version, name="最終驗收", due_date=date(2026, 6, 30))
        Plan.objects.filter(pk=plan.pk).update(effective_version=version)
    return engagement


def active_template():
    return ContractTemplate.objects.filter(is_active=True).first() or make_template(
        code="main", is_active=True
    )


def drafted(personas, index=0, **kwargs):
    return services.draft_contract(
        confirmed_engagement(personas, index, **kwargs), actor=personas["legal"], template=active_template()
    )


class TestContract(ModelTestBase):
    model = Contract
    api_basename = "contract"
    manager = "legal"
    deleter = "admin"
    viewer = "cs"
    outsider = "client_b"
    invalid_field = "engagement"

    def make_object(self, personas, index=0):
        return drafted(personas, index + 100)

    def create_data(self, personas):
        engagement = confirmed_engagement(personas, ContractTemplate.objects.count() + 500)
        return {"engagement": engagement.pk, "template": active_template().pk}

    def update_data(self, obj, personas):
        return {
            "total_fee": "300000.00",
            "currency": "CNY",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "scope_items": PLAN_SCOPE,
            "milestones": "2026-02-28 調研完成\n2026-06-30 最終驗收",
            "quality_standard": "符合 GB/T 22239-2019",
            "acceptance_method": "雙方共同驗收",
            "special_terms": "保密期限五年",
        }

    def invalid_data(self, personas):
        return {"engagement": "", "template": active_template().pk}


class TestPaymentInstalment(ModelTestBase):
    model = PaymentInstalment
    api_basename = "paymentinstalment"
    manager = "legal"
    viewer = "cs"
    outsider = "client_b"
    invalid_field = "amount"

    def make_object(self, personas, index=0):
        contract = drafted(personas, index + 200)
        return contract.instalments.get()

    def create_data(self, personas):
        contract = drafted(personas, Contract.objects.count() + 700)
        contract.instalments.all().delete()  # only the instalment under test is new
        return {
            "contract": contract.pk,
            "number": 2,
            "amount": "1000.00",
            "due_date": "2026-03-01",
            "milestone": "",
            "condition": "合同簽訂後",
        }

    def update_data(self, obj, personas):
        return {
            "contract": obj.contract_id,
            "number": obj.number,
            "amount": "2000.00",
            "due_date": "2026-03-15",
            "milestone": "",
            "condition": "首付款",
        }

    def invalid_data(self, personas):
        return {**self.create_data(personas), "amount": "-5"}


def test_X_2_CON_1_no_contract_without_an_approved_plan(personas):
    engagement = confirmed_engagement(personas, with_plan=False)
    make_template(code="main", is_active=True)
    with pytest.raises(DomainError) as refused:
        services.draft_contract(engagement, actor=personas["legal"])
    assert "approved service plan" in refused.value.message
    response = _api(personas["legal"]).post(
        reverse("api:contract-list"),
        {"engagement": engagement.pk, "template": active_template().pk},
        format="json",
    )
    assert response.status_code == 400 and "approved service plan" in response.json()["detail"]
    assert not Contract.objects.exists()


def test_X_2_CON_1_no_contract_without_a_signed_confirmation(personas):
    from onestop.engagements.models import Engagement

    engagement = confirmed_engagement(personas)
    Engagement.objects.filter(pk=engagement.pk).update(stage=Engagement.Stage.CONFIRMATION)
    engagement.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.draft_contract(engagement, actor=personas["legal"], template=active_template())
    assert "signed requirement confirmation form" in refused.value.message


def test_CON_1_the_draft_is_prefilled_from_the_confirmation_and_plan_and_has_no_difference(personas):
    contract = drafted(personas)
    assert contract.code.startswith("CT-")
    assert contract.total_fee == Decimal("300000.00") and contract.scope_list == PLAN_SCOPE.splitlines()
    assert contract.milestone_list() == [(date(2026, 2, 28), "調研完成"), (date(2026, 6, 30), "最終驗收")]
    assert services.differences(contract) == []
    assert contract.template.in_use  # the template version is frozen from now on
    with pytest.raises(ConflictError):
        services.draft_contract(contract.engagement, actor=personas["legal"], template=contract.template)


def test_CON_1_the_contract_renders_the_template_clauses_with_its_terms(personas):
    from onestop.contracts.documents import contract_form

    contract = drafted(personas)
    text = contract_form().render(contract)
    assert f"甲方：{contract.engagement.client.name}" in text
    assert "服務期限：2026-01-01至2026-06-30" in text
    assert "違約責任" in text


def test_CON_2_the_contract_page_shows_the_consistency_check(client, personas):
    contract = drafted(personas)
    Contract.objects.filter(pk=contract.pk).update(total_fee=Decimal("320000.00"))
    client.force_login(personas["legal"])
    page = client.get(contract.get_absolute_url()).content.decode()
    assert 'id="consistency"' in page and "320,000.00" in page and "300,000.00" in page
    assert "table-danger" in page


def test_CON_2_bad_input_on_the_review_is_refused_with_field_errors(personas):
    contract = drafted(personas)
    api = _api(personas["legal"])
    response = api.post(
        reverse("api:contract-legal-review", args=[contract.pk]), {"checked": ["nonsense"]}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "checked" in errors and "passed" in errors
    response = api.post(reverse("api:contract-archive", args=[contract.pk]), {}, format="json")
    assert response.status_code == 400 and {"archive_number", "location"} <= set(response.json()["errors"])


def test_CON_2_the_business_review_cannot_pass_with_an_unjustified_difference(personas):
    contract = drafted(personas)
    contract.quality_standard = "按行業慣例"
    contract._history_user = personas["legal"]
    contract.save()
    services.submit(contract, actor=personas["legal"])
    api = _api(personas["management"])
    response = api.post(
        reverse("api:contract-business-review", args=[contract.pk]), {"passed": True}, format="json"
    )
    assert response.status_code == 400
    assert "neither corrected nor justified" in response.json()["detail"]
    response = api.post(
        reverse("api:contract-justify", args=[contract.pk]),
        {"field": "quality_standard", "reason": "客戶要求採用行業慣例"},
        format="json",
    )
    assert response.status_code == 200
    response = api.post(
        reverse("api:contract-business-review", args=[contract.pk]), {"passed": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["business_passed_by"] == personas["management"].pk
    assert response.json()["state"] == "in_review"  # the legal review is still to come


def test_CON_2_legal_needs_the_whole_checklist_and_a_return_makes_a_new_version(personas):
    contract = drafted(personas)
    services.submit(contract, actor=personas["legal"])
    with pytest.raises(DomainError) as refused:
        services.legal_review(contract, actor=personas["legal"], checked=["parties"], passed=True)
    assert "checklist" in refused.value.message
    services.legal_review(
        contract, actor=personas["legal"], checked=["parties"], comment="違約金比例過高", passed=False
    )
    contract.refresh_from_db()
    assert contract.state == Contract.State.RETURNED  # return_to_drafter
    assert contract.legal_comment == "違約金比例過高"
    services.revise(contract, actor=personas["legal"])
    contract.refresh_from_db()
    assert (contract.state, contract.version, contract.legal_checklist) == (Contract.State.DRAFT, 2, [])
    reasons = list(contract.history.values_list("history_change_reason", flat=True))
    assert any("違約金比例過高" in (reason or "") for reason in reasons)


def test_CON_2_a_returned_contract_cannot_be_edited_until_revised(personas):
    contract = drafted(personas)
    services.submit(contract, actor=personas["legal"])
    response = _api(personas["legal"]).patch(
        reverse("api:contract-detail", args=[contract.pk]), {"special_terms": "偷改"}, format="json"
    )
    assert response.status_code == 403  # out of drafting, changing the contract is not permitted at all
    contract.refresh_from_db()
    assert contract.special_terms != "偷改"
    response = _api(personas["legal"]).post(
        reverse("api:paymentinstalment-list"),
        {"contract": contract.pk, "number": 5, "amount": "1.00", "due_date": "2026-02-01"},
        format="json",
    )
    assert response.status_code == 400


def authorized_signing(personas, contract):
    authorization(personas["management"], valid_from=date(2020, 1, 1), valid_to=None)


def reviewed(personas, contract):
    services.submit(contract, actor=personas["legal"])
    services.legal_review(
        contract, actor=personas["legal"], checked=[key for key, _label in LEGAL_CHECKLIST], passed=True
    )
    services.business_review(contract, actor=personas["management"], passed=True)
    contract.refresh_from_db()
    return contract


def test_CON_3_a_signature_by_someone_without_a_valid_authorization_is_refused(personas):
    from onestop.core.models import Signature

    contract = reviewed(personas, drafted(personas))
    assert contract.state == Contract.State.APPROVED  # approve
    # Legal has no authorization: the sign button is not offered and signing is refused.
    response = _api(personas["legal"]).post(
        reverse("api:contract-sign", args=[contract.pk]), {"role": "company", "password": PASSWORD}
    )
    assert response.status_code == 403
    # An expired authorization: refused with the reason, nothing is kept.
    authorization(personas["management"], valid_from=date(2020, 1, 1), valid_to=date(2020, 12, 31))
    response = _api(personas["management"]).post(
        reverse("api:contract-sign", args=[contract.pk]), {"role": "company", "password": PASSWORD}
    )
    assert response.status_code == 400 and "expired" in response.json()["detail"]
    # Valid now, but up to 100,000 only: refused.
    authorization(
        personas["management"], valid_from=date(2021, 1, 1), valid_to=None, amount_limit=Decimal("100000")
    )
    response = _api(personas["management"]).post(
        reverse("api:contract-sign", args=[contract.pk]), {"role": "company", "password": PASSWORD}
    )
    assert response.status_code == 400 and "300,000.00" in response.json()["detail"]
    assert not Signature.objects.exists()


def test_CON_1_2_3_the_full_contract_path_through_the_api(
    personas, make_user, django_capture_on_commit_callbacks
):
    from onestop.contracts.documents import contract_form
    from onestop.core import signatures
    from onestop.notifications.models import Notification
    from tests.factories import DepartmentFactory

    legal, boss, archive, client_user = (
        personas["legal"],
        personas["management"],
        personas["archive"],
        personas["client_a"],
    )
    make_template(code="main", is_active=True)
    engagement = confirmed_engagement(personas)
    api = _api(legal)
    # CON-1: drafted from the confirmation and the approved plan.
    response = api.post(
        reverse("api:contract-list"),
        {"engagement": engagement.pk, "template": active_template().pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    contract = Contract.objects.get(pk=response.json()["id"])
    # A deliberately wrong fee is flagged by the consistency check …
    assert (
        api.patch(
            reverse("api:contract-detail", args=[contract.pk]), {"total_fee": "330000.00"}, format="json"
        ).status_code
        == 200
    )
    flagged = api.get(reverse("api:contract-consistency", args=[contract.pk])).json()
    assert [row["field"] for row in flagged] == ["total_fee", "payment_schedule"]
    assert (flagged[0]["contract_value"], flagged[0]["reference_value"]) == ("330,000.00", "300,000.00")
    # … and corrected.
    api.patch(reverse("api:contract-detail", args=[contract.pk]), {"total_fee": "300000.00"}, format="json")
    assert api.get(reverse("api:contract-consistency", args=[contract.pk])).json() == []
    # CON-2: both reviews.
    assert api.post(reverse("api:contract-submit", args=[contract.pk]), {}, format="json").status_code == 200
    checked = [key for key, _label in LEGAL_CHECKLIST]
    response = api.post(
        reverse("api:contract-legal-review", args=[contract.pk]),
        {"checked": checked, "passed": True},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "in_review"
    response = _api(boss).post(
        reverse("api:contract-business-review", args=[contract.pk]), {"passed": True}, format="json"
    )
    assert response.json()["state"] == "approved"
    # The client now sees it in the portal; CON-3: signed by an authorized representative and the client.
    assert _api(client_user).get(reverse("api:contract-detail", args=[contract.pk])).status_code == 200
    assert (
        _api(personas["client_b"]).get(reverse("api:contract-detail", args=[contract.pk])).status_code == 404
    )
    authorization(boss, amount_limit=Decimal("500000.00"), valid_from=date(2020, 1, 1), valid_to=None)
    assert (
        _api(boss)
        .post(reverse("api:contract-sign", args=[contract.pk]), {"role": "company", "password": PASSWORD})
        .status_code
        == 200
    )
    response = _api(client_user).post(
        reverse("api:contract-sign", args=[contract.pk]), {"role": "client", "password": PASSWORD}
    )
    assert response.status_code == 200 and response.json()["state"] == "signed"  # complete_signing
    assert signatures.is_fully_signed(contract_form(), contract)
    assert Notification.objects.filter(recipient=archive, title__contains=contract.code).exists()
    # The archive room files the original: number, location, PDF and its hash.
    assert (
        api.post(
            reverse("api:contract-archive", args=[contract.pk]), {"archive_number": "A-1", "location": "x"}
        ).status_code
        == 403
    )
    response = _api(archive).post(
        reverse("api:contract-archive", args=[contract.pk]),
        {"archive_number": "HT-2026-001", "location": "檔案室 A 櫃 3 層"},
    )
    assert response.status_code == 200, response.json()
    contract.refresh_from_db()
    assert contract.state == Contract.State.ARCHIVED and contract.archived_by == archive
    import hashlib

    stored = contract.archived_pdf.file.read()
    assert stored.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() == contract.archived_sha256
    # Copies to the executing departments, who acknowledge receipt.
    rnd = DepartmentFactory(name="技術研發部")
    finance = DepartmentFactory(name="財務部")
    engineer = make_user(Role.TECHNICIAN, username="eng", department=rnd)
    response = _api(archive).post(
        reverse("api:contract-distribute", args=[contract.pk]),
        {"departments": [rnd.pk, finance.pk]},
        format="json",
    )
    assert response.status_code == 200 and len(response.json()) == 2
    copy = ContractCopy.objects.get(contract=contract, department=rnd)
    assert (
        _api(personas["finance"]).post(reverse("api:contractcopy-acknowledge", args=[copy.pk])).status_code
        == 403
    )
    response = _api(engineer).post(reverse("api:contractcopy-acknowledge", args=[copy.pk]))
    assert response.status_code == 200 and response.json()["acknowledged_by"] == engineer.pk
    assert _api(engineer).post(reverse("api:contractcopy-acknowledge", args=[copy.pk])).status_code == 409
    # every transition is logged with who did it.
    from onestop.core.workflow import transition_log

    assert [(row.transition, row.by_id) for row in transition_log(contract)] == [
        ("submit", legal.pk),
        ("approve", boss.pk),
        ("complete_signing", client_user.pk),
        ("archive", archive.pk),
    ]
    # the engagement's timeline can show the contract's states and signatures.
    from onestop.contracts.timeline import contract_events

    titles = [event["title"] for event in contract_events(engagement, legal)]
    assert len(titles) == 1 + 4 + 2 and any("signed as Client" in title for title in titles)
    assert contract_events(engagement, personas["client_b"]) == []
    from django.test import Client

    browser = Client()
    browser.force_login(legal)
    assert contract.code in browser.get(engagement.get_absolute_url()).content.decode()


def test_CON_3_the_contract_path_in_the_pages(client, personas):
    contract = drafted(personas)
    legal = personas["legal"]
    client.force_login(legal)
    assert client.post(reverse("contracts:contract_submit", args=[contract.pk])).status_code == 302
    checked = [key for key, _label in LEGAL_CHECKLIST]
    response = client.post(
        reverse("contracts:contract_legal_review", args=[contract.pk]),
        {"checked": checked[:2], "decision": "pass"},
    )
    assert response.status_code == 400 and "checklist" in response.content.decode()
    response = client.post(
        reverse("contracts:contract_legal_review", args=[contract.pk]),
        {"checked": checked, "decision": "pass"},
    )
    assert response.status_code == 302
    client.force_login(personas["management"])
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "business-review" in page
    assert (
        client.post(
            reverse("contracts:contract_business_review", args=[contract.pk]), {"decision": "pass"}
        ).status_code
        == 302
    )
    contract.refresh_from_db()
    assert contract.state == Contract.State.APPROVED
    authorized_signing(personas, contract)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "document_sign" in page or "/forms/contract/sign/" in page
    response = client.post(
        reverse("core:document_sign", args=["contracts.contract", contract.pk, "contract"]),
        {"role": "company", "password": PASSWORD},
    )
    assert response.status_code == 302
    client.force_login(personas["client_a"])
    client.post(
        reverse("core:document_sign", args=["contracts.contract", contract.pk, "contract"]),
        {"role": "client", "password": PASSWORD},
    )
    contract.refresh_from_db()
    assert contract.state == Contract.State.SIGNED
    client.force_login(personas["archive"])
    response = client.post(
        reverse("contracts:contract_archive", args=[contract.pk]), {"archive_number": "", "location": ""}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("contracts:contract_archive", args=[contract.pk]),
        {"archive_number": "HT-9", "location": "A 櫃"},
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.state == Contract.State.ARCHIVED and contract.archive_number == "HT-9"
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "HT-9" in page and contract.archived_sha256 in page


def test_a_refused_page_action_keeps_the_user_on_the_record_with_the_message_and_what_they_typed(
    client, personas
):
    contract = drafted(personas)
    services.submit(contract, actor=personas["legal"])
    client.force_login(personas["legal"])
    checked = [key for key, _label in LEGAL_CHECKLIST]
    response = client.post(
        reverse("contracts:contract_legal_review", args=[contract.pk]),
        {"checked": checked[:2], "comment": "條款 7 仍需確認違約金比例", "decision": "pass"},
    )
    page = response.content.decode()
    # The contract's own page, with the reason, the comment typed and the items ticked kept.
    assert response.status_code == 400
    assert 'id="contract-actions"' in page and "Check every item of the legal checklist" in page
    assert "條款 7 仍需確認違約金比例" in page
    assert page.count('name="checked" value="') == len(checked)
    assert page.count("checked>") + page.count('checked="checked"') >= 2
    contract.refresh_from_db()
    assert contract.legal_passed_at is None and contract.legal_comment == ""


def test_an_action_on_a_record_the_user_may_not_see_answers_404_on_the_page_and_the_api(client, personas):
    contract = drafted(personas)
    client.force_login(personas["client_b"])
    url = reverse("contracts:contract_submit", args=[contract.pk])
    assert client.post(url).status_code == 404
    response = _api(personas["client_b"]).post(reverse("api:contract-submit", args=[contract.pk]), {})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    contract.refresh_from_db()
    assert contract.state == Contract.State.DRAFT


def test_posted_text_longer_than_allowed_is_refused_not_shortened(client, personas):
    contract = drafted(personas)
    client.force_login(personas["legal"])
    response = client.post(reverse("contracts:contract_submit", args=[contract.pk]), {"comment": "長" * 2001})
    assert response.status_code == 400
    response = _api(personas["legal"]).post(
        reverse("api:contract-submit", args=[contract.pk]), {"comment": "長" * 2001}, format="json"
    )
    assert response.status_code == 400 and "comment" in response.json()["errors"]
    contract.refresh_from_db()
    assert contract.state == Contract.State.DRAFT


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_CON_2_two_reviewers_passing_at_once_approve_once(personas):
    from tests.workflow import run_concurrently

    contract = drafted(personas)
    services.submit(contract, actor=personas["legal"])
    legal, boss = personas["legal"], personas["management"]
    checked = [key for key, _label in LEGAL_CHECKLIST]

    def legal_passes():
        return lambda: services.legal_review(
            Contract.objects.get(pk=contract.pk), actor=legal, checked=checked, passed=True
        )

    def business_passes():
        return lambda: services.business_review(Contract.objects.get(pk=contract.pk), actor=boss, passed=True)

    _results, errors = run_concurrently(legal_passes, business_passes)
    assert errors == [None, None], errors
    contract.refresh_from_db()
    assert contract.state == Contract.State.APPROVED
    from onestop.core.workflow import transition_log

    assert [row.transition for row in transition_log(contract)] == ["submit", "approve"]


def test_CON_demo_data_has_signatories_a_template_and_a_contract_with_a_fee_difference(db):
    from onestop.core.demo import load_demo_data

    load_demo_data()
    assert SigningAuthorization.objects.filter(
        is_legal_representative=True, amount_limit__isnull=True
    ).exists()
    assert ContractTemplate.objects.filter(is_active=True).count() == 1
    contract = Contract.objects.order_by("pk").first()  # the contracts demo's own; later stages add more
    assert "total_fee" in [difference.field for difference in services.differences(contract)]
    from onestop.contracts.documents import contract_form

    assert "甲方（委託方）" in contract_form().render(contract)


def test_CON_2_submitting_sets_legal_and_business_review_deadlines_closed_when_each_review_is_done(
    personas, make_user
):
    from django.contrib.contenttypes.models import ContentType

    from onestop.notifications import calendar
    from onestop.notifications import services as notifications
    from onestop.notifications.models import Deadline

    legal, boss = personas["legal"], personas["management"]
    legal2 = make_user(Role.LEGAL, username="legal2", full_name="法務乙")  # reads Chinese
    boss2 = make_user(Role.MANAGEMENT, username="boss2", full_name="副總經理")
    contract = drafted(personas)

    def deadlines(**filters):
        return Deadline.objects.filter(
            target_type=ContentType.objects.get_for_model(Contract), target_id=contract.pk, **filters
        )

    services.submit(contract, actor=legal)
    contract.refresh_from_db()
    due = calendar.add_working_days(contract.submitted_at, policy.value("contracts.review_working_days"))
    open_ = {d.title: d for d in deadlines(closed_at__isnull=True)}
    code = contract.code
    assert set(open_) == {
        f"Legal review of contract {code} (法務甲)",
        f"Legal review of contract {code} (法務乙)",
        f"Business review of contract {code} (總經理)",
        f"Business review of contract {code} (副總經理)",
    }
    assert {d.responsible for d in open_.values()} == {legal, legal2, boss, boss2}
    assert all(d.due_at == due and d.url == contract.get_absolute_url() for d in open_.values())
    # Escalated to the drafter when late, except the drafter's own deadline.
    assert {d.responsible: d.escalate_to for d in open_.values()} == {
        legal: None,
        legal2: legal,
        boss: legal,
        boss2: legal,
    }
    # Reminded before it is due, once each.
    reminders, _escalations = notifications.process_deadlines(now=due - timedelta(hours=12))
    assert reminders >= 4 and deadlines(reminded_at__isnull=True).count() == 0

    # One legal review closes every legal deadline, though made in another language than the title.
    with translation.override("zh-hant"):
        services.legal_review(contract, actor=legal2, checked=[k for k, _l in LEGAL_CHECKLIST], passed=True)
    assert sorted(deadlines(closed_at__isnull=True).values_list("responsible__username", flat=True)) == [
        "boss",
        "boss2",
    ]
    services.business_review(contract, actor=boss2, passed=True)
    contract.refresh_from_db()
    assert contract.state == Contract.State.APPROVED
    assert not deadlines(closed_at__isnull=True).exists() and deadlines().count() == 4


def test_CON_2_a_returned_contract_closes_its_review_deadlines_and_a_resubmission_opens_new_ones(personas):
    from django.contrib.contenttypes.models import ContentType

    from onestop.notifications.models import Deadline

    contract = drafted(personas)
    open_deadlines = Deadline.objects.open().filter(
        target_type=ContentType.objects.get_for_model(Contract), target_id=contract.pk
    )
    services.submit(contract, actor=personas["legal"])
    assert open_deadlines.count() == 2  # one legal, one management reviewer
    services.business_review(contract, actor=personas["management"], comment="付款節點不合理", passed=False)
    contract.refresh_from_db()
    assert contract.state == Contract.State.RETURNED and not open_deadlines.exists()
    services.revise(contract, actor=personas["legal"])
    services.submit(contract, actor=personas["legal"])
    assert open_deadlines.count() == 2


def test_CON_3_a_signed_contract_and_its_payment_schedule_can_no_longer_be_edited(personas):
    """Once out of drafting, neither the contract nor an instalment may be changed or deleted."""
    contract = drafted(personas)
    legal = personas["legal"]
    instalment = contract.instalments.first()
    assert legal.has_perm("contracts.change_contract", contract)
    assert legal.has_perm("contracts.delete_paymentinstalment", instalment)
    type(contract).objects.filter(pk=contract.pk).update(state="signed")
    contract.refresh_from_db()
    instalment.refresh_from_db()
    assert not legal.has_perm("contracts.change_contract", contract)
    assert not legal.has_perm("contracts.change_paymentinstalment", instalment)
    assert not legal.has_perm("contracts.delete_paymentinstalment", instalment)


def test_CON_1_drafting_offers_only_engagements_with_an_approved_plan(client, personas):
    ready = confirmed_engagement(personas, 0)
    without_plan = confirmed_engagement(personas, 1, with_plan=False)
    client.force_login(personas["legal"])
    choices = client.get(reverse("contracts:contract_add")).context["form"].fields["engagement"].queryset
    assert ready in choices and without_plan not in choices


# --- a button that cannot succeed is disabled with the reason (issue 11 §4) ---------------------


def _pass_button(page: str) -> str:
    match = re.search(r'<button[^>]*name="decision" value="pass"[^>]*>', page)
    assert match, "no pass button"
    return match.group(0)


def test_CON_2_the_pass_button_is_disabled_with_the_reason_while_a_difference_is_unresolved(client, personas):
    contract = drafted(personas)
    contract.quality_standard = "按行業慣例"
    contract._history_user = personas["legal"]
    contract.save()
    services.submit(contract, actor=personas["legal"])
    client.force_login(personas["management"])
    page = client.get(contract.get_absolute_url()).content.decode()
    assert " disabled" in _pass_button(page)
    assert "neither corrected nor justified" in page  # the reason beside the button
    assert 'value="return" disabled' not in page  # returning it to the drafter stays possible

    # Pressed anyway (a page left open, a crafted request): the same page, the message, what was typed.
    response = client.post(
        reverse("contracts:contract_business_review", args=[contract.pk]),
        {"comment": "金額與方案已逐項核對", "decision": "pass"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="contract-actions"' in page and "neither corrected nor justified" in page
    assert "金額與方案已逐項核對" in page
    contract.refresh_from_db()
    assert contract.business_passed_at is None

    # Justified, the button is enabled again and the review passes.
    services.justify(
        contract, actor=personas["legal"], field="quality_standard", reason="客戶要求採用行業慣例"
    )
    page = client.get(contract.get_absolute_url()).content.decode()
    assert " disabled" not in _pass_button(page)
    response = client.post(
        reverse("contracts:contract_business_review", args=[contract.pk]), {"comment": "", "decision": "pass"}
    )
    assert response.status_code == 302
