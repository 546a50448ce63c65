"""Shared personas: one user per role, two client organisations with a user each.

A test that needs real commits (threads, the live server for browser tests) must use
``@pytest.mark.django_db(transaction=True, serialized_rollback=True)``: the flush after a
transactional test empties every table, including the role groups made by a data migration,
and serialized rollback puts them back for the tests that follow.
"""

import pytest

from onestop.core.roles import Role
from tests.factories import ClientOrganizationFactory, UserFactory

pytest_plugins = ["tests.plugins.transitions"]


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback")):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


def pytest_collection_modifyitems(config, items):
    """The slow tests run first: a one-minute test picked up last by one worker keeps the whole
    run waiting while the other worker idles. But never a transactional test before a plain one
    (pytest-django's own order): its flush empties the tables, and only the next transactional
    test restores them — a plain test after it would find no roles, no content types."""
    items.sort(key=lambda item: (_transactional(item), item.get_closest_marker("slow") is None))


@pytest.fixture
def make_user(db):
    def make(*roles, **fields):
        return UserFactory(roles=list(roles), **fields)

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.SYSTEM_ADMIN, username="sysadmin", is_staff=True)


@pytest.fixture
def hr_user(make_user):
    return make_user(Role.HR, username="hr")


@pytest.fixture
def cs_user(make_user):
    return make_user(Role.CUSTOMER_SERVICE, username="cs")


@pytest.fixture
def finance_user(make_user):
    return make_user(Role.FINANCE, username="finance")


@pytest.fixture
def org_a(db):
    return ClientOrganizationFactory(code="AAA", name="甲方科技有限公司")


@pytest.fixture
def org_b(db):
    return ClientOrganizationFactory(code="BBB", name="乙方實業有限公司")


@pytest.fixture
def client_a(make_user, org_a):
    return make_user(Role.CLIENT, username="client.a", client_organization=org_a)


@pytest.fixture
def client_b(make_user, org_b):
    return make_user(Role.CLIENT, username="client.b", client_organization=org_b)


@pytest.fixture
def personas(admin_user, hr_user, cs_user, finance_user, client_a, client_b):
    return {
        "admin": admin_user,
        "hr": hr_user,
        "cs": cs_user,
        "finance": finance_user,
        "client_a": client_a,
        "client_b": client_b,
    }


@pytest.fixture
def english(monkeypatch):
    """Every page, API answer and service message in English (the source strings), whatever
    the user's language: for tests that assert on message wording. Tests of the Chinese pages
    and forms don't use it."""
    from django.utils import translation

    from onestop.core.middleware import LanguageMiddleware

    monkeypatch.setattr(LanguageMiddleware, "language_for", staticmethod(lambda request: "en"))
    with translation.override("en"):
        yield
