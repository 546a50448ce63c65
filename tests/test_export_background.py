"""Long exports (issue 16 §6): a CSV streams row by row with flat memory; an Excel file past
``ONESTOP_EXPORT_BACKGROUND_ROWS`` rows is written by the job worker and its link lands in the
owner's inbox — and only the owner can download it."""

from __future__ import annotations

import io
import tracemalloc
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from onestop.core.models import ListExport, PreparedExport
from onestop.core.tasks import remove_old_exports
from onestop.engagements.models import Engagement
from onestop.notifications.models import Notification
from tests.bulk import make_many
from tests.test_list_tools import LIST, inquiry


@pytest.fixture
def many(cs_user, org_a, settings):
    settings.ONESTOP_EXPORT_BACKGROUND_ROWS = 10
    make_many(inquiry(cs_user, org_a, "甲方電話諮詢"), 14)  # 15 rows in all


def test_a_long_excel_export_is_prepared_by_the_worker_and_announced_in_the_inbox(
    client, cs_user, many, english, django_capture_on_commit_callbacks
):
    client.force_login(cs_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(LIST, {"export": "xlsx", "sort": "code"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(LIST)
    assert "its Excel file is being prepared" in response.content.decode()
    prepared = PreparedExport.objects.get()  # the test worker runs jobs at once
    assert prepared.state == PreparedExport.State.READY
    assert prepared.list_export.rows == 15 and prepared.list_export.user == cs_user
    note = Notification.objects.get(recipient=cs_user, url=prepared.get_absolute_url())
    assert "已可下載" in note.title  # in the owner's language (zh_Hant), whatever the page's
    download = client.get(prepared.get_absolute_url())
    assert download.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).worksheets[0].values
    )
    assert len(rows) == 16  # the header and every row
    codes = [row[0] for row in rows[1:]]
    assert codes == sorted(codes)  # in the order the user chose


def test_nobody_else_can_download_a_prepared_export(client, cs_user, make_user, many):
    client.force_login(cs_user)
    client.get(LIST, {"export": "xlsx"})
    prepared = PreparedExport.objects.get()
    other = make_user("customer_service", username="cs2")
    client.force_login(other)
    assert client.get(prepared.get_absolute_url()).status_code == 404
    assert client.get(reverse("core:prepared_export", args=[prepared.pk + 1])).status_code == 404


def test_a_short_excel_export_still_downloads_at_once(client, cs_user, org_a, settings):
    settings.ONESTOP_EXPORT_BACKGROUND_ROWS = 10
    inquiry(cs_user, org_a, "甲方電話諮詢")
    client.force_login(cs_user)
    response = client.get(LIST, {"export": "xlsx"})
    assert response.status_code == 200 and not PreparedExport.objects.exists()
    assert ListExport.objects.count() == 1


def test_prepared_files_are_removed_after_the_keeping_days_and_the_link_says_so(
    client, cs_user, many, english, django_capture_on_commit_callbacks
):
    client.force_login(cs_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(LIST, {"export": "xlsx"})
    prepared = PreparedExport.objects.get()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert remove_old_exports.call_local() == 1
    prepared.refresh_from_db()
    assert prepared.state == PreparedExport.State.EXPIRED and not prepared.file
    response = client.get(prepared.get_absolute_url(), follow=True)
    assert "export the list again" in response.content.decode()


def peak_while_streaming(client) -> int:
    tracemalloc.start()
    response = client.get(LIST, {"export": "csv"})
    assert response.streaming
    for _chunk in response.streaming_content:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_a_csv_export_streams_and_its_memory_does_not_grow_with_the_rows(client, cs_user, org_a, monkeypatch):
    from onestop.core import list_export

    monkeypatch.setattr(list_export, "CHUNK", 50)  # several chunks at both sizes
    client.force_login(cs_user)
    first = inquiry(cs_user, org_a, "甲方電話諮詢")
    make_many(first, 199)
    peak_while_streaming(client)  # warm-up: per-process caches
    small = peak_while_streaming(client)
    make_many(inquiry(cs_user, org_a, "甲方郵件諮詢"), 1799)
    assert Engagement.objects.count() == 2000
    large = peak_while_streaming(client)
    # Ten times the rows; the memory is one chunk's (plus the list of keys, 8 bytes a row).
    assert large < small * 1.5 + 2000 * 100, (small, large)
