"""X-4, X-5: signed forms — hash of the exact content, immutability, PDF in Chinese, verify."""

from __future__ import annotations

import subprocess
import tempfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.core import pdf, reauth
from onestop.core import signatures as sig
from onestop.core.exceptions import ConflictError, DomainError, ErrorCode
from onestop.core.models import SecurityEvent, Signature
from tests.factories import PASSWORD
from tests.workflow import run_concurrently
from tests.workflow_app.models import Ticket

FORM = sig.get_document("ticket_form")


@pytest.fixture
def ticket(personas):
    return Ticket.objects.create(
        title="壓力容器定期檢驗",
        description="依《特種設備安全法》辦理年度檢驗，出具檢驗報告。",
        client_organization=personas["client_a"].client_organization,
        amount=Decimal("12345.60"),
    )


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def sign_url(ticket):
    return reverse("core:document_sign", args=["workflow_app.ticket", ticket.pk, FORM.code])


def pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", handle.name, "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout


def test_X_5_signing_records_signer_role_time_ip_and_the_hash_of_the_exact_content(client, personas, ticket):
    client.force_login(personas["client_a"])
    response = client.post(
        sign_url(ticket), {"role": "client", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    signature = Signature.objects.get()
    assert (signature.signer, signature.role, signature.version, signature.ip_address) == (
        personas["client_a"],
        "client",
        1,
        "203.0.113.7",
    )
    assert signature.record == ticket and signature.signed_at is not None
    assert signature.content == FORM.render(ticket)
    assert signature.sha256 == sig.sha256(signature.content) and len(signature.sha256) == 64
    assert "壓力容器定期檢驗" in signature.content and "12345.60" in signature.content
    history = signature.history.get()
    assert (history.history_type, history.history_user) == ("+", personas["client_a"])


def test_X_5_rendering_is_canonical_whatever_the_users_language(personas, ticket):
    from django.utils import translation

    with translation.override("en"):
        english = FORM.render(ticket)
    with translation.override("zh-hans"):
        simplified = FORM.render(ticket)
    assert english == simplified == FORM.render(ticket)
    assert "\r" not in english and "\n\n" not in english


def test_X_5_both_parties_sign_the_same_content_and_the_form_is_then_complete(personas, ticket):
    assert not sig.is_fully_signed(FORM, ticket)
    first = sig.sign(FORM, ticket, actor=personas["client_a"], role="client", password=PASSWORD)
    second = sig.sign(FORM, ticket, actor=personas["cs"], role="technician", password=PASSWORD)
    assert first.sha256 == second.sha256
    assert sig.is_fully_signed(FORM, ticket)


def test_X_4_a_signed_version_cannot_change_a_change_needs_a_new_version(personas, ticket):
    sig.sign(FORM, ticket, actor=personas["client_a"], role="client", password=PASSWORD)
    with pytest.raises(DomainError):
        sig.ensure_unsigned(FORM, ticket)  # what an edit service calls before changing the terms
    ticket.amount = Decimal("99999.00")
    ticket.save()
    with pytest.raises(DomainError) as refused:
        sig.sign(FORM, ticket, actor=personas["cs"], role="technician", password=PASSWORD)
    assert "version" in refused.value.message.lower() or "版本" in refused.value.message
    assert Signature.objects.count() == 1
    # A new version starts unsigned and must be signed again by both parties.
    Ticket.objects.filter(pk=ticket.pk).update(form_version=2)
    ticket.refresh_from_db()
    assert not sig.is_fully_signed(FORM, ticket)
    sig.ensure_unsigned(FORM, ticket)
    sig.sign(FORM, ticket, actor=personas["client_a"], role="client", password=PASSWORD)
    sig.sign(FORM, ticket, actor=personas["cs"], role="technician", password=PASSWORD)
    assert sig.is_fully_signed(FORM, ticket)
    assert sorted(Signature.objects.values_list("version", "role")) == [
        (1, "client"),
        (2, "client"),
        (2, "technician"),
    ]


def test_X_4_the_same_role_cannot_sign_a_version_twice(personas, ticket):
    sig.sign(FORM, ticket, actor=personas["client_a"], role="client", password=PASSWORD)
    with pytest.raises(DomainError):
        sig.sign(FORM, ticket, actor=personas["client_a"], role="client", password=PASSWORD)


def test_X_3_only_the_right_people_sign_and_only_records_they_see(client, personas, ticket):
    with pytest.raises(PermissionDenied):
        sig.sign(
            FORM, ticket, actor=personas["client_b"], role="client", password=PASSWORD
        )  # another organisation
    with pytest.raises(PermissionDenied):
        sig.sign(
            FORM, ticket, actor=personas["cs"], role="client", password=PASSWORD
        )  # staff cannot sign for the client
    with pytest.raises(DomainError):
        sig.sign(FORM, ticket, actor=personas["cs"], role="notary", password=PASSWORD)
    client.force_login(personas["client_b"])
    assert client.post(sign_url(ticket), {"role": "client"}).status_code == 404
    client.force_login(personas["cs"])
    assert client.post(sign_url(ticket), {"role": "client"}).status_code == 403
    assert client.post(sign_url(ticket), {"role": ""}).status_code == 400
    assert not Signature.objects.exists()


def test_X_5_the_pdf_prints_traditional_chinese_the_signatures_and_the_hash(client, personas, ticket):
    sig.sign(FORM, ticket, actor=personas["client_a"], role="client", password=PASSWORD)
    client.force_login(personas["client_a"])
    response = client.get(reverse("core:document_pdf", args=["workflow_app.ticket", ticket.pk, FORM.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(response.content)
    for expected in (
        "技術服務申請單",
        "壓力容器定期檢驗",
        "依《特種設備安全法》辦理年度檢驗",
        personas["client_a"].client_organization.name,
        "12345.60",
        "委託方（客戶）",
        personas["client_a"].display_name,
        Signature.objects.get().sha256[:32],
    ):
        assert expected in text.replace("\n", ""), expected


def test_X_5_the_pdf_of_a_signed_version_shows_what_was_signed_not_later_edits(personas, ticket):
    sig.sign(FORM, ticket, actor=personas["client_a"], role="client", password=PASSWORD)
    Ticket.objects.filter(pk=ticket.pk).update(amount=Decimal("1.00"), form_version=2)
    ticket.refresh_from_db()
    old = pdf_text(pdf.render_pdf(FORM, ticket, version=1))
    new = pdf_text(pdf.render_pdf(FORM, ticket))
    assert "12345.60" in old and "12345.60" not in new
    assert pdf.render_pdf(FORM, ticket, version=7) == b""


def test_X_4_verify_recomputes_the_hash_of_the_stored_content_and_of_the_form_now(client, personas, ticket):
    signature = sig.sign(FORM, ticket, actor=personas["client_a"], role="client", password=PASSWORD)
    check = sig.verify(signature)
    assert check.stored_hash_matches and check.current_matches and check.is_current_version
    client.force_login(personas["cs"])
    page = client.get(reverse("core:signature_verify", args=[signature.pk])).content.decode()
    assert 'data-check="stored" data-ok="true"' in page and 'data-check="current" data-ok="true"' in page
    body = api(personas["client_a"]).get(reverse("api:signature-verify", args=[signature.pk])).json()
    assert body["stored_content_intact"] and body["current_content_matches"], body

    # The record changes (without a new version): the current form no longer matches.
    Ticket.objects.filter(pk=ticket.pk).update(amount=Decimal("5.00"))
    body = api(personas["cs"]).get(reverse("api:signature-verify", args=[signature.pk])).json()
    assert body["stored_content_intact"] and not body["current_content_matches"]

    # Someone alters the stored content behind the application's back: it shows.
    Signature.objects.filter(pk=signature.pk).update(content=signature.content.replace("12345.60", "1.00"))
    page = client.get(reverse("core:signature_verify", args=[signature.pk])).content.decode()
    assert 'data-check="stored" data-ok="false"' in page


def test_X_3_signatures_are_seen_only_with_their_record(client, personas, ticket):
    signature = sig.sign(FORM, ticket, actor=personas["client_a"], role="client", password=PASSWORD)
    assert list(Signature.objects.visible_to(personas["client_b"])) == []
    assert list(Signature.objects.visible_to(personas["cs"])) == [signature]
    outsider = api(personas["client_b"])
    assert outsider.get(reverse("api:signature-list")).json()["results"] == []
    assert outsider.get(reverse("api:signature-detail", args=[signature.pk])).status_code == 404
    assert outsider.get(reverse("api:signature-verify", args=[signature.pk])).status_code == 404
    client.force_login(personas["client_b"])
    assert client.get(reverse("core:signature_verify", args=[signature.pk])).status_code == 404
    pdf_url = reverse("core:document_pdf", args=["workflow_app.ticket", ticket.pk, FORM.code])
    assert client.get(pdf_url).status_code == 404
    assert client.get(pdf_url.replace("ticket_form", "nothing")).status_code == 404
    assert APIClient().get(reverse("api:signature-list")).status_code == 401


def test_X_5_signing_through_the_api_and_bad_input(personas, ticket):
    url = reverse("api:signature-list")
    body = {
        "record_type": "workflow_app.ticket",
        "object_id": ticket.pk,
        "document": FORM.code,
        "role": "client",
        "password": PASSWORD,
    }
    bad = api(personas["cs"])
    assert bad.post(url, body, format="json").status_code == 403  # not the client
    response = api(personas["client_a"]).post(url, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["sha256"] == Signature.objects.get().sha256
    again = api(personas["client_a"]).post(url, body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_done"  # signed already
    # Once signed in a role, that is the answer to anyone who may see the form: no one can
    # sign it again (a lost race is told so, not "you may not", issue 10).
    assert bad.post(url, body, format="json").json()["code"] == "already_done"
    assert api(personas["client_b"]).post(url, body, format="json").status_code == 404
    assert bad.post(url, {**body, "record_type": "nope.nothing"}, format="json").status_code == 400
    assert bad.post(url, {**body, "document": "nothing"}, format="json").status_code == 400
    assert bad.post(url, {**body, "object_id": "x"}, format="json").status_code == 400
    assert bad.put(reverse("api:signature-detail", args=[1]), body, format="json").status_code in (403, 405)
    assert Signature.objects.count() == 1


def test_X_5_the_record_page_offers_signing_and_the_pdf(client, personas, ticket):
    client.force_login(personas["client_a"])
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'data-document="ticket_form"' in page and 'data-sign="client"' in page
    assert 'data-sign="technician"' not in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_X_4_two_people_signing_the_same_role_at_once_give_one_signature(personas):
    ticket = Ticket.objects.create(
        title="並發簽署",
        description="同時簽署測試",
        client_organization=personas["client_a"].client_organization,
    )
    other = type(personas["client_a"]).objects.create(
        username="client.a2", client_organization=ticket.client_organization
    )
    from django.contrib.auth.models import Group

    other.groups.set(Group.objects.filter(name="client"))

    def signer(user):
        return lambda: (
            lambda: sig.sign(
                FORM, Ticket.objects.get(pk=ticket.pk), actor=user, role="client", password=PASSWORD
            )
        )

    _results, errors = run_concurrently(signer(personas["client_a"]), signer(other))
    assert sum(e is None for e in errors) == 1, errors
    assert all(isinstance(e, DomainError) for e in errors if e is not None), errors
    assert Signature.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_X_4_two_parties_signing_at_once_take_turns_so_the_last_one_completes_the_form(personas, monkeypatch):
    ticket = Ticket.objects.create(
        title="雙方同時簽署",
        description="客戶與技術人員同時簽署",
        client_organization=personas["client_a"].client_organization,
    )
    complete_when_signed = []
    monkeypatch.setattr(
        type(FORM),
        "signed",
        lambda self, obj, signature, *, actor: complete_when_signed.append(sig.is_fully_signed(FORM, obj)),
    )

    def signer(user, role):
        def load():
            record = Ticket.objects.get(pk=ticket.pk)  # the page each party has open
            return lambda: sig.sign(FORM, record, actor=user, role=role, password=PASSWORD)

        return load

    _results, errors = run_concurrently(
        signer(personas["client_a"], "client"), signer(personas["cs"], "technician")
    )
    assert errors == [None, None]
    assert Signature.objects.filter(object_id=ticket.pk).count() == 2
    # Exactly one signing saw the form complete: the one that came second saw the first.
    assert sorted(complete_when_signed) == [False, True]


def test_X_4_a_record_moved_on_meanwhile_is_still_signed_when_its_form_reads_the_same(personas, ticket):
    """The other party's signature may move the record on (a client's signature passes an
    acceptance report the lead signs too): the form is the same, so the second signature lands."""
    stale = Ticket.objects.get(pk=ticket.pk)
    Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.SUBMITTED)
    sig.sign(FORM, stale, actor=personas["client_a"], role="client", password=PASSWORD)
    assert Signature.objects.filter(role="client").count() == 1


def test_X_4_signing_a_form_that_changed_meanwhile_is_a_conflict_not_a_refusal(personas, ticket):
    stale = Ticket.objects.get(pk=ticket.pk)
    Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.SUBMITTED, description="改過的內容")
    with pytest.raises(ConflictError):
        sig.sign(FORM, stale, actor=personas["client_a"], role="client", password=PASSWORD)
    assert not Signature.objects.exists()
    fresh = Ticket.objects.get(pk=ticket.pk)
    sig.sign(FORM, fresh, actor=personas["client_a"], role="client", password=PASSWORD)
    with pytest.raises(ConflictError) as second:
        sig.sign(FORM, fresh, actor=personas["client_a"], role="client", password=PASSWORD)
    assert second.value.code == "already_done" and second.value.status_code == 409


# --- signing means intent (issue 11 §5): the signer confirms with their password or a code -------


def test_a_signature_without_the_password_is_refused(client, personas, ticket):
    signer = personas["client_a"]
    with pytest.raises(DomainError) as refused:
        sig.sign(FORM, ticket, actor=signer, role="client")
    assert (refused.value.code, refused.value.field) == (ErrorCode.REAUTH_REQUIRED, "password")
    # The page: refused with the message next to the password field, the text still shown.
    client.force_login(signer)
    answer = client.post(sign_url(ticket), {"role": "client"})
    assert answer.status_code == 400
    assert answer.context["form"].errors["password"] and "壓力容器定期檢驗" in answer.content.decode()
    # The API: 400, code reauth_required, the field named.
    body = {
        "record_type": "workflow_app.ticket",
        "object_id": ticket.pk,
        "document": FORM.code,
        "role": "client",
    }
    answer = api(signer).post(reverse("api:signature-list"), body, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "reauth_required"
    assert "password" in answer.json()["errors"]
    assert not Signature.objects.exists()


def test_a_wrong_signing_password_is_refused_recorded_and_counts_towards_the_lockout(
    personas, ticket, settings
):
    signer = personas["client_a"]
    with pytest.raises(DomainError) as refused:
        sig.sign(FORM, ticket, actor=signer, role="client", password="not-my-password")
    assert (refused.value.code, refused.value.field) == (ErrorCode.REAUTH_FAILED, "password")
    assert SecurityEvent.objects.filter(user=signer, kind=SecurityEvent.Kind.SIGNING_REFUSED).count() == 1
    # Guessing on the signing page is no easier than at the log-in page: the same lockout.
    browser = Client(REMOTE_ADDR="198.51.100.77")
    browser.force_login(signer)
    statuses = [
        browser.post(sign_url(ticket), {"role": "client", "password": "guess"}).status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1) and statuses[-1] == 429
    assert browser.post(sign_url(ticket), {"role": "client", "password": PASSWORD}).status_code == 429
    assert not Signature.objects.exists()


def test_the_signing_page_shows_the_exact_text_its_hash_and_a_button_that_says_what_is_signed(
    client, personas, ticket
):
    client.force_login(personas["client_a"])
    record_page = client.get(reverse("workflow_app:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'data-sign="client"' in record_page and f"{sign_url(ticket)}?role=client" in record_page
    answer = client.get(sign_url(ticket), {"role": "client"})
    page = answer.content.decode()
    content = FORM.render(ticket)
    assert answer.status_code == 200 and sig.sha256(content) in page
    assert "依《特種設備安全法》辦理年度檢驗" in page  # the text itself, not only a link to it
    assert 'type="password"' in page and 'target="_blank"' in page
    assert FORM.sign_label("client") in page and str(FORM.title) in FORM.sign_label("client")
    assert client.get(sign_url(ticket), {"role": "notary"}).status_code == 404


def test_a_form_changed_after_it_was_shown_is_not_signed(client, personas, ticket):
    client.force_login(personas["client_a"])
    shown = sig.sha256(FORM.render(ticket))
    Ticket.objects.filter(pk=ticket.pk).update(title="另一個標題")
    answer = client.post(sign_url(ticket), {"role": "client", "password": PASSWORD, "sha256": shown})
    assert answer.status_code == 409 and "另一個標題" in answer.content.decode()
    assert not Signature.objects.exists()


def test_a_single_sign_on_user_confirms_with_a_one_time_code_or_is_told_to_set_it_up(
    personas, ticket, english
):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    signer = personas["client_a"]
    signer.set_unusable_password()
    signer.save()
    with pytest.raises(DomainError) as refused:
        sig.sign(FORM, ticket, actor=signer, role="client", password=PASSWORD)
    assert (
        refused.value.code == ErrorCode.REAUTH_REQUIRED and "two-factor" in str(refused.value.message).lower()
    )
    device = TOTPDevice.objects.create(user=signer, name="OneStop", confirmed=True)
    right = {
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=d):06d}"
        for d in (-1, 0, 1)
    }
    with pytest.raises(DomainError) as refused:
        sig.sign(
            FORM,
            ticket,
            actor=signer,
            role="client",
            otp=next(c for c in ("111111", "222222") if c not in right),
        )
    assert (refused.value.code, refused.value.field) == (ErrorCode.REAUTH_FAILED, "otp")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    signature = sig.sign(FORM, ticket, actor=signer, role="client", otp=code)
    assert signature.signer == signer


def test_a_consent_is_only_good_for_the_user_who_gave_it(personas, ticket):
    consent = reauth.confirm(personas["cs"], password=PASSWORD)
    with pytest.raises(DomainError):
        sig.sign(FORM, ticket, actor=personas["client_a"], role="client", consent=consent)
    assert not Signature.objects.exists()


def test_the_api_gives_the_text_to_be_signed_and_signs_only_that_text(personas, ticket):
    signer = api(personas["client_a"])
    url = reverse("api:document-content", args=["workflow_app.ticket", ticket.pk, FORM.code])
    shown = signer.get(url).json()
    assert shown["content"] == FORM.render(ticket) and shown["sha256"] == sig.sha256(shown["content"])
    assert (shown["version"], shown["may_sign"]) == (1, ["client"])
    assert signer.get(url, {"x": 1}).status_code == 400
    assert api(personas["client_b"]).get(url).status_code == 404
    body = {
        "record_type": "workflow_app.ticket",
        "object_id": ticket.pk,
        "document": FORM.code,
        "role": "client",
    }
    Ticket.objects.filter(pk=ticket.pk).update(title="另一個標題")
    stale = signer.post(
        reverse("api:signature-list"), {**body, "password": PASSWORD, "sha256": shown["sha256"]}
    )
    assert stale.status_code == 409 and not Signature.objects.exists()
    wrong = signer.post(reverse("api:signature-list"), {**body, "password": "guess"}, format="json")
    assert (wrong.status_code, wrong.json()["code"], list(wrong.json()["errors"])) == (
        400,
        "reauth_failed",
        ["password"],
    )
    fresh = signer.get(url).json()["sha256"]
    answer = signer.post(reverse("api:signature-list"), {**body, "password": PASSWORD, "sha256": fresh})
    assert answer.status_code == 201 and answer.json()["sha256"] == fresh
    assert "password" not in answer.json()
