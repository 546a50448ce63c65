"""Panels the company apps add to a record's page, without the page's app importing them.

A company app (core/stages.py COMPANY_APPS) with a ``panels.py`` may define ``project(project,
user)``, ``engagement(engagement, user)``, ``plan(plan, user)`` or ``person(person, user)`` (a
member of staff's page); each returns a list of
panels, each a dict with the ``template`` to include and whatever that template needs. The page
calls ``panels("project", obj, user)`` and its template includes ``core/_panels.html``. A
provider keeps to a fixed number of queries and returns nothing for users who may not see it.
"""

from __future__ import annotations

from onestop.core.stages import app_modules


def panels(page: str, obj, user) -> list[dict]:
    result: list[dict] = []
    for module in app_modules("panels"):
        provider = getattr(module, page, None)
        if provider is not None:
            result.extend(provider(obj, user))
    return result
