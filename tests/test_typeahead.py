"""Filter choices that scale (issue 16 §1): a filter over a large table renders only its chosen
option and asks ``/api/choices/<app_label.model>/`` for at most 20 matches as the user types."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from onestop.accounts.models import ClientOrganization
from onestop.core.choices import LIMIT
from onestop.core.roles import Role
from tests.factories import ClientOrganizationFactory
from tests.test_engagements import new_engagement


def choices_url(source: str) -> str:
    return reverse("api:choices", args=[source])


def client_filter_options(browser, params=None) -> list[str]:
    """The ``<option>``s of the engagement list's client filter."""
    page = browser.get(reverse("engagements:engagement_list"), params or {})
    assert page.status_code == 200
    select = re.search(r'<select name="client".*?</select>', page.content.decode(), re.S)
    assert select, "the list has a client filter"
    assert "data-choices-url" in select.group(0)
    return re.findall(r"<option[^>]*>.*?</option>", select.group(0), re.S)


@pytest.mark.parametrize("row_count", [5, 60])
def test_a_client_filter_renders_the_same_few_options_whatever_the_number_of_clients(
    client, cs_user, row_count
):
    ClientOrganizationFactory.create_batch(row_count)
    chosen = ClientOrganization.objects.order_by("pk").last()
    client.force_login(cs_user)

    assert len(client_filter_options(client)) == 1  # "All" only
    options = client_filter_options(client, {"client": chosen.pk})
    assert len(options) == 2  # "All" and the chosen client, named without JavaScript
    assert chosen.name in options[1] and "selected" in options[1]


def test_a_filter_names_no_client_the_user_may_not_see(client, client_a, org_b):
    client.force_login(client_a)
    page = client.get(reverse("accounts:clientcontact_list"), {"organization": org_b.pk})
    assert page.status_code == 200
    assert org_b.name not in page.content.decode()


def test_the_choices_answer_at_most_twenty_matches_best_first(client, cs_user):
    ClientOrganizationFactory.create_batch(LIMIT + 10)
    exact = ClientOrganizationFactory(name="客戶單位")
    client.force_login(cs_user)

    rows = client.get(choices_url("accounts.clientorganization")).json()
    assert len(rows) == LIMIT
    rows = client.get(choices_url("accounts.ClientOrganization"), {"q": "客戶單位"}).json()
    assert len(rows) == LIMIT
    assert rows[0] == {"value": exact.pk, "label": "客戶單位"}


def test_the_choices_find_chinese_substrings(client, cs_user, org_a, org_b):
    client.force_login(cs_user)
    rows = client.get(choices_url("accounts.clientorganization"), {"q": "實業"}).json()
    assert rows == [{"value": org_b.pk, "label": org_b.name}]


def test_a_client_user_gets_only_its_own_organisation(client, client_a, org_a, org_b):
    ClientOrganizationFactory.create_batch(5)
    client.force_login(client_a)
    rows = client.get(choices_url("accounts.clientorganization")).json()
    assert rows == [{"value": org_a.pk, "label": org_a.name}]
    assert client.get(choices_url("accounts.clientorganization"), {"q": "乙方"}).json() == []
    # and no staff to pick from
    assert client.get(choices_url("accounts.user")).json() == []


def test_staff_get_the_engagements_the_visibility_rule_lets_them_see(client, cs_user, make_user, org_a):
    technician = make_user(Role.TECHNICIAN, username="tech")
    on_the_team = new_engagement(cs_user, org_a, None, technician=technician)
    elsewhere = new_engagement(cs_user, org_a, None)

    client.force_login(cs_user)  # customer service sees every engagement
    seen = {row["value"] for row in client.get(choices_url("engagements.engagement")).json()}
    assert seen == {on_the_team.pk, elsewhere.pk}

    client.force_login(technician)  # a technician sees their team's only
    seen = {row["value"] for row in client.get(choices_url("engagements.engagement")).json()}
    assert seen == {on_the_team.pk}


def test_a_model_that_is_not_a_choice_source_is_not_found(client, cs_user):
    client.force_login(cs_user)
    assert client.get(choices_url("accounts.department")).status_code == 404
    assert client.get(choices_url("no.such")).status_code == 404


def test_an_unknown_parameter_is_refused(client, cs_user):
    client.force_login(cs_user)
    answer = client.get(choices_url("accounts.clientorganization"), {"q": "甲", "page_size": 500})
    assert answer.status_code == 400
    assert "page_size" in answer.json()["errors"]
    assert client.get(choices_url("accounts.clientorganization"), {"q": "甲" * 101}).status_code == 400


def test_the_choices_are_for_signed_in_users_only(client, org_a):
    assert client.get(choices_url("accounts.clientorganization")).status_code in (401, 403)


def test_a_chosen_value_that_is_no_client_shows_nothing_chosen(client, cs_user, org_a):
    client.force_login(cs_user)
    for value in ("abc", "9" * 30, "-1"):
        options = client_filter_options(client, {"client": value})
        assert len(options) == 1, value  # "All" only; the filter says the value is invalid
