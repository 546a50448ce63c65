"""INT-1 e-mail intake: the parser on .eml files, matching and threading, idempotence, the
unmatched-mail list, and ``fetch_mail`` against a real local IMAP server (Dovecot)."""

from __future__ import annotations

import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from onestop.core.roles import Role
from onestop.engagements import mail, tasks
from onestop.engagements.models import Channel, Engagement, IncomingMail, Inquiry
from onestop.notifications.models import Notification
from tests.factories import ClientContactFactory

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def contact_a(org_a):
    # The fixture mail comes from "Chen@A.Example": matching ignores the case.
    return ClientContactFactory(organization=org_a, name="陳建華", email="chen@a.example")


@pytest.fixture
def client_user_a(make_user, org_a):
    return make_user(Role.CLIENT, username="li.na", email="Li.Na@a.example", client_organization=org_a)


# --- the parser ------------------------------------------------------------------------------------


def test_INT_1_the_parser_decodes_a_big5_subject_a_utf8_body_and_the_sender():
    parsed = mail.parse_message(eml("big5_subject_utf8_body.eml"))
    assert parsed.subject == "詢問：產線設備數據採集"
    assert parsed.from_address == "chen@a.example" and parsed.from_name == "陳建華"
    assert parsed.message_id == "<first-inquiry.20261124@a.example>"
    assert "200 台設備" in parsed.body and parsed.references == []
    assert parsed.date is not None and parsed.date.utcoffset().total_seconds() == 8 * 3600


def test_INT_1_the_parser_reads_text_from_html_only_mail_in_gbk_labelled_gb2312():
    parsed = mail.parse_message(eml("html_only_gbk.eml"))
    assert parsed.subject == "系统集成咨询（镕）"  # 镕 is GBK, not GB 2312: read with GB 18030
    assert "我们需要MES 系统集成服务。" in parsed.body
    assert "朱镕" in parsed.body and "&amp;" not in parsed.body
    assert "alert" not in parsed.body and "color:red" not in parsed.body and "<" not in parsed.body


def test_INT_1_the_parser_prefers_the_plain_text_part_and_reads_big5_bodies():
    parsed = mail.parse_message(eml("unknown_sender.eml"))
    assert parsed.body == "我們想了解貴司的檢測服務與報價。"
    assert parsed.subject == "請報價"


def test_INT_1_the_parser_reads_in_reply_to_and_references_in_order():
    parsed = mail.parse_message(eml("reply_in_reply_to.eml"))
    assert parsed.references == ["<first-inquiry.20261124@a.example>"]
    assert parsed.subject == "Re: 詢問：產線設備數據採集"


def test_INT_1_a_message_without_message_id_gets_a_stable_one_from_its_content():
    raw = b"From: x@y.example\r\nSubject: hi\r\n\r\nbody\r\n"
    assert mail.parse_message(raw).message_id == mail.parse_message(raw).message_id
    assert mail.parse_message(raw).message_id.startswith("<sha256.")


# --- matching, threading, idempotence --------------------------------------------------------------


def test_INT_1_mail_from_a_known_contact_opens_an_engagement_recorded_by_the_mailbox_account(
    cs_user, contact_a, org_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = mail.record_mail_inquiry(eml("big5_subject_utf8_body.eml"))
    engagement = inquiry.engagement
    assert engagement.client == org_a and engagement.contact == contact_a
    assert engagement.channel == Channel.EMAIL and inquiry.channel == Channel.EMAIL
    assert inquiry.message_id == "<first-inquiry.20261124@a.example>"
    assert inquiry.contact_email == "chen@a.example" and inquiry.subject == "詢問：產線設備數據採集"
    mailbox = mail.get_mailbox_user()
    # The mailbox is an honest author that can never log in; the ball goes to a person.
    assert inquiry.recorded_by == mailbox and not mailbox.has_usable_password()
    assert mailbox.has_role(Role.CUSTOMER_SERVICE)
    assert engagement.holder == cs_user
    assert engagement.history.first().history_user == mailbox
    assert Notification.objects.filter(recipient=cs_user, title__contains=engagement.code).exists()
    assert not Notification.objects.filter(recipient=mailbox).exists()


def test_INT_1_a_reply_with_in_reply_to_is_added_to_the_same_engagement(cs_user, contact_a):
    first = mail.record_mail_inquiry(eml("big5_subject_utf8_body.eml"))
    reply = mail.record_mail_inquiry(eml("reply_in_reply_to.eml"))
    assert reply.engagement == first.engagement
    assert first.engagement.inquiries.count() == 2
    assert Engagement.objects.count() == 1


def test_INT_1_a_reply_naming_the_engagement_code_in_its_subject_joins_that_engagement(cs_user, contact_a):
    first = mail.record_mail_inquiry(eml("big5_subject_utf8_body.eml"))
    message = EmailMessage()
    message["From"] = "陳建華 <chen@a.example>"
    message["Subject"] = f"關於 {first.engagement.code.lower()} 的補充"
    message["Message-ID"] = "<by-code@a.example>"
    message.set_content("附上設備清單。")
    follow_up = mail.record_mail_inquiry(message.as_bytes())
    assert follow_up.engagement == first.engagement


def test_INT_1_threading_never_crosses_to_another_clients_engagement(cs_user, contact_a, org_b):
    first = mail.record_mail_inquiry(eml("big5_subject_utf8_body.eml"))
    ClientContactFactory(organization=org_b, name="王", email="wang@b.example")
    message = EmailMessage()
    message["From"] = "wang@b.example"
    message["Subject"] = f"Re: {first.engagement.code}"
    message["Message-ID"] = "<b-reply@b.example>"
    message["In-Reply-To"] = "<first-inquiry.20261124@a.example>"
    message.set_content("我們也想要")
    other = mail.record_mail_inquiry(message.as_bytes())
    assert other.engagement != first.engagement and other.engagement.client == org_b


def test_INT_1_mail_from_a_client_user_is_matched_by_the_users_address(cs_user, client_user_a, org_a):
    inquiry = mail.record_mail_inquiry(eml("html_only_gbk.eml"))
    assert inquiry.engagement.client == org_a and inquiry.engagement.contact is None
    assert inquiry.contact_name == "Li Na" and "MES 系统集成" in inquiry.need


def test_INT_1_a_message_id_already_recorded_is_skipped(cs_user, contact_a):
    assert mail.record_mail_inquiry(eml("big5_subject_utf8_body.eml")) is not None
    assert mail.record_mail_inquiry(eml("big5_subject_utf8_body.eml")) is None
    assert mail.record_mail_inquiry(eml("unknown_sender.eml")) is not None
    assert mail.record_mail_inquiry(eml("unknown_sender.eml")) is None
    assert Inquiry.objects.count() == 1 and IncomingMail.objects.count() == 1


# --- unknown senders: the unmatched-mail list ------------------------------------------------------


def test_INT_1_mail_from_an_unknown_sender_waits_in_the_unmatched_list(cs_user, org_a):
    incoming = mail.record_mail_inquiry(eml("unknown_sender.eml"))
    assert isinstance(incoming, IncomingMail) and incoming.status == IncomingMail.Status.PENDING
    assert incoming.from_address == "someone@unknown.example" and incoming.subject == "請報價"
    assert "Message-ID: <unknown.20261125@unknown.example>" in incoming.raw_headers
    assert not Engagement.objects.exists()
    assert incoming.history.count() == 1


def test_INT_1_customer_service_assigns_an_unmatched_mail_to_a_client_in_the_page(client, cs_user, org_a):
    incoming = mail.record_mail_inquiry(eml("unknown_sender.eml"))
    client.force_login(cs_user)
    page = client.get(reverse("engagements:incoming_mail_list"))
    assert page.status_code == 200 and "請報價" in page.content.decode()
    response = client.post(
        reverse("engagements:incomingmail_assign", args=[incoming.pk]), {"client": org_a.pk}
    )
    assert response.status_code == 302
    incoming.refresh_from_db()
    assert incoming.status == IncomingMail.Status.ASSIGNED and incoming.handled_by == cs_user
    engagement = incoming.inquiry.engagement
    assert engagement.client == org_a and engagement.channel == Channel.EMAIL
    assert incoming.inquiry.message_id == "<unknown.20261125@unknown.example>"
    assert incoming.inquiry.recorded_by == cs_user
    assert response["Location"] == engagement.get_absolute_url()
    # Assigned once only.
    again = client.post(reverse("engagements:incomingmail_assign", args=[incoming.pk]), {"client": org_a.pk})
    assert again.status_code == 302 and Engagement.objects.count() == 1


def test_INT_1_an_unmatched_mail_can_be_ignored_and_leaves_the_pending_list(client, cs_user):
    incoming = mail.record_mail_inquiry(eml("unknown_sender.eml"))
    client.force_login(cs_user)
    client.post(reverse("engagements:incomingmail_ignore", args=[incoming.pk]))
    incoming.refresh_from_db()
    assert incoming.status == IncomingMail.Status.IGNORED
    assert "請報價" not in client.get(reverse("engagements:incoming_mail_list")).content.decode()
    assert (
        "請報價" in client.get(reverse("engagements:incoming_mail_list") + "?status=ignored").content.decode()
    )


def test_INT_1_assigning_without_a_client_is_refused_and_changes_nothing(client, cs_user):
    incoming = mail.record_mail_inquiry(eml("unknown_sender.eml"))
    client.force_login(cs_user)
    client.post(reverse("engagements:incomingmail_assign", args=[incoming.pk]), {"client": ""})
    incoming.refresh_from_db()
    assert incoming.status == IncomingMail.Status.PENDING and not Engagement.objects.exists()


def test_INT_1_clients_and_other_staff_cannot_see_or_assign_unmatched_mail(
    client, client_a, finance_user, org_a
):
    incoming = mail.record_mail_inquiry(eml("unknown_sender.eml"))
    for user in (client_a, finance_user):
        client.force_login(user)
        assert client.get(reverse("engagements:incoming_mail_list")).status_code == 403
        response = client.post(
            reverse("engagements:incomingmail_assign", args=[incoming.pk]), {"client": org_a.pk}
        )
        assert response.status_code == 404  # a record the user may not see is not there
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/incoming-mail/").status_code == 403
    incoming.refresh_from_db()
    assert incoming.status == IncomingMail.Status.PENDING


def test_INT_1_unmatched_mail_is_assigned_through_the_api(cs_user, org_a):
    incoming = mail.record_mail_inquiry(eml("unknown_sender.eml"))
    api = APIClient()
    api.force_authenticate(cs_user)
    listed = api.get("/api/incoming-mail/?status=pending").json()
    assert [row["id"] for row in listed["results"]] == [incoming.pk]
    response = api.post(f"/api/incoming-mail/{incoming.pk}/assign/", {"client": org_a.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["channel"] == "email"
    response = api.post(f"/api/incoming-mail/{incoming.pk}/ignore/", format="json")
    assert response.status_code == 400  # already handled


# --- fetch_mail: against a real IMAP server ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dovecot():
    """A throwaway Dovecot IMAP server on a free local port: plain IMAP, one user, maildir in a temp dir."""
    if DOVECOT is None:
        pytest.skip("Dovecot is not installed (Debian: apt-get install dovecot-imapd); IMAP fetch not tested")
    root = Path(tempfile.mkdtemp(prefix="onestop-imap-"))
    root.chmod(0o755)
    # Dovecot refuses to deliver mail as root; the mail store then belongs to "nobody".
    uid, gid = (os.getuid(), os.getgid()) if os.getuid() != 0 else (65534, 65534)
    for name in ("run", "state", "mail", "home"):
        (root / name).mkdir()
    if os.getuid() == 0:
        for name in ("mail", "home"):
            os.chown(root / name, uid, gid)
    (root / "passwd").write_text("mailbox:{PLAIN}secret\n")
    port = _free_port()
    users = ""
    if os.getuid() != 0:
        import grp
        import pwd

        me, group = pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name
        users = f"default_login_user = {me}\ndefault_internal_user = {me}\ndefault_internal_group = {group}\n"
    (root / "dovecot.conf").write_text(
        f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
{users}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
    )
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            pytest.fail(f"Dovecot did not start: {log}")
        yield {"host": "127.0.0.1", "port": port, "user": "mailbox", "password": "secret"}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_settings(settings, dovecot):
    settings.ONESTOP_IMAP_HOST = dovecot["host"]
    settings.ONESTOP_IMAP_PORT = dovecot["port"]
    settings.ONESTOP_IMAP_USER = dovecot["user"]
    settings.ONESTOP_IMAP_PASSWORD = dovecot["password"]
    settings.ONESTOP_IMAP_SSL = False
    settings.ONESTOP_IMAP_FOLDER = "INBOX"
    return dovecot


# fetch_mail commits each message: these tests run outside a test transaction. Like the other
# committing tests, they restore the migrated data (roles, content types) afterwards.
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def deliver(server, *messages: bytes) -> None:
    connection = imaplib.IMAP4(server["host"], server["port"])
    connection.login(server["user"], server["password"])
    for message in messages:
        connection.append("INBOX", None, None, message)
    connection.logout()


def unseen(server) -> int:
    connection = imaplib.IMAP4(server["host"], server["port"])
    connection.login(server["user"], server["password"])
    connection.select("INBOX", readonly=True)
    _status, data = connection.search(None, "UNSEEN")
    connection.logout()
    return len(data[0].split())


@committing
def test_INT_1_fetch_mail_reads_unseen_mail_from_a_real_imap_server_and_marks_it_read(
    imap_settings, cs_user, contact_a
):
    deliver(
        imap_settings,
        eml("big5_subject_utf8_body.eml"),
        eml("reply_in_reply_to.eml"),
        eml("unknown_sender.eml"),
    )
    assert unseen(imap_settings) == 3
    counts = tasks.fetch_mail()
    assert counts == {"recorded": 3, "skipped": 0, "failed": 0}
    assert unseen(imap_settings) == 0
    engagement = Engagement.objects.get()
    assert engagement.inquiries.count() == 2 and engagement.channel == Channel.EMAIL
    assert IncomingMail.objects.filter(status=IncomingMail.Status.PENDING).count() == 1
    # Nothing new: nothing happens.
    assert tasks.fetch_mail() == {"recorded": 0, "skipped": 0, "failed": 0}


@committing
def test_INT_1_one_failing_message_stays_unread_and_does_not_stop_the_others(
    imap_settings, cs_user, contact_a, monkeypatch
):
    deliver(imap_settings, eml("unknown_sender.eml"), eml("big5_subject_utf8_body.eml"))
    real = mail.record_mail_inquiry

    def flaky(message, **kwargs):
        if b"unknown.example" in message:
            raise RuntimeError("the database went away")
        return real(message, **kwargs)

    monkeypatch.setattr(mail, "record_mail_inquiry", flaky)
    assert tasks.fetch_mail() == {"recorded": 1, "skipped": 0, "failed": 1}
    assert unseen(imap_settings) == 1  # tried again next time
    assert Inquiry.objects.count() == 1 and not IncomingMail.objects.exists()
    monkeypatch.setattr(mail, "record_mail_inquiry", real)
    assert tasks.fetch_mail() == {"recorded": 1, "skipped": 0, "failed": 0}
    assert unseen(imap_settings) == 0


@committing
def test_INT_1_mail_already_recorded_but_still_unread_is_skipped_and_marked_read(
    imap_settings, cs_user, contact_a
):
    mail.record_mail_inquiry(eml("big5_subject_utf8_body.eml"))
    deliver(imap_settings, eml("big5_subject_utf8_body.eml"))
    assert tasks.fetch_mail() == {"recorded": 0, "skipped": 1, "failed": 0}
    assert unseen(imap_settings) == 0 and Inquiry.objects.count() == 1


def test_INT_1_fetch_mail_does_nothing_without_an_imap_host(settings):
    settings.ONESTOP_IMAP_HOST = None
    assert tasks.fetch_mail() == {"recorded": 0, "skipped": 0, "failed": 0}


def test_INT_1_fetch_mail_runs_every_five_minutes():
    from datetime import datetime

    task = tasks.fetch_mail_periodically.s()
    assert task.validate_datetime(datetime(2026, 1, 1, 10, 5))
    assert task.validate_datetime(datetime(2026, 1, 1, 10, 55))
    assert not task.validate_datetime(datetime(2026, 1, 1, 10, 7))
