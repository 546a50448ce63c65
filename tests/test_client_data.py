"""Issue 17, "Data": everything about one client organisation in one ZIP, and the retention rule
that anonymises its people once it is done with us (accounts/clientdata.py)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from onestop.accounts.models import ClientContact, ClientDataRecord, User
from onestop.core import chain
from onestop.core import signatures as sig
from onestop.core.models import Attachment, Signature
from onestop.core.roles import Role
from onestop.engagements.models import Channel, Engagement, Inquiry
from tests.factories import ClientContactFactory
from tests.stages import signed_contract, stage_personas

pytestmark = pytest.mark.django_db

SIGNED_TEXT = "<h1>合同</h1>\n<p>甲方：甲方科技有限公司</p>"


@pytest.fixture
def people(personas, make_user):
    return stage_personas(personas, make_user)


@pytest.fixture
def client_records(people, org_a, org_b):
    """Org A: a signed contract (engagement, proposal, plan…), a contact, a file and a signed form.
    Org B: an engagement and a contact of its own, which must never appear in A's export."""
    contract = signed_contract(people)
    contact = ClientContactFactory(organization=org_a, name="王小明", phone="13800000000")
    other_contact = ClientContactFactory(organization=org_b, name="李四", email="lisi@b.example")
    other_engagement = Engagement.objects.create(
        code="OS-B-00001",
        title="乙方的案件",
        client=org_b,
        channel=Channel.PHONE,
        stage=Engagement.Stage.CONFIRMED,
    )
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(Engagement),
        object_id=contract.engagement_id,
        original_name="需求說明.txt",
        mime_type="text/plain",
        size=12,
        sha256="0" * 64,
        uploaded_by=people["cs"],
    )
    attachment.file.save("export-test.txt", ContentFile("需求說明".encode()), save=False)
    attachment.save()
    signature = Signature.objects.create(
        content_type=ContentType.objects.get_for_model(type(contract)),
        object_id=contract.pk,
        document="contract",
        title="合同",
        version=1,
        signer=people["client_a"],
        role="client",
        sha256=sig.sha256(SIGNED_TEXT),
        content=SIGNED_TEXT,
    )
    return {
        "contract": contract,
        "contact": contact,
        "other_contact": other_contact,
        "other_engagement": other_engagement,
        "attachment": attachment,
        "signature": signature,
    }


def read_zip(data) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)


def records(archive, label) -> list[dict]:
    return json.loads(archive.read(f"records/{label}.json"))


# --- the export through the command ------------------------------------------------------------


def test_the_command_exports_every_kind_of_record_of_the_organisation_and_nothing_of_another(
    client_records, org_a, tmp_path
):
    out = tmp_path / "aaa.zip"
    call_command("export-client", "AAA", out=str(out), stdout=io.StringIO())

    archive = read_zip(out)
    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["organization"] == {"id": org_a.pk, "code": "AAA", "name": org_a.name}
    for label in (
        "accounts.clientorganization",
        "accounts.clientcontact",
        "accounts.user",
        "engagements.engagement",
        "engagements.proposal",
        "plans.plan",
        "plans.planversion",
        "contracts.contract",
        "contracts.paymentinstalment",
        "core.attachment",
        "core.signature",
    ):
        assert manifest["records"][label] >= 1, label
        assert f"records/{label}.json" in names
    assert [row["fields"]["name"] for row in records(archive, "accounts.clientcontact")] == ["王小明"]
    assert [row["fields"]["code"] for row in records(archive, "contracts.contract")] == [
        client_records["contract"].code
    ]
    assert "history/contracts.contract.json" in names
    assert "README.txt" in names and "AAA" in archive.read("README.txt").decode()
    # Nothing of organisation B, anywhere in the ZIP.
    everything = b"".join(archive.read(name) for name in names)
    assert "李四".encode() not in everything and b"OS-B-00001" not in everything


def test_the_export_holds_the_uploaded_files_and_the_exact_signed_text_but_no_password(
    client_records, tmp_path
):
    out = tmp_path / "aaa.zip"
    call_command("export-client", "AAA", out=str(out), stdout=io.StringIO())

    archive = read_zip(out)
    manifest = json.loads(archive.read("manifest.json"))
    [file] = manifest["files"]
    assert file["attachment"] == client_records["attachment"].pk and file["path"].startswith("files/")
    assert archive.read(file["path"]).decode() == "需求說明"
    [form] = manifest["forms"]
    signed = archive.read(form["path"]).decode()
    assert (
        signed == SIGNED_TEXT and sig.sha256(signed) == form["sha256"] == client_records["signature"].sha256
    )
    users = records(archive, "accounts.user")
    assert users and all("password" not in row["fields"] for row in users)


def test_the_command_finds_the_organisation_by_id_and_records_the_export(client_records, org_a, tmp_path):
    out = tmp_path / "by-id.zip"
    output = io.StringIO()
    call_command("export-client", str(org_a.pk), out=str(out), stdout=output)

    assert "Exported AAA" in output.getvalue()
    record = ClientDataRecord.objects.get()
    assert record.kind == ClientDataRecord.Kind.EXPORTED and record.organization == org_a
    assert record.actor is None and record.counts["contracts.contract"] == 1 and record.counts["files"] == 1
    assert chain.verify().intact


def test_the_command_refuses_an_unknown_organisation_and_an_existing_file(org_a, tmp_path):
    with pytest.raises(CommandError, match="No client organisation"):
        call_command("export-client", "NOPE", out=str(tmp_path / "x.zip"))
    existing = tmp_path / "there.zip"
    existing.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("export-client", "AAA", out=str(existing))
    assert existing.read_bytes() == b"keep me"
    assert not ClientDataRecord.objects.exists()


# --- the export on the organisation's page -----------------------------------------------------


def export_url(organization) -> str:
    return reverse("accounts:clientorganization_export", args=[organization.pk])


def test_a_system_administrator_downloads_the_zip_from_the_page_and_the_export_is_recorded(
    client, client_records, org_a, people
):
    client.force_login(people["admin"])
    page = client.get(org_a.get_absolute_url())
    assert export_url(org_a) in page.content.decode()

    response = client.post(export_url(org_a))

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="onestop-aaa-' in response["Content-Disposition"]
    archive = read_zip(b"".join(response.streaming_content))
    assert json.loads(archive.read("manifest.json"))["organization"]["code"] == "AAA"
    record = ClientDataRecord.objects.get()
    assert record.actor == people["admin"] and record.kind == ClientDataRecord.Kind.EXPORTED


def test_management_may_export_too(client, client_records, org_a, people):
    client.force_login(people["management"])
    assert client.post(export_url(org_a)).status_code == 200


def test_a_client_user_of_another_organisation_finds_no_such_organisation(
    client, client_records, org_a, people
):
    client.force_login(people["client_b"])
    assert client.post(export_url(org_a)).status_code == 404
    assert not ClientDataRecord.objects.exists()


def test_a_client_user_may_not_export_even_their_own_organisation(client, client_records, org_a, people):
    # The export holds our internal records of the client, which its users do not see.
    client.force_login(people["client_a"])
    assert export_url(org_a) not in client.get(org_a.get_absolute_url()).content.decode()
    assert client.post(export_url(org_a)).status_code == 403
    assert not ClientDataRecord.objects.exists()


def test_staff_without_the_right_see_the_organisation_but_may_not_export_it(
    client, client_records, org_a, people
):
    client.force_login(people["cs"])
    assert export_url(org_a) not in client.get(org_a.get_absolute_url()).content.decode()
    assert client.post(export_url(org_a)).status_code == 403
    assert not ClientDataRecord.objects.exists()


def test_the_export_is_a_post_for_logged_in_users_only(client, org_a, people):
    assert client.post(export_url(org_a)).status_code == 302  # to the log-in page
    client.force_login(people["admin"])
    assert client.get(export_url(org_a)).status_code == 405


def api_export_url(organization) -> str:
    return f"/api/client-organizations/{organization.pk}/export/"


def test_the_api_gives_the_same_zip_to_a_system_administrator(client_records, org_a, people):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(people["admin"])
    response = api.post(api_export_url(org_a))

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = read_zip(b"".join(response.streaming_content))
    assert json.loads(archive.read("manifest.json"))["records"]["contracts.contract"] == 1
    assert ClientDataRecord.objects.get().actor == people["admin"]


@pytest.mark.parametrize(("persona", "status"), [("client_b", 404), ("client_a", 403), ("cs", 403)])
def test_the_api_refuses_an_export_as_the_page_does(client_records, org_a, people, persona, status):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(people[persona])
    assert api.post(api_export_url(org_a)).status_code == status
    assert not ClientDataRecord.objects.exists()


def test_the_command_adds_the_pdf_of_each_signed_form_when_asked(client_records, tmp_path):
    out = tmp_path / "with-pdf.zip"
    call_command("export-client", "AAA", out=str(out), pdf=True, stdout=io.StringIO())

    archive = read_zip(out)
    [form] = json.loads(archive.read("manifest.json"))["forms"]
    assert archive.read(form["pdf"]).startswith(b"%PDF")


# --- retention ---------------------------------------------------------------------------------

LONG_AGO = timezone.now() - timedelta(days=6 * 365)
FIVE_YEARS = 5 * 365


@pytest.fixture
def former_client(personas, make_user, org_a, org_b):
    """Org A closed its last engagement six years ago; org B still has one open."""
    closed = Engagement.objects.create(
        code="OS-R-00001", title="舊案件", client=org_a, channel=Channel.PHONE, stage=Engagement.Stage.CLOSED
    )
    Engagement.objects.filter(pk=closed.pk).update(closed_at=LONG_AGO)
    inquiry = Inquiry.objects.create(
        engagement=closed,
        channel=Channel.PHONE,
        contact_name="王小明",
        contact_phone="13800000000",
        contact_email="wang@a.example",
        subject="諮詢",
        need="等保測評",
        recorded_by=personas["cs"],
    )
    old_contact = ClientContactFactory(organization=org_a, name="王小明", phone="13800000000")
    new_contact = ClientContactFactory(organization=org_a, name="新聯繫人", phone="13900000000")
    ClientContact.objects.filter(pk=old_contact.pk).update(updated_at=LONG_AGO)
    Inquiry.objects.filter(pk=inquiry.pk).update(updated_at=LONG_AGO)
    gone = make_user(Role.CLIENT, username="gone.client", full_name="離職用戶", client_organization=org_a)
    User.objects.filter(pk=gone.pk).update(is_active=False, last_login=LONG_AGO, date_joined=LONG_AGO)
    open_b = Engagement.objects.create(
        code="OS-R-00002",
        title="進行中",
        client=org_b,
        channel=Channel.PHONE,
        stage=Engagement.Stage.CONFIRMED,
    )
    b_contact = ClientContactFactory(organization=org_b, name="李四")
    ClientContact.objects.filter(pk=b_contact.pk).update(updated_at=LONG_AGO)
    return {
        "inquiry": inquiry,
        "old_contact": old_contact,
        "new_contact": new_contact,
        "gone": gone,
        "active": personas["client_a"],
        "b_contact": b_contact,
        "open_b": open_b,
    }


def fresh(row):
    return type(row)._base_manager.get(pk=row.pk)


def test_retention_is_off_by_default(former_client, settings):
    assert settings.ONESTOP_RETENTION_DAYS == 0
    output = io.StringIO()
    call_command("retention", stdout=output)
    assert "off" in output.getvalue()
    assert fresh(former_client["old_contact"]).name == "王小明"
    assert not ClientDataRecord.objects.exists()


def test_a_dry_run_lists_what_is_due_and_changes_nothing(former_client, settings):
    settings.ONESTOP_RETENTION_DAYS = FIVE_YEARS
    output = io.StringIO()
    call_command("retention", "--dry-run", stdout=output)

    text = output.getvalue()
    assert "Would anonymise AAA" in text and "accounts.clientcontact 1" in text and "accounts.user 1" in text
    assert "BBB" not in text and "Nothing was changed" in text
    assert fresh(former_client["old_contact"]).name == "王小明"
    assert fresh(former_client["gone"]).username == "gone.client"
    assert fresh(former_client["inquiry"]).contact_phone == "13800000000"
    assert not ClientDataRecord.objects.exists()


def test_a_run_anonymises_only_the_people_past_the_period_and_records_what_it_did(
    former_client, settings, org_a
):
    settings.ONESTOP_RETENTION_DAYS = FIVE_YEARS
    call_command("retention", stdout=io.StringIO())

    contact = fresh(former_client["old_contact"])
    assert contact.name == f"已匿名 #{contact.pk}"
    assert (contact.phone, contact.mobile, contact.email, contact.notes) == ("", "", "", "")
    gone = fresh(former_client["gone"])
    assert gone.full_name == f"已匿名 #{gone.pk}" and gone.email == "" and gone.phone == ""
    assert gone.username == f"anonymised-{gone.pk}" and not gone.has_usable_password()
    inquiry = fresh(former_client["inquiry"])
    assert (inquiry.contact_name, inquiry.contact_phone, inquiry.contact_email) == (
        f"已匿名 #{inquiry.pk}",
        "",
        "",
    )
    assert inquiry.subject == "諮詢"  # the record itself stays
    # Not past the period, or still working with us: untouched.
    assert fresh(former_client["new_contact"]).name == "新聯繫人"
    assert fresh(former_client["active"]).username == "client.a"
    assert fresh(former_client["b_contact"]).name == "李四"

    record = ClientDataRecord.objects.get()
    assert record.kind == ClientDataRecord.Kind.ANONYMISED and record.organization == org_a
    assert record.counts == {"accounts.clientcontact": 1, "accounts.user": 1, "engagements.inquiry": 1}
    assert "王小明" not in json.dumps(record.counts, ensure_ascii=False)
    assert chain.verify().intact


def test_running_retention_again_does_nothing_more(former_client, settings):
    settings.ONESTOP_RETENTION_DAYS = FIVE_YEARS
    call_command("retention", stdout=io.StringIO())
    output = io.StringIO()
    call_command("retention", stdout=output)

    assert "Anonymised 0 rows of 0 organisations" in output.getvalue()
    assert ClientDataRecord.objects.count() == 1


def test_a_signed_form_keeps_its_content_and_hash_after_retention(former_client, settings, people):
    engagement = former_client["inquiry"].engagement
    signature = Signature.objects.create(
        content_type=ContentType.objects.get_for_model(Engagement),
        object_id=engagement.pk,
        document="confirmation",
        title="確認單",
        version=1,
        signer=people["cs"],
        role="technician",
        sha256=sig.sha256("聯繫人：王小明"),
        content="聯繫人：王小明",
    )
    settings.ONESTOP_RETENTION_DAYS = FIVE_YEARS
    call_command("retention", stdout=io.StringIO())

    kept = fresh(signature)
    assert kept.content == "聯繫人：王小明" and sig.sha256(kept.content) == kept.sha256


def test_the_command_can_preview_another_period(former_client):
    output = io.StringIO()
    call_command("retention", "--dry-run", "--days", "36500", stdout=output)
    assert "Would anonymise 0 rows" in output.getvalue()
    with pytest.raises(CommandError):
        call_command("retention", "--days", "0")


def test_the_nightly_job_applies_the_rule(former_client, settings):
    from onestop.accounts.tasks import apply_retention

    settings.ONESTOP_RETENTION_DAYS = FIVE_YEARS
    assert apply_retention.call_local() == 1
    assert fresh(former_client["old_contact"]).name.startswith("已匿名")


def test_a_record_of_client_data_is_never_changed_or_deleted(former_client, settings):
    settings.ONESTOP_RETENTION_DAYS = FIVE_YEARS
    call_command("retention", stdout=io.StringIO())
    record = ClientDataRecord.objects.get()
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        ClientDataRecord.objects.all().delete()
