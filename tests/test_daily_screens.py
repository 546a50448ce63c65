"""Choices offer only what can be chosen (issue 11 §4): every choice of people is sorted by
name — whatever queryset a form sets, on every add page of every app (through HTTP)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, get_resolver, reverse

from onestop.core.forms import PEOPLE_ORDER
from onestop.core.roles import Role
from onestop.core.views import all_viewsets

pytestmark = pytest.mark.django_db


def _user_fields(form_class, user):
    try:
        form = form_class(user=user)
    except TypeError:
        form = form_class()
    model = get_user_model()
    return [
        name
        for name, field in form.fields.items()
        if getattr(field, "queryset", None) is not None and field.queryset.model is model
    ]


def _options(page: str, name: str) -> list[int]:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    if match is None:
        return []
    return [int(value) for value in re.findall(r'<option value="(\d+)"', match.group(1))]


@pytest.fixture
def people(make_user):
    """Staff whose logins sort the other way round from their names, in every role."""
    names = ["趙雲", "王芳", "李娜", "陳強", "張偉"]  # by login a…e; by name 張 < 李 < 王 < 趙 < 陳
    roles = list(Role)
    return [
        make_user(*roles, username=f"a{index}.person", full_name=name) for index, name in enumerate(names)
    ]


def test_every_people_choice_on_every_add_page_is_sorted_by_name(client, people, admin_user):
    client.force_login(admin_user)
    get_resolver().url_patterns  # loads every app's pages (all_viewsets)
    checked = 0
    for viewset in all_viewsets():
        form_class = viewset.add_form_class or viewset.form_class
        if form_class is None:
            continue
        opts = viewset.model._meta
        try:
            url = reverse(f"{opts.app_label}:{opts.model_name}_add")
        except NoReverseMatch:
            continue
        fields = _user_fields(form_class, admin_user)
        if not fields:
            continue
        response = client.get(url)
        if response.status_code != 200:
            continue
        page = response.content.decode()
        for name in fields:
            shown = _options(page, name)
            if len(shown) < 2:
                continue  # a type-ahead shows only the chosen person
            expected = list(
                get_user_model()
                .objects.filter(pk__in=shown)
                .order_by(*PEOPLE_ORDER)
                .values_list("pk", flat=True)
            )
            assert shown == expected, f"{url} {name}: people not sorted by name"
            checked += 1
    assert checked >= 3  # several pages choose people (inspector, owner, project lead, technician…)


def test_a_list_labels_each_cell_with_its_column_for_the_cards_on_a_phone(client, people, admin_user):
    """On a phone (CSS, max-width 575 px) every row of a list is a card, each cell under its
    column's label; the page says so by ``data-label`` on every cell. The desktop table keeps
    its header row (the browser test takes both pictures)."""
    client.force_login(admin_user)
    page = client.get(reverse("accounts:user_list")).content.decode()
    table = re.search(r'<table class="[^"]*app-cards-on-phone[^"]*">(.*?)</table>', page, re.S).group(1)
    header = [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<th scope=\"col\">(.*?)</th>", table, re.S)
    ]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    assert len(rows) >= len(people)
    for row in rows:
        assert re.findall(r'<td data-label="([^"]*)"', row) == header
