"""X-4: the audit trail and the signatures are chained with a key kept outside the database,
so an edit behind the application's back shows, at the first link it breaks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.accounts.models import Department
from onestop.core import chain
from onestop.core import signatures as sig
from onestop.core.models import AuditHead, AuditLink
from tests.factories import PASSWORD
from tests.workflow_app.models import Ticket

FORM = sig.get_document("ticket_form")


@pytest.fixture
def departments(admin_user):
    """Three audit entries written the ordinary way (each save writes a historical record)."""
    return [Department.objects.create(name=f"部門 {n}", code=f"chain-{n}") for n in range(3)]


def history_of(department):
    return department.history.model.objects.filter(id=department.pk)


def verify_text():
    return call_command("verify") or ""


def test_every_audit_entry_joins_the_chain_and_verify_finds_it_intact(departments, capsys):
    report = chain.verify()
    assert report.intact and report.checked == AuditLink.objects.count() >= 3
    assert AuditHead.objects.get().seq == report.checked
    call_command("verify")
    assert "intact" in capsys.readouterr().out


def test_an_entry_edited_in_the_database_breaks_the_chain_at_its_link(departments):
    entry = history_of(departments[1]).get()
    link = AuditLink.objects.get(object_pk=str(entry.pk), content_type__model="historicaldepartment")
    history_of(departments[1]).update(name="改過的名稱")
    report = chain.verify()
    assert not report.intact
    assert (report.broken.seq, report.broken.reason) == (link.seq, "changed")
    assert report.checked == link.seq - 1
    with pytest.raises(CommandError, match=f"#{link.seq}"):
        call_command("verify")


def test_a_deleted_entry_a_removed_link_and_a_rewritten_digest_each_show(departments):
    entries = [history_of(department).get() for department in departments]
    links = [
        AuditLink.objects.get(object_pk=str(e.pk), content_type__model="historicaldepartment")
        for e in entries
    ]

    AuditLink.objects.filter(pk=links[1].pk).update(digest="f" * 64)
    assert (chain.verify().broken.seq, chain.verify().broken.reason) == (links[1].seq, "digest")
    AuditLink.objects.filter(pk=links[1].pk).update(digest=links[1].digest)
    assert chain.verify().intact

    AuditLink.objects.filter(pk=links[1].pk).delete()
    assert (chain.verify().broken.seq, chain.verify().broken.reason) == (links[1].seq, "missing_link")

    history_of(departments[0]).delete()
    assert (chain.verify().broken.seq, chain.verify().broken.reason) == (links[0].seq, "deleted")


def test_links_cut_off_at_the_end_show_against_the_head(departments):
    AuditLink.objects.filter(seq=AuditLink.objects.order_by("-seq").first().seq).delete()
    assert chain.verify().broken.reason == "head"


def test_the_digests_depend_on_the_key_kept_outside_the_database(departments, settings):
    assert chain.verify().intact
    settings.ONESTOP_AUDIT_KEY = b"another key that an intruder might try to use 123"
    report = chain.verify()
    assert report.broken.seq == 1 and report.broken.reason in {"changed", "digest"}


@pytest.fixture
def signed(personas):
    ticket = Ticket.objects.create(
        title="壓力容器定期檢驗",
        description="年度檢驗",
        client_organization=personas["client_a"].client_organization,
        amount=Decimal("12345.60"),
    )
    return sig.sign(FORM, ticket, actor=personas["client_a"], role="client", password=PASSWORD)


def test_a_signatures_verify_page_and_api_say_whether_its_chain_holds(client, personas, signed):
    client.force_login(personas["cs"])
    url = reverse("core:signature_verify", args=[signed.pk])
    assert 'data-check="chain" data-ok="true"' in client.get(url).content.decode()

    # Both the signature and its hash rewritten together: the plain hash check is fooled,
    # the audit entry and its link are not.
    content = signed.content.replace("12345.60", "1.00")
    type(signed).objects.filter(pk=signed.pk).update(content=content, sha256=sig.sha256(content))
    page = client.get(url).content.decode()
    assert 'data-check="stored" data-ok="true"' in page
    assert 'data-check="chain" data-ok="false"' in page
    api = APIClient()
    api.force_authenticate(personas["client_a"])
    assert api.get(reverse("api:signature-verify", args=[signed.pk])).json()["audit_chain_intact"] is False

    # Rewriting the audit entry as well breaks its keyed link.
    signed.history.update(content=content, sha256=sig.sha256(content))
    assert 'data-check="chain" data-ok="false"' in client.get(url).content.decode()
    assert chain.verify().broken.reason == "changed"


def test_the_audit_chain_page_is_for_system_administrators(client, personas, departments):
    url = reverse("core:audit_chain")
    client.force_login(personas["cs"])
    assert client.get(url).status_code == 404
    client.force_login(personas["admin"])
    page = client.get(url)
    assert page.status_code == 200 and 'data-intact="true"' in page.content.decode()
    history_of(departments[0]).update(name="x")
    assert 'data-intact="false"' in client.get(url).content.decode()
