"""A load test of OneStop as its users work: log in through the form, open My work, the
engagement list (also filtered by a stage of the path), engagement pages, the contract list and
the API, and write a note on an engagement now and then.

Run it against a server with the demo data (docs/deployment.md, "Load test"):

    pip install locust
    locust -f load/locustfile.py --host http://127.0.0.1:8000 --headless -u 20 -r 5 -t 60s

Every user logs in once as one of the demo staff or client users (password: the demo's).
Not part of the test suite: it needs a running server and measures it.
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("ONESTOP_LOAD_PASSWORD", "onestop-demo")
STAFF = [
    "cs.lin",
    "cs.guo",
    "mgmt.chen",
    "legal.zheng",
    "pm.sun",
    "pm.peng",
    "fin.song",
    "qa.gao",
    "tech.zhang",
]
CLIENTS = ["client.dfln", "client.hwyh"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class OneStopUser(HttpUser):
    wait_time = between(1, 3)  # a person reading the page before the next click

    def on_start(self):
        self.username = random.choice(STAFF * 3 + CLIENTS)
        page = self.client.get("/login/", name="/login/ (form)")
        token = CSRF.search(page.text).group(1)
        answer = self.client.post(
            "/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            name="/login/ (post)",
        )
        if answer.url.rstrip("/").endswith("/login"):
            raise RuntimeError(f"{self.username} could not log in")
        listing = self.client.get("/api/engagements/?page_size=50", name="/api/engagements/").json()
        self.engagements = [row["id"] for row in listing.get("results", [])] or [1]

    @task(4)
    def my_work(self):
        self.client.get("/", name="My work")

    @task(3)
    def engagement_list(self):
        self.client.get("/engagements/", name="/engagements/")

    @task(1)
    def engagement_list_by_stage(self):
        stage = random.choice(["plan", "contract", "implementation", "acceptance", "settlement"])
        self.client.get(f"/engagements/?stage={stage}", name="/engagements/?stage=")

    @task(3)
    def engagement_page(self):
        self.client.get(f"/engagements/{random.choice(self.engagements)}/", name="/engagements/<id>/")

    @task(1)
    def contract_list(self):
        self.client.get("/contracts/", name="/contracts/")

    @task(2)
    def api_list(self):
        self.client.get("/api/engagements/", name="/api/engagements/")

    @task(1)
    def write_a_note(self):
        if self.username in CLIENTS:
            return
        engagement = random.choice(self.engagements)
        page = self.client.get(f"/engagements/{engagement}/", name="/engagements/<id>/")
        token = CSRF.search(page.text)
        if token is None:
            return
        self.client.post(
            f"/core/records/engagements.engagement/{engagement}/comments/",
            {
                "body": "負載測試：電話回訪記錄。",
                "channel": "note",
                "visibility": "internal",
                "csrfmiddlewaretoken": token.group(1),
            },
            headers={"Referer": f"{self.host}/engagements/{engagement}/"},
            name="note (post)",
        )
