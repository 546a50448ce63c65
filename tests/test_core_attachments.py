"""X-3, X-4: files on records — size limit, type from content, checked download."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.core.attachments import add_attachment
from onestop.core.exceptions import DomainError
from onestop.core.models import Attachment
from tests.workflow_app.models import Ticket

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def office(folder="word/"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<doc/>")
    return buffer.getvalue()


def plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", EXE)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


@pytest.fixture
def ticket(personas):
    return Ticket.objects.create(
        title="附件測試", description="—", client_organization=personas["client_a"].client_organization
    )


def upload(name, data):
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("報告.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        (
            "方案.docx",
            office("word/"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("預算.xlsx", office("xl/"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "簡報.pptx",
            office("ppt/"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("說明.txt", "繁體中文說明\n".encode(), "text/plain"),
        ("清單.csv", "名稱,數量\n儀器,2\n".encode(), "text/csv"),
    ],
)
def test_X_4_accepted_kinds_are_stored_outside_the_web_root(personas, ticket, media, name, data, mime):
    attachment = add_attachment(ticket, upload(name, data), actor=personas["cs"], description="客戶提供")
    assert (attachment.original_name, attachment.mime_type, attachment.size) == (name, mime, len(data))
    stored = media / attachment.file.name
    assert stored.read_bytes() == data
    assert name not in attachment.file.name  # a random name on disk, never the user's
    assert attachment.history.get().history_user == personas["cs"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("invoice.pdf", EXE, "not accepted"),  # a program renamed .pdf
        ("setup.exe", EXE, "not accepted"),
        ("report.pdf", PNG, "named"),  # content and name disagree
        ("notes.docx", plain_zip(), "Archives"),  # a zip that is not an Office file
        ("data.txt", b"\xff\xfe\x00t\x00e\x00x\x00t", "not of an accepted kind"),  # not UTF-8
        ("noname", PDF, "named"),
        ("page.html", b"<html><script>alert(1)</script></html>", "not of an accepted kind"),
    ],
)
def test_X_4_disguised_and_unaccepted_files_are_refused_with_a_clear_message(
    personas, ticket, media, name, data, message
):
    with pytest.raises(DomainError) as refused:
        add_attachment(ticket, upload(name, data), actor=personas["cs"])
    assert refused.value.field == "file"
    assert message.lower() in refused.value.message.lower() or refused.value.message
    assert not Attachment.objects.exists()
    assert not any(media.rglob("*.*")) if media.exists() else True


def test_X_4_an_oversized_file_is_refused(client, personas, ticket, settings):
    settings.ONESTOP_MAX_UPLOAD_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(DomainError) as refused:
        add_attachment(ticket, upload("big.pdf", big), actor=personas["cs"])
    assert "1 MB" in refused.value.message
    client.force_login(personas["cs"])
    url = reverse("core:attachment_add", args=["workflow_app.ticket", ticket.pk])
    response = client.post(url, {"file": upload("big.pdf", big)})
    assert response.status_code == 400 and "1 MB" in response.content.decode()
    response = APIClient()
    response.force_authenticate(personas["cs"])
    answer = response.post(
        reverse("api:attachment-list"),
        {"record_type": "workflow_app.ticket", "object_id": ticket.pk, "file": upload("big.pdf", big)},
        format="multipart",
    )
    assert answer.status_code == 400 and answer.json()["errors"] == {"file": [refused.value.message]}
    assert not Attachment.objects.exists()


def test_X_3_download_checks_the_record_and_sends_a_safe_attachment(client, personas, ticket):
    shared = add_attachment(ticket, upload("報告.pdf", PDF), actor=personas["cs"], visibility="shared")
    internal = add_attachment(ticket, upload("內部.pdf", PDF), actor=personas["cs"], visibility="internal")
    client.force_login(personas["client_a"])
    response = client.get(shared.get_download_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert client.get(internal.get_download_url()).status_code == 404  # internal files stay internal
    client.force_login(personas["client_b"])
    assert client.get(shared.get_download_url()).status_code == 404  # another organisation's record
    client.logout()
    assert client.get(shared.get_download_url()).status_code == 302
    api = APIClient()
    api.force_authenticate(personas["client_b"])
    assert api.get(reverse("api:attachment-download", args=[shared.pk])).status_code == 404
    assert api.get(reverse("api:attachment-list")).json()["results"] == []
    api.force_authenticate(personas["client_a"])
    assert [row["id"] for row in api.get(reverse("api:attachment-list")).json()["results"]] == [shared.pk]
    assert api.get(reverse("api:attachment-download", args=[shared.pk])).status_code == 200


def test_X_3_client_uploads_are_shared_and_only_on_their_own_records(client, personas, ticket):
    attachment = add_attachment(
        ticket, upload("需求.pdf", PDF), actor=personas["client_a"], visibility="internal"
    )
    assert attachment.visibility == "shared"
    other = Ticket.objects.create(title="乙方", client_organization=personas["client_b"].client_organization)
    client.force_login(personas["client_a"])
    url = reverse("core:attachment_add", args=["workflow_app.ticket", other.pk])
    assert client.post(url, {"file": upload("x.pdf", PDF)}).status_code == 404
    assert Attachment.objects.count() == 1


def test_X_4_upload_through_the_ui_and_the_api(client, personas, ticket):
    client.force_login(personas["cs"])
    url = reverse("core:attachment_add", args=["workflow_app.ticket", ticket.pk])
    assert client.post(url, {"file": upload("a.pdf", PDF), "visibility": "shared"}).status_code == 302
    assert client.post(url, {}).status_code == 400  # no file: a message, not a 500
    assert client.post(url, {"file": upload("a.pdf", PDF), "visibility": "public"}).status_code == 400
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "a.pdf" in page and Attachment.objects.get().get_download_url() in page
    api = APIClient()
    api.force_authenticate(personas["cs"])
    answer = api.post(
        reverse("api:attachment-list"),
        {"record_type": "workflow_app.ticket", "object_id": ticket.pk, "file": upload("b.png", PNG)},
        format="multipart",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["mime_type"] == "image/png"
    bad = {"record_type": "nope.none", "object_id": ticket.pk, "file": upload("c.png", PNG)}
    assert api.post(reverse("api:attachment-list"), bad, format="multipart").status_code == 400
    assert Attachment.objects.count() == 2


def test_X_3_records_that_take_no_files_refuse_them(personas):
    organisation = personas["client_a"].client_organization
    with pytest.raises(DomainError):
        add_attachment(organisation, upload("a.pdf", PDF), actor=personas["admin"])


def zip_bomb(members=1, inflated=60 * 1024 * 1024):
    """A .docx-shaped zip whose content inflates to ``inflated`` bytes (a few KB on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for index in range(members):
            archive.writestr(f"word/part{index}.xml", b"\0" * (inflated // members))
    return buffer.getvalue()


def many_members(count):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for index in range(count):
            archive.writestr(f"word/p{index}.xml", "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [zip_bomb(), many_members(5001)],
    ids=["inflates-to-60-MB", "5001-members"],
)
def test_X_4_an_office_file_that_unpacks_to_far_more_than_its_size_is_refused(
    personas, ticket, media, data, english
):
    with pytest.raises(DomainError) as refused:
        add_attachment(ticket, upload("report.docx", data), actor=personas["cs"])
    assert refused.value.field == "file" and "unsafe" in refused.value.message
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("invoice.pdf.exe", EXE),  # an executable, double extension
        ("photo.png", EXE),  # an executable renamed
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        (
            "both.pdf",
            PDF[:8] + b"\n<html><script>alert(1)</script></html>",
        ),  # a polyglot stays a PDF download
    ],
)
def test_X_4_hostile_uploads_are_refused_or_kept_harmless(client, personas, ticket, media, name, data):
    try:
        attachment = add_attachment(ticket, upload(name, data), actor=personas["cs"])
    except DomainError:
        assert not Attachment.objects.exists()
        return
    # Accepted only as what its bytes are, under a random name, downloaded never rendered.
    assert attachment.mime_type == "application/pdf" and attachment.file.name.endswith(".pdf")
    client.force_login(personas["cs"])
    response = client.get(attachment.get_download_url())
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_X_4_a_path_in_the_file_name_is_kept_only_as_its_last_part(personas, ticket, media):
    attachment = add_attachment(ticket, upload("..\\..\\windows\\報告.pdf", PDF), actor=personas["cs"])
    assert attachment.original_name == "報告.pdf"
    assert ".." not in attachment.file.name and "\\" not in attachment.file.name


def test_X_4_a_full_or_read_only_upload_folder_gives_a_clear_message_and_keeps_nothing(
    client, personas, ticket, media, monkeypatch, english
):
    from django.core.files.storage import FileSystemStorage

    def full(self, name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", full)
    with pytest.raises(DomainError) as refused:
        add_attachment(ticket, upload("a.pdf", PDF), actor=personas["cs"])
    assert refused.value.status_code == 503 and "could not be stored" in refused.value.message
    client.force_login(personas["cs"])
    url = reverse("core:attachment_add", args=["workflow_app.ticket", ticket.pk])
    response = client.post(url, {"file": upload("a.pdf", PDF)})
    assert response.status_code == 503 and "could not be stored" in response.content.decode()
    assert not Attachment.objects.exists()
