"""Issue 17: uploads on S3-compatible storage, for real against moto's in-process S3 server.

The storage is configured exactly as a deployment does it (the ONESTOP_S3_* variables read by
onestop/ops_settings.py); files go up through the pages and the API, come back only through
OneStop's permission-checked download, never as a bucket URL, and a backup downloads them.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from moto.server import ThreadedMotoServer
from rest_framework.test import APIClient

from onestop import ops_settings
from onestop.core.models import Attachment
from tests.test_backup import empty_place, onestop  # noqa: F401  a fixture and a helper shared
from tests.workflow_app.models import Ticket

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
BUCKET = "onestop-uploads"
KEYS = {"aws_access_key_id": "onestop-test-key", "aws_secret_access_key": "onestop-test-secret"}


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, settings, monkeypatch, tmp_path):
    """The uploads in a fresh prefix of a bucket on the S3 server, configured through the
    environment as in production; the local upload folder is somewhere the test can watch."""
    client = boto3.client("s3", endpoint_url=s3_server, region_name="eu-central-1", **KEYS)
    if BUCKET not in {bucket["Name"] for bucket in client.list_buckets()["Buckets"]}:
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    environment = {
        "ONESTOP_S3_BUCKET": BUCKET,
        "ONESTOP_S3_ENDPOINT_URL": s3_server,
        "ONESTOP_S3_REGION": "eu-central-1",
        "ONESTOP_S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
        "ONESTOP_S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
        "ONESTOP_S3_PREFIX": f"/{prefix}/",
        "ONESTOP_S3_ADDRESSING_STYLE": "path",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings.MEDIA_ROOT = tmp_path / "local-uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": ops_settings.upload_storage(settings.STORAGES["default"]),
    }

    class Bucket:
        def __init__(self):
            self.client, self.prefix, self.endpoint, self.environment = client, prefix, s3_server, environment

        def keys(self, prefix=None):
            answer = self.client.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix or self.prefix}/")
            return [item["Key"] for item in answer.get("Contents", [])]

        def read(self, key):
            return self.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    return Bucket()


@pytest.fixture
def ticket(personas):
    return Ticket.objects.create(
        title="雲端附件", description="—", client_organization=personas["client_a"].client_organization
    )


def test_s3_settings_come_from_the_environment_and_local_disk_stays_the_default(monkeypatch):
    local = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    for name in ["ONESTOP_S3_BUCKET", "ONESTOP_S3_ENDPOINT_URL", "ONESTOP_S3_ACCESS_KEY_ID"]:
        monkeypatch.delenv(name, raising=False)
    assert ops_settings.upload_storage(local) is local
    monkeypatch.setenv("ONESTOP_S3_BUCKET", "company-files")
    options = ops_settings.upload_storage(local)["OPTIONS"]
    assert options["bucket_name"] == "company-files" and options["default_acl"] is None
    assert options["querystring_auth"] is True and options["file_overwrite"] is False
    assert options["endpoint_url"] is None and options["access_key"] is None  # AWS and its own key chain
    monkeypatch.setenv("ONESTOP_S3_ENDPOINT_URL", "minio.local:9000")
    with pytest.raises(ImproperlyConfigured, match="ONESTOP_S3_ENDPOINT_URL"):
        ops_settings.upload_storage(local)
    monkeypatch.setenv("ONESTOP_S3_ENDPOINT_URL", "https://minio.example.com")
    monkeypatch.setenv("ONESTOP_S3_ACCESS_KEY_ID", "only-half")
    with pytest.raises(ImproperlyConfigured, match="ONESTOP_S3_SECRET_ACCESS_KEY"):
        ops_settings.upload_storage(local)
    monkeypatch.setenv("ONESTOP_S3_SECRET_ACCESS_KEY", "the-other-half")
    monkeypatch.setenv("ONESTOP_S3_ADDRESSING_STYLE", "sideways")
    with pytest.raises(ImproperlyConfigured, match="ONESTOP_S3_ADDRESSING_STYLE"):
        ops_settings.upload_storage(local)


def test_an_upload_through_the_page_lands_in_the_bucket_and_comes_back_only_through_the_checked_download(
    s3, client, personas, ticket, settings
):
    client.force_login(personas["cs"])
    url = reverse("core:attachment_add", args=["workflow_app.ticket", ticket.pk])
    answer = client.post(url, {"file": SimpleUploadedFile("報告.pdf", PDF), "visibility": "shared"})
    assert answer.status_code == 302
    attachment = Attachment.objects.get()
    [key] = s3.keys()
    assert key == f"{s3.prefix}/{attachment.file.name}" and key.endswith(".pdf")
    assert s3.read(key) == PDF
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing on the app server's disk

    # The record's page links to OneStop's download, never to the bucket.
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert attachment.get_download_url() in page and s3.endpoint not in page and BUCKET not in page

    download = client.get(attachment.get_download_url())
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")

    client.force_login(personas["client_a"])  # the client's own record, a shared file
    assert b"".join(client.get(attachment.get_download_url()).streaming_content) == PDF
    client.force_login(personas["client_b"])  # another organisation: "not there"
    assert client.get(attachment.get_download_url()).status_code == 404

    # The object is private: the bucket does not hand it to anybody without the keys.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3.endpoint}/{BUCKET}/{key}", timeout=10)
    assert refused.value.code == 403
    grants = s3.client.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"]["Type"] == "CanonicalUser" for grant in grants)


def test_an_upload_and_download_through_the_api_round_trip_via_the_bucket(s3, personas, ticket):
    api = APIClient()
    api.force_authenticate(personas["cs"])
    created = api.post(
        reverse("api:attachment-list"),
        {
            "record_type": "workflow_app.ticket",
            "object_id": ticket.pk,
            "file": SimpleUploadedFile("圖.png", PNG),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    assert s3.endpoint not in json.dumps(created.json()) and BUCKET not in json.dumps(created.json())
    [key] = s3.keys()
    assert s3.read(key) == PNG
    download = api.get(reverse("api:attachment-download", args=[created.json()["id"]]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    api.force_authenticate(personas["client_b"])
    assert api.get(reverse("api:attachment-download", args=[created.json()["id"]])).status_code == 404


def test_a_file_missing_from_the_bucket_is_not_found(s3, client, personas, ticket):
    client.force_login(personas["cs"])
    url = reverse("core:attachment_add", args=["workflow_app.ticket", ticket.pk])
    client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)})
    [key] = s3.keys()
    s3.client.delete_object(Bucket=BUCKET, Key=key)
    assert client.get(Attachment.objects.get().get_download_url()).status_code == 404


@pytest.fixture
def bucket_away(s3, settings):
    """The same storage, but the S3 server is not answering (a closed port), and no retries."""
    from botocore.config import Config

    def away():
        storage = ops_settings.upload_storage(settings.STORAGES["default"])
        storage["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:9"  # the discard port: nothing listens
        storage["OPTIONS"]["client_config"] = Config(
            connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 1}
        )
        settings.STORAGES = {**settings.STORAGES, "default": storage}

    return away


def test_a_bucket_that_is_away_refuses_the_upload_clearly_and_keeps_nothing(
    s3, bucket_away, client, personas, ticket, english
):
    bucket_away()
    client.force_login(personas["cs"])
    url = reverse("core:attachment_add", args=["workflow_app.ticket", ticket.pk])
    answer = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert answer.status_code == 503 and "could not be stored" in answer.content.decode()
    api = APIClient()
    api.force_authenticate(personas["cs"])
    refused = api.post(
        reverse("api:attachment-list"),
        {
            "record_type": "workflow_app.ticket",
            "object_id": ticket.pk,
            "file": SimpleUploadedFile("b.pdf", PDF),
        },
        format="multipart",
    )
    assert refused.status_code == 503 and refused.json()["code"] == "unavailable"
    assert not Attachment.objects.exists() and s3.keys() == []


def test_a_bucket_that_is_away_answers_the_download_with_503_not_a_crash(
    s3, bucket_away, client, personas, ticket, english
):
    client.force_login(personas["cs"])
    url = reverse("core:attachment_add", args=["workflow_app.ticket", ticket.pk])
    client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)})
    attachment = Attachment.objects.get()
    bucket_away()
    page = client.get(attachment.get_download_url())
    assert page.status_code == 503 and "briefly unavailable" in page.content.decode()
    api = APIClient()
    api.force_authenticate(personas["cs"])
    answer = api.get(reverse("api:attachment-download", args=[attachment.pk]))
    assert answer.status_code == 503 and answer.json()["code"] == "unavailable"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_downloads_the_bucket_and_a_restore_uploads_it_into_an_empty_prefix(
    s3,
    personas,
    ticket,
    tmp_path,
    empty_place,  # noqa: F811
):
    api = APIClient()
    api.force_authenticate(personas["cs"])
    created = api.post(
        reverse("api:attachment-list"),
        {
            "record_type": "workflow_app.ticket",
            "object_id": ticket.pk,
            "file": SimpleUploadedFile("備份.pdf", PDF),
        },
        format="multipart",
    )
    assert created.status_code == 201
    name = Attachment.objects.get().file.name
    folder = tmp_path / "backup"
    output = _call_backup(folder)
    assert f"1 files downloaded from s3://{BUCKET}/{s3.prefix}/" in output
    assert (folder / "uploads" / name).read_bytes() == PDF
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["uploads"] == {"storage": "s3", "source": f"s3://{BUCKET}/{s3.prefix}/", "files": 1}
    assert f"uploads/{name}" in manifest["files"]

    # A new OneStop on the same kind of storage, a new prefix: the restore uploads the files.
    restored_prefix = f"restored-{uuid.uuid4().hex[:8]}"
    env = {**empty_place, **s3.environment, "ONESTOP_S3_PREFIX": restored_prefix}
    restored = onestop(env, "restore", str(folder))
    assert restored.returncode == 0, restored.stderr
    assert s3.keys(restored_prefix) == [f"{restored_prefix}/{name}"]
    assert s3.read(f"{restored_prefix}/{name}") == PDF
    # And not again over files that are there now.
    again = onestop(env, "restore", str(folder))
    assert again.returncode != 0 and "not empty" in again.stderr


def _call_backup(folder: Path) -> str:
    import io

    out = io.StringIO()
    call_command("backup", str(folder), stdout=out)
    return out.getvalue()
