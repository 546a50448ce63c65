"""Resources (RES-1..3): technical documents, the knowledge base and tools and equipment.

Through HTTP (pages and API) as the users do it; the services are called directly only to build
the records a test starts from.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.core import fulltext
from onestop.core.work import work_for
from onestop.engagements.models import Engagement
from onestop.projects.models import Project, ProjectMember
from onestop.resources import selectors, services
from onestop.resources.models import (
    Article,
    ArticleRating,
    ArticleRevision,
    Checkout,
    DocumentType,
    DocumentVersion,
    Equipment,
    MaintenanceRecord,
    TechnicalDocument,
)
from onestop.resources.states import EquipmentState, VersionState
from tests.generic import ModelTestBase
from tests.stages import make_project, stage_personas

CHECKLIST = "章節結構符合範本\n測試結果完整可追溯\n版本與變更紀錄正確"


@pytest.fixture(autouse=True)
def in_english(english):
    """The assertions below read the messages in English (the source strings)."""
    yield


@pytest.fixture
def personas(personas, make_user):
    people = stage_personas(personas, make_user)
    from onestop.core.roles import Role

    people["reviewer"] = make_user(Role.REVIEWER, username="expert", full_name="審核專家")
    people["outsider_tech"] = make_user(Role.TECHNICIAN, username="tech2", full_name="技術員乙")
    return people


def doc_type(code="test-report", **fields):
    defaults = {
        "name": "測試報告",
        "skeleton": "# 測試報告\n\n## 測試範圍\n",
        "checklist": CHECKLIST,
        "retention_years": 5,
    }
    defaults.update(fields)
    found, _ = DocumentType.objects.get_or_create(code=code, defaults=defaults)
    return found


def project_for(personas, index=0):
    """The test's project, with the technician on its team."""
    project = Project.objects.filter(code=f"PJ-T-{index:05d}").first()
    if project is None:
        project = make_project(personas, index)
        ProjectMember.objects.create(
            project=project, user=personas["technician"], role="測試工程師", allocation=50
        )
    return project


def text_file(name, text):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def new_document(personas, index=0, *, author="technician", text="第一版內容\n測試範圍：全系統\n"):
    return services.create_document(
        actor=personas[author],
        project=project_for(personas, 0),
        doc_type=doc_type(),
        title=f"系統測試報告{index}",
        file=text_file("report.txt", text),
        change_note="初版",
    )


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def approved(version, personas):
    services.submit_version(
        version, actor=version.author, reviewer=personas["reviewer"], approver=personas["lead"]
    )
    version.refresh_from_db()
    services.review_version(
        version,
        actor=personas["reviewer"],
        checklist=dict.fromkeys(version.document.doc_type.checklist_items, True),
    )
    version.refresh_from_db()
    services.approve_version(version, actor=personas["lead"])
    version.refresh_from_db()
    return version


# --- generic tests per model ------------------------------------------------------------------


class TestDocumentType(ModelTestBase):
    model = DocumentType
    api_basename = "documenttype"
    manager = "quality"
    viewer = "technician"
    no_view = "client_a"
    invalid_field = "retention_years"

    def make_object(self, personas, index=0):
        return DocumentType.objects.create(code=f"type-{index}", name=f"文件類別{index}", checklist=CHECKLIST)

    def create_data(self, personas):
        return {
            "code": "design",
            "name": "設計文檔",
            "skeleton": "# 設計",
            "checklist": "架構圖完整",
            "retention_years": 10,
            "active": "on",
        }

    def api_create_data(self, personas):
        return {**self.create_data(personas), "active": True}

    def update_data(self, obj, personas):
        return {
            "code": obj.code,
            "name": obj.name + "（修訂）",
            "skeleton": "",
            "checklist": "x",
            "retention_years": 7,
        }

    def api_update_data(self, obj, personas):
        return {"retention_years": 7}

    def invalid_data(self, personas):
        return {"code": "bad", "name": "不良", "retention_years": 0}


class TestTechnicalDocument(ModelTestBase):
    model = TechnicalDocument
    api_basename = "technicaldocument"
    manager = "admin"
    deletable = False
    no_view = "client_a"
    outsider = "outsider_tech"
    invalid_field = "title"

    def make_object(self, personas, index=0):
        return services.create_document(
            actor=personas["technician"],
            project=project_for(personas),
            doc_type=doc_type(),
            title=f"文件{index}",
        )

    def create_data(self, personas):
        return {
            "project": project_for(personas).pk,
            "doc_type": doc_type().pk,
            "title": "用戶手冊",
            "description": "第一版",
        }

    def update_data(self, obj, personas):
        return {"doc_type": obj.doc_type_id, "title": obj.title + "（修訂）", "description": "改"}

    def api_update_data(self, obj, personas):
        return {"title": obj.title + "（修訂）"}

    def invalid_data(self, personas):
        return {"project": project_for(personas).pk, "doc_type": doc_type().pk, "title": ""}


class TestArticle(ModelTestBase):
    model = Article
    api_basename = "article"
    manager = "admin"
    deletable = False
    no_view = "client_a"
    invalid_field = "title"

    def make_object(self, personas, index=0):
        return services.write_article(
            actor=personas["technician"], kind="article", title=f"弱電施工要點{index}", body="內容"
        )

    def create_data(self, personas):
        return {
            "kind": "solution",
            "title": "防火牆設定",
            "summary": "",
            "tags": "網路,資安",
            "body": "## 步驟\n1. 登入",
        }

    def update_data(self, obj, personas):
        return {
            "kind": obj.kind,
            "title": obj.title + "（修訂）",
            "summary": "",
            "tags": "",
            "body": obj.body + "\n補充",
        }

    def api_update_data(self, obj, personas):
        return {"title": obj.title + "（修訂）"}

    def invalid_data(self, personas):
        return {"kind": "article", "title": "", "body": ""}


class TestEquipment(ModelTestBase):
    model = Equipment
    api_basename = "equipment"
    manager = "admin"
    deletable = False
    no_view = "client_a"
    invalid_field = "name"

    def make_object(self, personas, index=0):
        return services.request_equipment(
            actor=personas["technician"],
            name=f"示波器{index}",
            category="instrument",
            purpose="現場量測",
            estimated_price=Decimal("50000"),
            daily_rate=Decimal("300"),
        )

    def create_data(self, personas):
        return {
            "name": "網路分析儀",
            "category": "instrument",
            "model_number": "",
            "purpose": "驗收測試",
            "estimated_price": "120000",
            "daily_rate": "800",
        }

    def update_data(self, obj, personas):
        return {
            "name": obj.name + "（更正）",
            "category": obj.category,
            "purpose": obj.purpose,
            "estimated_price": "51000",
            "daily_rate": "300",
        }

    def api_update_data(self, obj, personas):
        return {"location": "二樓器材室"}

    def invalid_data(self, personas):
        return {
            "name": "",
            "category": "instrument",
            "purpose": "x",
            "estimated_price": "-1",
            "daily_rate": "0",
        }


# --- RES-1 technical documents ----------------------------------------------------------------


def test_RES_1_version_1_is_reviewed_against_the_checklist_and_approved_through_the_pages(client, personas):
    document = new_document(personas)
    version = document.versions.get()
    page = document.get_absolute_url()

    client.force_login(personas["technician"])
    response = client.post(
        reverse("resources:documentversion_submit", args=[version.pk]),
        {"reviewer": personas["technician"].pk, "approver": personas["lead"].pk},
    )
    assert response.status_code == 400
    assert "cannot review or approve their own" in response.content.decode()
    response = client.post(
        reverse("resources:documentversion_submit", args=[version.pk]),
        {"reviewer": personas["reviewer"].pk, "approver": personas["lead"].pk},
    )
    assert response.status_code == 302

    # The reviewer has it on "My work" and ticks the checklist; an unticked item needs a note.
    assert any("Document to review" in str(item.kind) for item in work_for(personas["reviewer"]))
    client.force_login(personas["reviewer"])
    body = client.get(page).content.decode()
    assert "章節結構符合範本" in body and "review-version" in body
    review = reverse("resources:documentversion_review", args=[version.pk])
    response = client.post(review, {"item_0": "on", "item_1": "on"})
    assert response.status_code == 400
    assert "Explain in the note" in response.content.decode()
    assert client.post(review, {"item_0": "on", "item_1": "on", "item_2": "on"}).status_code == 302

    client.force_login(personas["lead"])
    assert client.post(reverse("resources:documentversion_approve", args=[version.pk]), {}).status_code == 302
    version.refresh_from_db()
    document.refresh_from_db()
    assert version.state == VersionState.APPROVED
    assert [row["ok"] for row in version.checklist_result] == [True, True, True]
    # Traceable: who wrote, reviewed and approved version 1; retention starts now.
    assert (version.author, version.reviewer, version.approver) == (
        personas["technician"],
        personas["reviewer"],
        personas["lead"],
    )
    assert document.retention_until == timezone.localdate().replace(year=timezone.localdate().year + 5)


def test_RES_1_version_2_review_shows_the_difference_from_version_1(client, personas):
    document = new_document(personas, text="第一版內容\n測試範圍：全系統\n")
    approved(document.versions.get(), personas)

    client.force_login(personas["technician"])
    response = client.post(
        reverse("resources:technicaldocument_new_version", args=[document.pk]),
        {
            "change_note": "補充壓力測試結果",
            "file": text_file(
                "report-v2.txt", "第一版內容\n測試範圍：全系統與壓力測試\n新增：壓力測試 500 並發\n"
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = document.versions.get(number=2)
    services.submit_version(
        v2, actor=personas["technician"], reviewer=personas["reviewer"], approver=personas["lead"]
    )

    client.force_login(personas["reviewer"])
    body = client.get(document.get_absolute_url()).content.decode()
    assert "difference-2" in body
    assert "補充壓力測試結果" in body  # the change note
    assert "report-v2.txt" in body and "report.txt" in body  # metadata: the file changed
    assert "+新增：壓力測試 500 並發" in body  # the text diff
    assert "-測試範圍：全系統" in body

    difference = api(personas["reviewer"]).get(reverse("api:documentversion-difference", args=[v2.pk])).json()
    assert difference["previous"] == 1
    assert "+新增：壓力測試 500 並發" in difference["text_diff"]
    # A new version cannot start while version 2 is in the works.
    response = api(personas["technician"]).post(
        reverse("api:technicaldocument-new-version", args=[document.pk]),
        {"change_note": "再改"},
        format="multipart",
    )
    assert response.status_code == 409


def test_RES_1_the_delivered_version_is_recorded_and_only_an_approved_one(client, personas):
    document = new_document(personas)
    v1 = document.versions.get()
    lead = api(personas["lead"])
    url = reverse("api:technicaldocument-deliver", args=[document.pk])
    response = lead.post(url, {"version": v1.pk, "delivered_to": "甲方資訊處王經理"}, format="json")
    assert response.status_code == 400
    approved(v1, personas)
    response = lead.post(url, {"version": v1.pk, "delivered_to": "甲方資訊處王經理"}, format="json")
    assert response.status_code == 200, response.json()
    document.refresh_from_db()
    assert (document.delivered_version, document.delivered_by, document.delivered_to) == (
        v1,
        personas["lead"],
        "甲方資訊處王經理",
    )
    client.force_login(personas["lead"])
    assert "document-delivered" in client.get(document.get_absolute_url()).content.decode()
    # The project page lists its documents, with the delivered version.
    page = client.get(document.project.get_absolute_url()).content.decode()
    assert "project-documents" in page and document.code in page


def test_RES_1_an_expired_document_is_disposed_of_only_after_management_approves(client, personas):
    document = new_document(personas)
    approved(document.versions.get(), personas)
    archive, boss = api(personas["archive"]), api(personas["management"])
    request_url = reverse("api:technicaldocument-request-disposal", args=[document.pk])

    # Not expired yet: refused.
    assert archive.post(request_url, {"comment": "保存期滿"}, format="json").status_code == 400
    TechnicalDocument.objects.filter(pk=document.pk).update(
        retention_until=timezone.localdate() - timedelta(days=1)
    )

    # The periodic job reminds the archive room once; it shows on their "My work".
    assert services.remind_expired_documents() == 1
    assert services.remind_expired_documents() == 0
    assert any("Retention expired" in str(item.kind) for item in work_for(personas["archive"]))

    # A technician may not ask; the archive room asks with a reason; the document is still there.
    assert api(personas["technician"]).post(request_url, {"comment": "x"}, format="json").status_code == 403
    assert archive.post(request_url, {"comment": ""}, format="json").status_code == 400
    assert archive.post(request_url, {"comment": "保存期滿，申請銷毀"}, format="json").status_code == 200
    document.refresh_from_db()
    assert document.state == TechnicalDocument.State.DISPOSAL_REQUESTED
    # Only management approves.
    approve_url = reverse("api:technicaldocument-approve-disposal", args=[document.pk])
    assert archive.post(approve_url, {"comment": "銷毀"}, format="json").status_code == 403
    assert boss.post(approve_url, {"comment": "同意，碎紙處理並刪除電子檔"}, format="json").status_code == 200
    document.refresh_from_db()
    assert document.state == TechnicalDocument.State.DISPOSED
    assert (document.disposed_by, document.disposal_note) == (
        personas["management"],
        "同意，碎紙處理並刪除電子檔",
    )
    # Nothing deleted silently: the document and its versions remain as the disposal record.
    assert TechnicalDocument.objects.filter(pk=document.pk).exists()
    assert document.versions.count() == 1


def test_RES_1_management_may_keep_a_document_longer_instead(personas):
    document = new_document(personas)
    approved(document.versions.get(), personas)
    TechnicalDocument.objects.filter(pk=document.pk).update(retention_until=timezone.localdate())
    document.refresh_from_db()
    services.request_disposal(document, actor=personas["archive"], comment="期滿")
    services.keep_longer(document, actor=personas["management"], comment="客戶仍在維護期，續存一年")
    document.refresh_from_db()
    assert document.state == TechnicalDocument.State.KEPT
    assert document.retention_until > timezone.localdate()


def test_RES_1_documents_follow_their_projects_access(client, personas):
    document = new_document(personas)
    client.force_login(personas["outsider_tech"])
    assert client.get(document.get_absolute_url()).status_code == 404
    version = document.versions.get()
    response = client.post(reverse("resources:documentversion_submit", args=[version.pk]), {})
    assert response.status_code == 404
    client.force_login(personas["client_a"])
    assert client.get(document.get_absolute_url()).status_code in (403, 404)
    # The reviewer named on a version joins the engagement's team and sees the project's documents.
    services.submit_version(
        version, actor=personas["technician"], reviewer=personas["outsider_tech"], approver=personas["lead"]
    )
    client.force_login(personas["outsider_tech"])
    assert client.get(document.get_absolute_url()).status_code == 200


def test_RES_1_the_template_of_a_type_downloads(client, personas):
    kind = doc_type()
    client.force_login(personas["technician"])
    response = client.get(reverse("resources:documenttype_skeleton", args=[kind.pk]))
    assert response.status_code == 200
    assert "## 測試範圍" in response.content.decode()


def test_RES_1_versions_are_tested_through_their_actions(personas):
    """DocumentVersion has no pages of its own (shown on the document); its actions are above."""
    document = new_document(personas)
    version = document.versions.get()
    response = api(personas["technician"]).post(
        reverse("api:documentversion-return-to-author", args=[version.pk]), {"comment": "x"}, format="json"
    )
    assert response.status_code in (403, 409)
    services.submit_version(
        version, actor=personas["technician"], reviewer=personas["reviewer"], approver=personas["lead"]
    )
    response = api(personas["reviewer"]).post(
        reverse("api:documentversion-return-to-author", args=[version.pk]),
        {"comment": "章節缺漏"},
        format="json",
    )
    assert response.status_code == 200
    version.refresh_from_db()
    assert version.state == VersionState.RETURNED
    assert any("returned to you" in str(item.kind) for item in work_for(personas["technician"]))
    listing = api(personas["technician"]).get(reverse("api:documentversion-list")).json()
    assert [row["id"] for row in listing["results"]] == [version.pk]
    assert DocumentVersion.objects.visible_to(personas["outsider_tech"]).count() == 0


# --- RES-2 knowledge --------------------------------------------------------------------------


def published(personas, title, body, tags=""):
    article = services.write_article(
        actor=personas["technician"], kind="article", title=title, body=body, tags=tags
    )
    services.submit_article(article, actor=personas["technician"])
    services.publish_article(article, actor=personas["quality"])
    article.refresh_from_db()
    return article


def test_RES_2_bigrams_split_chinese_and_keep_latin_words():
    assert fulltext.tokens("弱電施工 Firewall 設定v2") == ["弱電", "電施", "施工", "firewall", "設定", "v2"]
    assert fulltext.query_tokens("施工 施工") == ["施工"]


@pytest.mark.django_db
def test_RES_2_chinese_search_finds_an_article_by_a_two_character_word_with_constant_queries(
    client, personas
):
    wanted = published(
        personas, "機房弱電施工要點", "線槽與接地：機房弱電施工前先確認接地電阻。", tags="弱電,機房"
    )
    published(personas, "防火牆設定", "Firewall 規則的檢查方法。")
    draft = services.write_article(
        actor=personas["technician"], kind="article", title="弱電草稿", body="未發布的弱電"
    )

    found = list(fulltext.search(Article.objects.filter(state=Article.State.PUBLISHED), "接地"))
    assert found == [wanted]
    assert next(iter(fulltext.search(Article.objects.all(), "firewall"))).title == "防火牆設定"
    assert list(fulltext.search(Article.objects.all(), "接地電阻")) == [wanted]  # every pair must be there
    assert list(fulltext.search(Article.objects.all(), "電阻接地")) == []  # 阻接 is not in the text
    # An edit re-indexes the article.
    services.edit_article(draft, actor=personas["technician"], body="改寫後的光纖內容")
    assert list(fulltext.search(Article.objects.all(), "光纖")) == [draft]

    client.force_login(personas["technician"])
    url = reverse("resources:knowledge_search")
    response = client.get(url, {"q": "接地"})
    body = response.content.decode()
    assert "機房弱電施工要點" in body and "<mark>接地</mark>" in body
    assert "弱電草稿" not in body

    def queries():
        with CaptureQueriesContext(connection) as page:
            assert client.get(url, {"q": "弱電"}).status_code == 200
        with CaptureQueriesContext(connection) as rest:
            assert (
                api(personas["technician"]).get(reverse("api:article-search"), {"q": "弱電"}).status_code
                == 200
            )
        return len(page), len(rest)

    queries()
    few = queries()
    for index in range(30):
        published(personas, f"弱電案例{index}", f"弱電第{index}案")
    assert queries() == few
    hits = api(personas["technician"]).get(reverse("api:article-search"), {"q": "弱電"}).json()
    assert hits["count"] == 31
    assert "<mark>弱電</mark>" in hits["results"][0]["title_html"]


def test_RES_2_an_article_is_reviewed_before_publishing_and_versioned(client, personas):
    article = services.write_article(
        actor=personas["technician"], kind="solution", title="VPN 斷線排除", body="步驟一"
    )
    tech, qa = api(personas["technician"]), api(personas["quality"])
    assert tech.post(reverse("api:article-publish", args=[article.pk]), {}, format="json").status_code in (
        403,
        409,
    )
    assert tech.post(reverse("api:article-submit", args=[article.pk]), {}, format="json").status_code == 200
    assert any("article to review" in str(item.kind) for item in work_for(personas["quality"]))
    assert qa.post(reverse("api:article-publish", args=[article.pk]), {}, format="json").status_code == 200
    assert tech.post(reverse("api:article-revise", args=[article.pk]), {}, format="json").status_code == 200
    services.edit_article(
        Article.objects.get(pk=article.pk), actor=personas["technician"], body="步驟一\n步驟二"
    )
    tech.post(reverse("api:article-submit", args=[article.pk]), {}, format="json")
    assert (
        qa.post(
            reverse("api:article-return-article", args=[article.pk]), {"comment": ""}, format="json"
        ).status_code
        == 400
    )
    qa.post(reverse("api:article-publish", args=[article.pk]), {}, format="json")
    article.refresh_from_db()
    assert article.version == 2
    assert list(ArticleRevision.objects.filter(article=article).values_list("version", "body")) == [
        (2, "步驟一\n步驟二"),
        (1, "步驟一"),
    ]


def test_RES_2_markdown_is_rendered_safely(client, personas):
    article = published(
        personas, "安全測試", "# 標題\n\n<script>alert(1)</script>\n\n[連結](javascript:alert(1)) **粗體**"
    )
    client.force_login(personas["hr"])
    body = client.get(article.get_absolute_url()).content.decode()
    assert "<h1>標題</h1>" in body and "<strong>粗體</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert 'href="javascript' not in body


def test_RES_2_staff_rate_and_comment_but_clients_never_see_knowledge(client, personas):
    article = published(personas, "接地電阻量測", "方法")
    client.force_login(personas["hr"])
    assert client.post(reverse("resources:article_rate", args=[article.pk]), {"stars": 4}).status_code == 302
    assert client.post(reverse("resources:article_rate", args=[article.pk]), {"stars": 5}).status_code == 302
    assert list(ArticleRating.objects.values_list("user", "stars")) == [(personas["hr"].pk, 5)]
    assert (
        api(personas["hr"])
        .post(reverse("api:article-rate", args=[article.pk]), {"stars": 9}, format="json")
        .status_code
        == 400
    )
    client.force_login(personas["client_a"])
    assert client.get(article.get_absolute_url()).status_code in (403, 404)
    assert api(personas["client_a"]).get(reverse("api:article-search"), {"q": "接地"}).status_code == 403


def test_RES_2_a_case_study_is_written_from_a_closed_engagement_prefilled(client, personas):
    project = project_for(personas)
    engagement = project.engagement
    Engagement.objects.filter(pk=engagement.pk).update(
        stage=Engagement.Stage.CLOSED, closed_at=timezone.now()
    )
    new_document(personas)
    client.force_login(personas["lead"])
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert reverse("resources:case_study", args=[engagement.pk]) in page
    form = client.get(reverse("resources:case_study", args=[engagement.pk])).content.decode()
    assert engagement.title in form and project.code in form and "系統測試報告0" in form
    draft = services.case_study_draft(engagement)
    response = client.post(
        reverse("resources:case_study", args=[engagement.pk]), {**draft, "kind": "case_study"}
    )
    assert response.status_code == 302
    article = Article.objects.get(engagement=engagement)
    assert article.kind == Article.Kind.CASE_STUDY and article.state == Article.State.DRAFT


def test_RES_2_intake_suggests_similar_past_engagements_and_articles(client, personas):
    published(personas, "機房弱電施工要點", "接地與線槽", tags="弱電")
    project = project_for(personas)
    Engagement.objects.filter(pk=project.engagement_id).update(
        stage=Engagement.Stage.CLOSED, title="總部機房弱電改造"
    )
    new = Engagement.objects.create(
        code="OS-R-00001", title="分公司機房弱電", client=project.engagement.client, channel="phone"
    )
    client.force_login(personas["admin"])
    page = client.get(new.get_absolute_url()).content.decode()
    assert "knowledge-suggestions" in page
    assert "機房弱電施工要點" in page and "總部機房弱電改造" in page


# --- RES-3 equipment ----------------------------------------------------------------------------


def test_RES_3_equipment_goes_through_its_whole_lifecycle(personas):
    tech, boss, keeper = api(personas["technician"]), api(personas["management"]), api(personas["archive"])
    response = tech.post(
        reverse("api:equipment-list"),
        {
            "name": "光纖熔接機",
            "category": "tool",
            "purpose": "光纖工程",
            "estimated_price": "90000",
            "daily_rate": "500",
            "maintenance_interval_days": 180,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]

    def step(client, name, data=None, expect=200):
        response = client.post(reverse(f"api:equipment-{name}", args=[pk]), data or {}, format="json")
        assert response.status_code == expect, (name, response.json())
        return response

    def state():
        return Equipment.objects.get(pk=pk).state

    step(keeper, "approve-purchase", expect=403)
    step(boss, "approve-purchase")
    step(keeper, "order", {"supplier": "光通科技", "price": "88000"})
    step(keeper, "arrive")
    step(keeper, "fail-inspection", {"comment": "外殼破損，退回"})
    assert state() == EquipmentState.ORDERED
    step(keeper, "arrive")
    step(keeper, "accept", {"note": "外觀、功能、配件清點皆合格"})
    assert state() == EquipmentState.IN_STOCK
    item = Equipment.objects.get(pk=pk)
    assert item.next_maintenance_on == timezone.localdate() + timedelta(days=180)

    project = project_for(personas)
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    step(
        keeper, "check-out", {"person": personas["technician"].pk, "project": project.pk, "due_back_on": due}
    )
    assert state() == EquipmentState.CHECKED_OUT
    assert any("to return" in str(w.kind) for w in work_for(personas["technician"]))
    # A checked-out item cannot be scrapped (nor checked out twice).
    step(keeper, "request-scrap", {"comment": "老舊"}, expect=409)
    step(keeper, "check-out", {"person": personas["lead"].pk, "due_back_on": due}, expect=409)
    step(keeper, "return-item", {"condition_note": "正常"})
    step(keeper, "start-maintenance")
    step(
        keeper,
        "maintenance",
        {"kind": "maintenance", "description": "清潔電極、校正熔接參數", "cost": "1500"},
    )
    assert state() == EquipmentState.IN_STOCK
    step(keeper, "maintenance", {"kind": "evaluation", "description": "年度評估"}, expect=400)
    step(
        keeper,
        "maintenance",
        {"kind": "evaluation", "description": "年度評估：效能不足", "verdict": "replace"},
    )
    step(keeper, "request-scrap", {"comment": "評估建議汰換"})
    step(keeper, "approve-scrap", {"comment": "同意"}, expect=403)
    step(boss, "approve-scrap", {"comment": "同意報廢"})
    assert state() == EquipmentState.SCRAPPED
    assert Checkout.objects.filter(equipment_id=pk, returned_on__isnull=False).count() == 1
    assert MaintenanceRecord.objects.filter(equipment_id=pk).count() == 2


def in_stock(personas, name="數位萬用電表", rate="200"):
    item = services.request_equipment(
        actor=personas["technician"], name=name, category="instrument", purpose="量測",
        estimated_price=Decimal("8000"), daily_rate=Decimal(rate),
    )  # fmt: skip
    Equipment.objects.filter(pk=item.pk).update(state=EquipmentState.IN_STOCK)
    item.refresh_from_db()
    return item


def test_RES_3_equipment_cost_of_a_project_uses_the_rate_at_checkout(personas):
    project = project_for(personas)
    item = in_stock(personas, rate="200")
    services.check_out(
        item,
        actor=personas["archive"],
        person=personas["technician"],
        project=project,
        due_back_on=timezone.localdate(),
    )
    Checkout.objects.filter(equipment=item).update(
        checked_out_on=date(2026, 3, 1), returned_on=date(2026, 3, 10)
    )
    Equipment.objects.filter(pk=item.pk).update(daily_rate=Decimal("999"))  # a later rate changes nothing
    assert selectors.equipment_cost(project, date(2026, 3, 1), date(2026, 3, 31)) == Decimal("2000.00")
    assert selectors.equipment_cost(project, date(2026, 3, 5), date(2026, 3, 6)) == Decimal("400.00")
    assert selectors.equipment_cost(project, date(2026, 4, 1), date(2026, 4, 30)) == Decimal("0.00")
    response = api(personas["management"]).get(
        reverse("api:equipment-cost"), {"project": project.pk, "start": "2026-03-01", "end": "2026-03-31"}
    )
    assert response.json()["amount"] == "2000.00"
    share = selectors.utilization([item], date(2026, 3, 1), date(2026, 3, 20))[item.pk]
    assert share == pytest.approx(0.5)


def test_RES_3_expiry_reminders_reach_the_keepers(personas):
    from onestop.notifications.models import Notification

    item = in_stock(personas)
    Equipment.objects.filter(pk=item.pk).update(calibration_due_on=timezone.localdate() + timedelta(days=7))
    assert services.remind_equipment() == 1
    assert Notification.objects.filter(recipient=personas["archive"], title__contains=item.code).exists()
    assert any("Calibration due" in str(w.kind) for w in work_for(personas["archive"]))


def test_RES_3_clients_never_see_equipment(client, personas):
    item = in_stock(personas)
    client.force_login(personas["client_a"])
    assert client.get(item.get_absolute_url()).status_code in (403, 404)
    assert api(personas["client_a"]).get(reverse("api:equipment-list")).status_code == 403


def test_RES_2_a_returned_article_goes_back_to_its_author_and_a_published_one_can_be_archived(personas):
    article = services.write_article(
        actor=personas["technician"], kind="article", title="備份策略", body="3-2-1 原則"
    )
    tech, qa = api(personas["technician"]), api(personas["quality"])
    tech.post(reverse("api:article-submit", args=[article.pk]), {}, format="json")
    response = qa.post(
        reverse("api:article-return-article", args=[article.pk]), {"comment": "請補充異地備份"}, format="json"
    )
    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).state == Article.State.RETURNED
    tech.post(reverse("api:article-submit", args=[article.pk]), {}, format="json")
    qa.post(reverse("api:article-publish", args=[article.pk]), {}, format="json")
    assert (
        tech.post(
            reverse("api:article-archive", args=[article.pk]), {"comment": "過時"}, format="json"
        ).status_code
        == 403
    )
    assert (
        qa.post(
            reverse("api:article-archive", args=[article.pk]), {"comment": "已被新版取代"}, format="json"
        ).status_code
        == 200
    )
    assert Article.objects.get(pk=article.pk).state == Article.State.ARCHIVED


def test_RES_3_management_rejects_a_purchase_and_may_keep_an_item_in_service(personas):
    boss, keeper = api(personas["management"]), api(personas["archive"])
    requested = services.request_equipment(
        actor=personas["technician"], name="紅外線測溫槍", category="instrument", purpose="巡檢",
        estimated_price=Decimal("3000"), daily_rate=Decimal("20"),
    )  # fmt: skip
    url = reverse("api:equipment-reject-purchase", args=[requested.pk])
    assert boss.post(url, {"comment": ""}, format="json").status_code == 400
    assert boss.post(url, {"comment": "現有設備足夠"}, format="json").status_code == 200
    assert Equipment.objects.get(pk=requested.pk).state == EquipmentState.REJECTED
    item = in_stock(personas)
    keeper.post(reverse("api:equipment-request-scrap", args=[item.pk]), {"comment": "老舊"}, format="json")
    response = boss.post(
        reverse("api:equipment-refuse-scrap", args=[item.pk]), {"comment": "仍堪用，繼續使用"}, format="json"
    )
    assert response.status_code == 200
    assert Equipment.objects.get(pk=item.pk).state == EquipmentState.IN_STOCK


def test_RES_2_a_knowledge_sharing_event_is_a_course_built_on_published_articles_with_attendance(
    client, personas
):
    from onestop.people.models import Course, Enrolment, TrainingSession

    article = published(personas, "PLC 故障排查案例", "現場排查步驟")
    draft = services.write_article(actor=personas["technician"], kind="article", title="草稿", body="未審")
    hr = api(personas["hr"])
    body = {"title": "每月技術分享會：PLC 排障", "kind": "sharing", "hours": "2", "articles": [draft.pk]}
    assert hr.post(reverse("api:course-list"), body, format="json").status_code == 400  # not published
    response = hr.post(reverse("api:course-list"), {**body, "articles": [article.pk]}, format="json")
    assert response.status_code == 201, response.json()
    course = Course.objects.get(pk=response.json()["id"])
    assert list(course.articles.all()) == [article]
    session = TrainingSession.objects.create(
        course=course,
        starts_on=date(2026, 12, 10),
        ends_on=date(2026, 12, 10),
        trainer="技術員甲",
        capacity=30,
    )
    enrolment = Enrolment.objects.create(session=session, employee=personas["technician"], state="enrolled")
    response = hr.post(reverse("api:enrolment-record", args=[enrolment.pk]), {"passed": True}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "completed"  # attended
    client.force_login(personas["technician"])
    assert course.title in client.get(article.get_absolute_url()).content.decode()
    client.force_login(personas["hr"])
    assert article.title in client.get(reverse("people:course_detail", args=[course.pk])).content.decode()
