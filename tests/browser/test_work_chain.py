"""X-1, X-6 (issue 11 §1, "a browser test per role"): one engagement from the inquiry to its
settlement, handed from role to role. Each person logs in after the previous person's action,
finds the task on 「我的工作」 and reaches the page where it is done in one click from there —
customer service, the technician, the client, management, the review panel, legal, the
authorized signatory, the archive room, the project lead, the department answering a
rectification notice, quality and finance.

The path and its forms are the lifecycle test's (tests/browser/test_lifecycle.py); only the way
each person reaches their page differs: the first page a person opens after logging in must be
an item of their 「我的工作」, clicked once. Two steps start on the person's own initiative and
are opened from the menu: customer service records a phone call, quality plans a spot check.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_lifecycle import (
    CLIENT,
    LEAD,
    PANEL,
    QUALITY,
    SIGNER,
    SUBJECT,
    Path,
    check_the_closed_engagement,
    submit_form,
)

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]

WORK_ITEMS = "#work-heading + .list-group a"
OWN_INITIATIVE = {
    "/engagements/add/",  # customer service records the phone call as it comes in
    "/quality/inspections/add/",  # quality plans a spot check of a project under way
}


class Chain(Path):
    """The lifecycle's path, every person starting from 「我的工作」."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fresh = False
        self.username = ""
        self.found: list[tuple[str, str]] = []  # (username, the task as 「我的工作」 words it)

    def as_user(self, username):
        page = super().as_user(username)
        page.set_default_timeout(30_000)  # a long walk on a busy machine: a slow page is not a failure
        self.fresh, self.username = True, username
        return page

    def go(self, path):
        target = urlsplit(path).path
        if not self.fresh or target in OWN_INITIATIVE:
            self.fresh = False
            return super().go(path)
        self.fresh = False
        self.from_my_work(target)

    def from_my_work(self, target: str) -> None:
        """Click the one item of 「我的工作」 that opens ``target`` (an add form: the one for this
        engagement); fail naming what the person found instead."""
        page = self.page
        items = page.locator(WORK_ITEMS)
        rows = items.evaluate_all("links => links.map(a => [a.pathname, a.innerText.replace(/\\s+/g, ' ')])")
        matches = [
            index
            for index, (pathname, text) in enumerate(rows)
            if pathname == target and (not target.endswith("/add/") or SUBJECT in text)
        ]
        assert matches, f"{self.username} finds nothing on 我的工作 that opens {target}: {rows}"
        item = items.nth(matches[0])
        self.found.append((self.username, rows[matches[0]][1]))
        item.click()
        page.wait_for_load_state()
        assert urlsplit(page.url).path == target

    # --- the steps where the chain differs from the lifecycle -----------------------------------

    def start_plan(self, engagement):
        """Management's item opens the plan form with the engagement chosen."""
        page = self.as_user("mgmt.chen")
        self.go(reverse("plans:plan_add"))
        expect(page.locator("#id_engagement")).to_have_value(str(engagement.pk))
        return page

    def archive(self, contract):
        page = self.as_user("archive.luo")
        self.go(contract.get_absolute_url())
        page.locator("input[name=archive_number]").fill("HT-2026-0901")
        page.locator("input[name=location]").fill("檔案室 B 櫃 2 層")
        page.locator("form[action$='archive/'] button[type=submit]").click()
        expect(page.locator("#contract-actions")).to_contain_text("HT-2026-0901")

    def project(self, contract):
        """The lead the plan names finds the signed contract's project to open (management's queue
        has it too), records the kickoff and fills this week's progress table."""
        from onestop.projects.models import Project

        page = self.as_user(LEAD)
        self.go(reverse("projects:project_add"))
        expect(page.locator("#id_contract")).to_have_value(str(contract.pk))
        submit_form(page)
        page.wait_for_url(lambda url: "/projects/" in url and not url.endswith("/add/"))
        project = Project.objects.get(contract=contract)
        page.locator("#record-kickoff").click()
        page.locator("#id_held_on").fill(self.dates["kickoff"].isoformat())
        page.locator("#id_location").fill("華信 1 號會議室")
        page.locator("#id_goals").fill("兩個月內上線能耗看板。")
        page.locator("#id_tasks_communicated").fill("調研、設計、開發、上線。")
        page.locator("#kickoff-submit").click()
        page.wait_for_url(lambda url: url.endswith("#kickoff"))
        self.progress_table(
            project,
            [(100, self.dates["first_done"], "設計定稿"), (100, self.dates["today"], "看板上線")],
        )
        return project


def test_X_1_X_2_X_6_each_role_finds_its_step_on_my_work_in_one_click_from_inquiry_to_the_closed_engagement(
    page, login, live_server, screenshot, console_errors
):
    """X-1, X-2, X-6 (and INT, PLN, CON, PRJ, QA, ACC, FEE, EXT-2 on the way): from a phone inquiry
    to the closed engagement, every step in the pages, each opened by its role from 「我的工作」 in
    one click; the engagement page then shows every stage."""

    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    dates = {
        "today": today,
        "start": monday - timedelta(days=21),
        "kickoff": monday - timedelta(days=14),
        "last_week": monday - timedelta(days=5),
        "first_due": monday - timedelta(days=3),
        "first_done": monday - timedelta(days=1),
        "end": today + timedelta(days=60),
    }
    chain = Chain(page, login, live_server, dates)
    engagement = chain.intake()
    chain.plan(engagement)
    contract = chain.contract(engagement)
    chain.archive(contract)
    project = chain.project(contract)
    chain.inspection(project)
    chain.complete(project)
    chain.acceptance(project)
    chain.settlement(contract)
    survey = chain.survey(engagement)
    check_the_closed_engagement(chain, engagement, contract, project, survey, screenshot, console_errors)

    # Every role of the path found its step on 「我的工作」 (the intake's own steps open it too).
    people = {username for username, _ in chain.found}
    expected = {
        "tech.zhang",
        CLIENT,
        "mgmt.chen",
        LEAD,
        *PANEL,
        "legal.zheng",
        SIGNER,
        "archive.luo",
        QUALITY,
        "fin.song",
    }
    assert expected <= people, (expected - people, chain.found)
