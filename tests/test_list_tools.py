"""List tools (issue 11 §2): every list exports to Excel/CSV exactly what its page shows, and a
user keeps named filters of a list, through the pages and the API."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from onestop.core import chain, list_export
from onestop.core.models import ListExport, SavedFilter
from onestop.core.roles import Role
from onestop.engagements import services
from onestop.engagements.models import Channel, Engagement
from tests.bulk import make_many

LIST = reverse("engagements:engagement_list")
KEY = "engagements.engagement"


def inquiry(cs_user, org, subject, channel=Channel.PHONE):
    return services.record_inquiry(
        actor=cs_user, client=org, channel=channel, subject=subject, need="需求描述"
    ).engagement


@pytest.fixture
def engagements(cs_user, org_a, org_b):
    return {
        "a_phone": inquiry(cs_user, org_a, "甲方電話諮詢"),
        "a_mail": inquiry(cs_user, org_a, "甲方郵件諮詢", Channel.EMAIL),
        "b_phone": inquiry(cs_user, org_b, "乙方電話諮詢"),
    }


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode()), "no UTF-8 byte-order mark: Excel would garble Chinese"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def titles(rows, column=1) -> set:
    return {row[column] for row in rows[1:]}


# --- export ------------------------------------------------------------------------------------


def test_a_filtered_list_exports_every_visible_filtered_row_with_the_pages_labels(
    client, cs_user, engagements, english
):
    client.force_login(cs_user)
    response = client.get(LIST, {"channel": Channel.PHONE, "sort": "code", "export": "csv", "page": 2})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0] == [column.bind(Engagement).label for column in Engagement_views().columns]
    assert rows[0][:4] == ["Engagement number", "Title", "Client", "Stage"]
    # Every page of the filtered list, not the page asked for; sorted as asked.
    assert [row[1] for row in rows[1:]] == ["甲方電話諮詢", "乙方電話諮詢"]
    assert {row[7] for row in rows[1:]} == {"Phone"}, "a choice's label, not its stored value"
    assert rows[1][2] == "甲方科技有限公司"


def test_a_client_user_exports_only_their_organisations_rows(client, client_a, engagements):
    client.force_login(client_a)
    rows = read_csv(client.get(LIST, {"export": "csv"}))
    assert titles(rows) == {"甲方電話諮詢", "甲方郵件諮詢"}
    rows = read_xlsx(client.get(LIST, {"export": "xlsx", "client": engagements["b_phone"].client_id}))
    assert titles(rows) <= {"甲方電話諮詢", "甲方郵件諮詢"}


def test_staff_outside_the_team_export_no_more_than_their_page_shows(client, make_user, engagements):
    technician = make_user(Role.TECHNICIAN, username="tech")
    Engagement.objects.filter(pk=engagements["a_mail"].pk).update(technician=technician)
    client.force_login(technician)
    page = client.get(LIST, {"per_page": 100}).content.decode()
    rows = read_csv(client.get(LIST, {"export": "csv"}))
    assert titles(rows) == {"甲方郵件諮詢"}
    assert engagements["a_phone"].get_absolute_url() not in page


def test_users_without_the_right_to_the_list_get_403_and_no_file(client, client_a):
    client.force_login(client_a)
    response = client.get(reverse("accounts:department_list"), {"export": "csv"})
    assert response.status_code == 403
    assert not ListExport.objects.exists()


def test_an_unknown_export_format_is_not_found(client, cs_user):
    client.force_login(cs_user)
    assert client.get(LIST, {"export": "pdf"}).status_code == 404


def test_the_excel_file_parses_and_keeps_dates_as_dates(client, cs_user, engagements, english):
    client.force_login(cs_user)
    response = client.get(LIST, {"q": "甲方", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == list_export_content_type()
    today = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="Engagements-{today:%Y-%m-%d}.xlsx"'
    rows = read_xlsx(response)
    assert rows[0][0] == "Engagement number"
    assert titles(rows) == {"甲方電話諮詢", "甲方郵件諮詢"}
    assert all(hasattr(row[6], "year") for row in rows[1:]), "stage since is a date cell, not text"


def list_export_content_type():
    from onestop.core.exports import EXCEL_CONTENT_TYPE

    return EXCEL_CONTENT_TYPE


def test_text_that_looks_like_a_formula_is_exported_as_text(client, cs_user, org_a):
    inquiry(cs_user, org_a, '=HYPERLINK("http://evil.example","點我")')
    client.force_login(cs_user)
    rows = read_csv(client.get(LIST, {"export": "csv"}))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","點我")'
    response = client.get(LIST, {"export": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    cell = book.worksheets[0].cell(row=2, column=2)
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://evil.example","點我")')


def test_the_chinese_list_name_dates_the_file(client, cs_user, engagements):
    client.force_login(cs_user)
    response = client.get(LIST, {"export": "csv"})
    today = timezone.localdate()
    assert list_export.filename(Engagement_views(), "csv") == f"服務案件-{today:%Y-%m-%d}.csv"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        f"服務案件-{today:%Y-%m-%d}.csv"
    )
    rows = read_csv(response)
    assert "甲方科技有限公司" in {row[2] for row in rows[1:]}


def Engagement_views():
    from onestop.core.views import viewset_for

    return viewset_for(Engagement)


def test_an_export_is_recorded_in_the_audit_chain(client, cs_user, engagements):
    client.force_login(cs_user)
    read_csv(client.get(LIST, {"channel": Channel.PHONE, "export": "csv", "bogus": "1"}))
    entry = ListExport.objects.get()
    assert (entry.user, entry.list_key, entry.file_format, entry.rows) == (cs_user, KEY, "csv", 2)
    assert entry.query == "channel=phone", "the filters, without what the list does not know"
    assert chain.links_of(entry), "the record is a link of the audit chain"
    assert chain.verify().intact
    with pytest.raises(PermissionError):
        entry.delete()


def test_a_list_longer_than_the_cap_is_refused_with_a_message(
    client, cs_user, engagements, monkeypatch, english
):
    monkeypatch.setattr(list_export, "MAX_ROWS", 2)
    client.force_login(cs_user)
    response = client.get(LIST, {"q": "諮詢", "export": "xlsx"})
    assert response.status_code == 302
    assert "export" not in parse_qs(response.url.split("?", 1)[1])
    page = client.get(response.url).content.decode()
    assert "more than 2 rows" in page
    assert not ListExport.objects.exists()
    # Narrowed below the cap, the same list exports.
    assert client.get(LIST, {"q": "甲方", "export": "xlsx"}).status_code == 200


def test_the_export_reads_the_rows_in_chunks_with_each_chunks_queries(
    client, cs_user, engagements, monkeypatch
):
    monkeypatch.setattr(list_export, "CHUNK", 2)
    client.force_login(cs_user)
    rows = read_csv(client.get(LIST, {"sort": "code", "export": "csv"}))
    codes = [row[0] for row in rows[1:]]
    assert len(codes) == 3 and codes == sorted(codes), "every row once, in order, across chunks"


def test_the_export_runs_the_same_number_of_queries_for_5_and_50_rows(client, cs_user, org_a):
    client.force_login(cs_user)
    made = [inquiry(cs_user, org_a, f"諮詢{index}") for index in range(5)]

    def count(file_format):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {"export": file_format})
            assert response.status_code == 200
            if file_format == "csv":
                read_csv(response)  # the rows are read while the file streams
        return len(queries)

    count("csv")  # warm-up: per-process caches
    few = count("csv"), count("xlsx")
    for engagement in made:
        make_many(engagement, 9)
    assert Engagement.objects.count() == 50
    many = count("csv"), count("xlsx")
    assert many == few, f"queries grew from {few} to {many} (CSV, Excel)"


# --- saved filters -------------------------------------------------------------------------------


def save(client, name, query, key=KEY):
    return client.post(reverse("core:saved_filter_save", args=[key]), {"name": name, "query": query})


def test_a_user_saves_a_filter_sees_it_in_the_filter_bar_opens_it_and_deletes_it(
    client, cs_user, engagements, english
):
    client.force_login(cs_user)
    response = save(client, "  電話 諮詢 ", "channel=phone&sort=-code&page=3&export=csv&evil=<script>")
    saved = SavedFilter.objects.get()
    assert (saved.user, saved.list_key, saved.name) == (cs_user, KEY, "電話 諮詢")
    assert saved.query == "channel=phone&sort=-code", "unknown parameters, page and export dropped"
    assert response.status_code == 302 and response.url == f"{LIST}?channel=phone&sort=-code"

    page = client.get(LIST).content.decode()
    assert saved.get_absolute_url().replace("&", "&amp;") in page
    assert "電話 諮詢" in page
    opened = client.get(saved.get_absolute_url())
    assert "甲方電話諮詢" in opened.content.decode() and "甲方郵件諮詢" not in opened.content.decode()

    # The same name again replaces the filter rather than adding another.
    save(client, "電話 諮詢", "channel=email")
    saved.refresh_from_db()
    assert (SavedFilter.objects.count(), saved.query) == (1, "channel=email")

    response = client.post(reverse("core:saved_filter_delete", args=[saved.pk]))
    assert response.status_code == 302 and response.url == LIST
    assert not SavedFilter.objects.exists()


def test_saved_filters_are_per_list_and_private(client, cs_user, finance_user, engagements):
    client.force_login(cs_user)
    save(client, "電話", "channel=phone")
    mine = SavedFilter.objects.get()
    client.force_login(finance_user)
    page = client.get(LIST).content.decode()
    assert mine.get_absolute_url().replace("&", "&amp;") not in page
    assert client.post(reverse("core:saved_filter_delete", args=[mine.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=mine.pk).exists()
    other_list = client.get(reverse("accounts:clientorganization_list")).content.decode()
    assert "電話" not in other_list.split("app-saved-filters", 1)[1].split("</div>", 1)[0]


def test_an_invalid_name_is_refused_with_a_clear_message(client, cs_user, english):
    client.force_login(cs_user)
    response = save(client, "   ", "channel=phone")
    assert response.status_code == 302 and response.url == f"{LIST}?channel=phone"
    assert "Give the filter a name." in client.get(response.url).content.decode()
    response = save(client, "x" * 61, "channel=phone")
    assert "at most 60 characters" in client.get(response.url).content.decode()
    assert not SavedFilter.objects.exists()


def test_a_user_keeps_at_most_the_limit_of_saved_filters(client, cs_user, english, monkeypatch):
    monkeypatch.setattr(SavedFilter, "LIMIT_PER_USER", 2)
    client.force_login(cs_user)
    save(client, "一", "channel=phone")
    save(client, "二", "channel=email")
    response = save(client, "三", "channel=phone")
    assert "delete one first" in client.get(response.url).content.decode()
    assert SavedFilter.objects.count() == 2


def test_a_filter_of_a_list_the_user_may_not_open_is_not_found(client, client_a):
    client.force_login(client_a)
    assert save(client, "部門", "q=x", key="accounts.department").status_code == 404
    assert save(client, "無此", "", key="nosuch.model").status_code == 404
    assert not SavedFilter.objects.exists()


def test_a_value_the_filter_refuses_is_not_saved(client, cs_user):
    client.force_login(cs_user)
    save(client, "壞值", "channel=fax&client=999999999&q=甲方")
    assert SavedFilter.objects.get().query == "q=%E7%94%B2%E6%96%B9"


def test_saved_filters_through_the_api_are_the_users_own(cs_user, finance_user, english):
    api = APIClient()
    api.force_authenticate(cs_user)
    url = reverse("api:savedfilter-list")
    response = api.post(
        url, {"list_key": KEY, "name": "電話", "query": "channel=phone&hack=1"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["query"] == "channel=phone" and body["url"] == f"{LIST}?channel=phone"
    pk = body["id"]
    assert [row["id"] for row in api.get(url, {"list_key": KEY}).json()["results"]] == [pk]
    response = api.post(url, {"list_key": KEY, "name": " ", "query": ""}, format="json")
    assert response.status_code == 400 and "name" in response.json()["errors"]
    response = api.post(url, {"list_key": "accounts.nothing", "name": "x"}, format="json")
    assert response.status_code == 400 and "list_key" in response.json()["errors"]

    other = APIClient()
    other.force_authenticate(finance_user)
    detail = reverse("api:savedfilter-detail", args=[pk])
    assert other.get(detail).status_code == 404
    assert other.delete(detail).status_code == 404
    assert other.get(url).json()["results"] == []
    assert api.delete(detail).status_code == 204
    assert not SavedFilter.objects.exists()


def test_a_list_with_its_own_export_rule_exports_only_for_those_it_allows(
    client, personas, make_user, english
):
    """Payments export only for finance and management (their "export" rule, as the ledger);
    customer service, who may read the list, gets neither the button nor the file."""
    from datetime import date
    from decimal import Decimal

    from onestop.settlement import services as settlement_services
    from onestop.settlement.models import Payment
    from tests.stages import signed_contract, stage_personas

    people = stage_personas(personas, make_user)
    contract = signed_contract(people, 1)
    settlement_services.record_payment(
        contract,
        actor=people["finance"],
        direction=Payment.Direction.RECEIVED,
        paid_on=date(2026, 7, 1),
        amount=Decimal("250000.50"),
        method="bank_transfer",
    )
    payments = reverse("settlement:payment_list")
    client.force_login(people["cs"])
    page = client.get(payments)
    assert page.status_code == 200 and "export=xlsx" not in page.content.decode()
    assert client.get(payments, {"export": "csv"}).status_code == 403

    client.force_login(people["finance"])
    assert "export=xlsx" in client.get(payments).content.decode()
    rows = read_xlsx(client.get(payments, {"export": "xlsx"}))
    amount = rows[0].index("Amount")
    assert rows[1][amount] == 250000.5, "money is a number in Excel"
    assert rows[1][rows[0].index("Direction")] == str(Payment.Direction.RECEIVED.label)
    rows = read_csv(client.get(payments, {"export": "csv"}))
    assert rows[1][amount] == "250000.50"


def test_an_export_with_an_invalid_filter_is_refused_with_a_message(client, cs_user, engagements, english):
    client.force_login(cs_user)
    response = client.get(LIST, {"client": 999999999, "export": "csv"})
    assert response.status_code == 302
    assert "correct them before exporting" in client.get(response.url).content.decode()
    assert not ListExport.objects.exists()


def test_the_table_refreshed_by_the_filter_form_carries_the_export_and_save_of_its_filters(
    client, cs_user, engagements
):
    client.force_login(cs_user)
    response = client.get(LIST, {"channel": "email", "page": 1}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html, "only the table is sent back"
    assert "?channel=email&amp;export=xlsx" in html
    assert 'name="query" value="channel=email"' in html
