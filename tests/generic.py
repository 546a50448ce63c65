"""Generic tests every model's pages and API get by declaring its data (the NetBox way).

A subclass names its model, the personas that play each part, and how to make a
record and valid / invalid input. It then inherits, for the UI and the API:

- anonymous users are sent to log in (UI) or get 401 (API);
- a user without permission gets 403;
- a permitted user can list, open, create, edit and delete, and each write leaves
  a history row naming that user;
- a record outside the user's reach answers 404, exactly like a missing one;
- invalid input gives 400 with the field's error and saves nothing;
- a change of a field the model edits only with a reason (``reason_fields``) is refused without
  one, and the reason is kept in the history;
- the list page and the API list run the same number of queries for 5 and 50 rows;
- the list's Excel export holds every row the user sees, under the page's column labels, with
  amounts as numbers.

tests/test_meta.py fails when a model has no such subclass.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.bulk import CannotCopy, make_many


class ModelTestBase:
    model = None
    api_basename: str | None = None  # router basename; defaults to the model name

    manager = "admin"  # persona allowed to add, change and (unless deleter says otherwise) delete
    deleter: str | None = None  # persona allowed to delete, when that is a narrower right
    deletable = True  # False: records are closed, never deleted (no delete page, API answers 405)
    viewer: str | None = None  # persona who may view but not change
    no_view: str | None = None  # persona who may not even open the list
    outsider: str | None = None  # persona who may open the list but not the record made by make_object
    invalid_field = "name"

    # --- what a subclass provides -------------------------------------------------
    def make_object(self, personas, index: int = 0):
        raise AssertionError("subclass must define make_object")

    def create_data(self, personas) -> dict:
        raise AssertionError("subclass must define create_data")

    def update_data(self, obj, personas) -> dict:
        raise AssertionError("subclass must define update_data")

    def invalid_data(self, personas) -> dict:
        raise AssertionError("subclass must define invalid_data")

    def api_create_data(self, personas) -> dict:
        return self.create_data(personas)

    def api_update_data(self, obj, personas) -> dict:
        return self.update_data(obj, personas)

    # --- helpers --------------------------------------------------------------------
    REASON = "依客戶來函調整"

    def with_reason(self, data: dict) -> dict:
        """An edit's data, with the reason the model asks for when a reason field changes."""
        return {**data, "change_reason": self.REASON} if getattr(self.model, "reason_fields", ()) else data

    def assert_reason_kept(self, pk):
        if getattr(self.model, "reason_fields", ()):
            assert self.history_of(pk).last().history_change_reason == self.REASON

    def url(self, action, obj=None):
        args = [obj.pk] if obj is not None else []
        return reverse(self.model.url_name(action), args=args)

    def api_url(self, obj=None):
        basename = self.api_basename or self.model._meta.model_name
        if obj is None:
            return reverse(f"api:{basename}-list")
        return reverse(f"api:{basename}-detail", args=[obj.pk])

    def api(self, user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    def history_of(self, obj_pk):
        return self.model.history.filter(**{self.model._meta.pk.attname: obj_pk}).order_by(
            "history_date", "history_id"
        )

    def assert_written_by(self, pk, user, last_type=None):
        """The record's history starts with its creation, ends with ``last_type``, all by ``user``.

        A creation may write more than one row (e.g. a tracked many-to-many set after saving).
        """
        history = list(self.history_of(pk))
        assert history, "no history row was written"
        assert history[0].history_type == "+"
        if last_type is not None:
            assert history[-1].history_type == last_type
        assert {h.history_user_id for h in history} == {user.pk}

    # --- anonymous ------------------------------------------------------------------
    def test_anonymous_users_are_sent_to_log_in(self, client, personas):
        obj = self.make_object(personas)
        actions = [("list", None), ("add", None), ("detail", obj), ("edit", obj), ("history", obj)]
        if self.deletable:
            actions.append(("delete", obj))
        for action, target in actions:
            response = client.get(self.url(action, target))
            assert response.status_code == 302, action
            assert response.url.startswith(reverse("login")), action
        assert self.api().get(self.api_url()).status_code == 401
        assert self.api().get(self.api_url(obj)).status_code == 401
        assert (
            self.api().post(self.api_url(), self.api_create_data(personas), format="json").status_code == 401
        )

    # --- no permission --------------------------------------------------------------
    def test_users_without_view_permission_get_403(self, client, personas):
        if self.no_view is None:
            pytest.skip("every logged-in persona may view this kind of record")
        user = personas[self.no_view]
        client.force_login(user)
        assert client.get(self.url("list")).status_code == 403
        assert self.api(user).get(self.api_url()).status_code == 403

    def test_users_without_change_permission_get_403_and_change_nothing(self, client, personas):
        if self.viewer is None:
            pytest.skip("no persona may view without changing")
        obj = self.make_object(personas)
        history_before = self.history_of(obj.pk).count()
        user = personas[self.viewer]
        client.force_login(user)
        assert client.get(self.url("list")).status_code == 200
        assert client.get(self.url("detail", obj)).status_code == 200
        assert client.get(self.url("add")).status_code == 403
        assert client.get(self.url("edit", obj)).status_code == 403
        assert client.post(self.url("edit", obj), self.update_data(obj, personas)).status_code == 403
        if self.deletable:
            assert client.post(self.url("delete", obj)).status_code == 403
        api = self.api(user)
        assert api.post(self.api_url(), self.api_create_data(personas), format="json").status_code == 403
        assert (
            api.patch(self.api_url(obj), self.api_update_data(obj, personas), format="json").status_code
            == 403
        )
        assert api.delete(self.api_url(obj)).status_code in ((403,) if self.deletable else (403, 405))
        assert self.model.objects.filter(pk=obj.pk).exists()
        assert self.history_of(obj.pk).count() == history_before

    # --- permitted ------------------------------------------------------------------
    def test_permitted_users_can_create_view_edit_and_delete_in_the_ui(self, client, personas):
        user = personas[self.manager]
        client.force_login(user)
        assert client.get(self.url("list")).status_code == 200
        assert client.get(self.url("add")).status_code == 200
        before = set(self.model.objects.values_list("pk", flat=True))
        response = client.post(self.url("add"), self.create_data(personas))
        assert response.status_code == 302, response.content.decode()[:3000]
        (pk,) = set(self.model.objects.values_list("pk", flat=True)) - before
        obj = self.model.objects.get(pk=pk)
        self.assert_written_by(pk, user)

        assert client.get(self.url("detail", obj)).status_code == 200
        list_page = client.get(self.url("list"), {"per_page": 100})
        assert obj.get_absolute_url() in list_page.content.decode()

        response = client.post(self.url("edit", obj), self.with_reason(self.update_data(obj, personas)))
        assert response.status_code == 302, response.content.decode()[:3000]
        self.assert_written_by(pk, user, "~")
        self.assert_reason_kept(pk)
        history_page = client.get(self.url("history", obj))
        assert history_page.status_code == 200
        assert user.display_name in history_page.content.decode()

        if not self.deletable:
            assert not any(
                p.name == f"{self.model._meta.model_name}_delete" for p in _url_patterns(self.model)
            )
            return
        deleter = personas[self.deleter or self.manager]
        if deleter != user:
            assert client.post(self.url("delete", obj)).status_code == 403
            client.force_login(deleter)
        assert client.get(self.url("delete", obj)).status_code == 200
        assert client.post(self.url("delete", obj)).status_code == 302
        assert not self.model.objects.filter(pk=pk).exists()
        last = self.history_of(pk).last()
        assert (last.history_type, last.history_user_id) == ("-", deleter.pk)

    def test_permitted_users_can_create_view_edit_and_delete_through_the_api(self, personas):
        user = personas[self.manager]
        api = self.api(user)
        response = api.post(self.api_url(), self.api_create_data(personas), format="json")
        assert response.status_code == 201, response.json()
        pk = response.json()["id"]
        obj = self.model.objects.get(pk=pk)
        self.assert_written_by(pk, user)

        listed = api.get(self.api_url(), {"page_size": 200}).json()
        assert pk in [row["id"] for row in listed["results"]]
        assert api.get(self.api_url(obj)).status_code == 200

        data = self.with_reason(self.api_update_data(obj, personas))
        response = api.patch(self.api_url(obj), data, format="json")
        assert response.status_code == 200, response.json()
        self.assert_written_by(pk, user, "~")
        self.assert_reason_kept(pk)

        if not self.deletable:
            assert api.delete(self.api_url(obj)).status_code in (403, 405)
            assert self.model.objects.filter(pk=pk).exists()
            return
        deleter = personas[self.deleter or self.manager]
        if deleter != user:
            assert api.delete(self.api_url(obj)).status_code == 403
            api = self.api(deleter)
        assert api.delete(self.api_url(obj)).status_code == 204
        assert not self.model.objects.filter(pk=pk).exists()

    # --- outside the user's reach -------------------------------------------------------
    def test_records_outside_the_users_reach_answer_404(self, client, personas):
        if self.outsider is None:
            pytest.skip("every persona who may view this kind of record sees all of them")
        obj = self.make_object(personas)
        user = personas[self.outsider]
        client.force_login(user)
        assert client.get(self.url("list")).status_code == 200
        assert obj.get_absolute_url() not in client.get(self.url("list"), {"per_page": 100}).content.decode()
        for action in ("detail", "history"):
            assert client.get(self.url(action, obj)).status_code == 404, action
        for action in ("edit", "delete") if self.deletable else ("edit",):
            # Without the right to change this kind of record at all the answer is 403,
            # which says nothing about whether this record exists.
            assert client.get(self.url(action, obj)).status_code in (403, 404), action
        missing = self.model.objects.order_by("-pk").first().pk + 1000
        assert client.get(reverse(self.model.url_name("detail"), args=[missing])).status_code == 404
        api = self.api(user)
        assert api.get(self.api_url(obj)).status_code == 404
        assert obj.pk not in [
            row["id"] for row in api.get(self.api_url(), {"page_size": 200}).json()["results"]
        ]

    # --- bad input --------------------------------------------------------------------
    def test_invalid_input_is_refused_with_a_field_error_and_saves_nothing(self, client, personas):
        user = personas[self.manager]
        self.make_object(personas)
        count = self.model.objects.count()
        client.force_login(user)
        response = client.post(self.url("add"), self.invalid_data(personas))
        assert response.status_code == 400
        assert "invalid-feedback" in response.content.decode() or "alert-danger" in response.content.decode()
        response = self.api(user).post(self.api_url(), self.invalid_data(personas), format="json")
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert self.invalid_field in body["errors"] or "non_field_errors" in body["errors"], body
        assert self.model.objects.count() == count

    def test_a_change_of_a_reason_field_without_a_reason_is_refused(self, client, personas):
        if not getattr(self.model, "reason_fields", ()):
            pytest.skip("no field of this kind of record needs a reason to change")
        user = personas[self.manager]
        obj = self.make_object(personas)
        history_before = self.history_of(obj.pk).count()
        client.force_login(user)
        # update_data must change one of the model's reason_fields for this test to mean anything.
        response = client.post(self.url("edit", obj), self.update_data(obj, personas))
        assert response.status_code == 400, f"{self.model.__name__}: update_data changes no reason field"
        assert "change_reason" in response.content.decode()
        data = self.api_update_data(obj, personas)
        if set(data) & set(self.model.reason_fields):  # some reason fields are read-only in the API
            response = self.api(user).patch(self.api_url(obj), data, format="json")
            assert response.status_code == 400
            assert "change_reason" in response.json()["errors"], response.json()
        assert self.history_of(obj.pk).count() == history_before

    # --- scale -------------------------------------------------------------------------
    def add_rows(self, personas, made, count):
        """``count`` more rows: copies of the records in ``made`` in one ``bulk_create`` each
        (tests/bulk.py), or, for a record that cannot be copied, ``make_object`` one by one."""
        if all(obj is not None and type(obj) is self.model for obj in made):
            try:
                with transaction.atomic():
                    for position, obj in enumerate(made):
                        make_many(obj, count // len(made) + (position < count % len(made)))
                return
            except (CannotCopy, IntegrityError):
                pass
        for index in range(len(made), len(made) + count):
            self.make_object(personas, index)

    def test_list_queries_do_not_grow_with_the_number_of_rows(self, client, personas):
        user = personas[self.manager]
        client.force_login(user)
        api = self.api(user)
        made = [self.make_object(personas, index) for index in range(5)]

        def count_queries():
            with CaptureQueriesContext(connection) as ui:
                assert client.get(self.url("list"), {"per_page": 100}).status_code == 200
            with CaptureQueriesContext(connection) as rest:
                assert api.get(self.api_url(), {"page_size": 100}).status_code == 200
            return len(ui), len(rest)

        count_queries()  # warm-up: per-process caches (content types, the API user's roles)
        few = count_queries()
        self.add_rows(personas, made, 45)
        many = count_queries()
        assert many == few, f"queries grew from {few} to {many} (UI, API)"

    # --- export ------------------------------------------------------------------------
    def test_the_list_exports_to_excel_every_row_the_user_sees(self, client, personas):
        from decimal import Decimal
        from io import BytesIO

        from django.db.models import DecimalField
        from openpyxl import load_workbook

        from onestop.core.views import viewset_for

        user = personas[self.manager]
        self.make_object(personas)
        client.force_login(user)
        response = client.get(self.url("list"), {"export": "xlsx"})  # one request per model
        assert response.status_code == 200, response.headers
        rows = list(load_workbook(BytesIO(response.content), read_only=True).worksheets[0].values)
        columns = [column.bind(self.model) for column in viewset_for(self.model).columns]
        assert list(rows[0]) == [column.label for column in columns]
        assert len(rows) - 1 == self.model.objects.visible_to(user).count()
        for position, column in enumerate(columns):
            field = (
                self.model._meta.get_field(column.name) if column.name in _field_names(self.model) else None
            )
            if isinstance(field, DecimalField):
                values = [row[position] for row in rows[1:] if row[position] is not None]
                assert all(isinstance(value, int | float | Decimal) for value in values), column.label


def _field_names(model) -> set[str]:
    return {field.name for field in model._meta.get_fields()}


def _url_patterns(model):
    from django.urls import get_resolver

    namespace = get_resolver().namespace_dict.get(model._meta.app_label)
    return namespace[1].url_patterns if namespace else []
