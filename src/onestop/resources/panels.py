"""What the resources app adds to other pages (core/panels.py): the project's documents
(RES-1), the delivered document set on an acceptance round (ACC-2), the documents a quality
inspection checked (QA-2), "write a case study" on a closed engagement and knowledge suggestions
at intake and plan drafting (RES-2). Each provider is a fixed number of queries."""

from __future__ import annotations

from django.db.models import F, Q

from onestop.core import fulltext
from onestop.core.forms import bootstrapify
from onestop.engagements.models import Engagement
from onestop.engagements.states import EngagementStage
from onestop.resources import services
from onestop.resources.models import Article, DocumentCheck, DocumentVersion, TechnicalDocument
from onestop.resources.states import DocumentState
from onestop.resources.views import CHECK_DOCUMENT

SUGGESTIONS = 5


def project(project, user) -> list[dict]:
    if user.client_organization_id is not None or not user.has_perm("resources.view_technicaldocument"):
        return []
    documents = list(
        TechnicalDocument.objects.visible_to(user)
        .filter(project=project)
        .select_related("doc_type", "delivered_version")
        .order_by("doc_type__name", "code")[:100]
    )
    return [
        {
            "template": "resources/_project_documents.html",
            "documents": documents,
            "project": project,
            "can_add": user.has_perm("resources.add_technicaldocument"),
        }
    ]


def acceptance_round(acceptance_round, user) -> list[dict]:
    """The project's delivered document set (ACC-2), for staff and for the client's users alike:
    the delivered version of each kept document the user may see (``DocumentVersion.visible_to``
    — for a client, only its own organisation's delivered versions), with its file."""
    if not user.has_perm("resources.view_documentversion"):
        return []
    versions = list(
        DocumentVersion.objects.visible_to(user)
        .filter(document__project_id=acceptance_round.project_id, pk=F("document__delivered_version_id"))
        .exclude(document__state=DocumentState.DISPOSED)
        .select_related("document__doc_type", "document__delivered_by", "file")
        .order_by("document__doc_type__name", "document__code")[:100]
    )
    return [
        {
            "template": "resources/_delivered_documents.html",
            "versions": versions,
            "is_staff_view": user.client_organization_id is None,
        }
    ]


def inspection(inspection, user) -> list[dict]:
    """The documents (and versions) the inspection checked for its "technical documents are
    complete and accurate" item, and the form to link one while the inspection is open."""
    if user.client_organization_id is not None or not user.has_perm("resources.view_documentcheck"):
        return []
    item = services.documents_item(inspection)
    if item is None:
        return []
    checks = list(
        DocumentCheck.objects.visible_to(user)
        .filter(item=item)
        .select_related("version__document__doc_type", "version__file", "checked_by")
        .order_by("version__document__code", "-version__number")
    )
    may_link = user.has_perm("resources.add_documentcheck", DocumentCheck(item=item))
    form = None
    if may_link:
        form = bootstrapify(CHECK_DOCUMENT.make_form(inspection, user))
    return [
        {
            "template": "resources/_checked_documents.html",
            "inspection": inspection,
            "item": item,
            "checks": checks,
            "form": form,
            "may_remove": may_link,
        }
    ]


def _suggestions(text: str, user, exclude_engagement=None) -> dict:
    articles = list(
        fulltext.search(
            Article.objects.visible_to(user).filter(state=Article.State.PUBLISHED), text, any_word=True
        )[:SUGGESTIONS]
    )
    words = [token for token in fulltext.query_tokens(text) if len(token) >= 2][:8]
    engagements = []
    if words:
        condition = Q()
        for word in words:
            condition |= Q(title__icontains=word)
        engagements = list(
            Engagement.objects.visible_to(user)
            .filter(condition, stage=EngagementStage.CLOSED)
            .exclude(pk=getattr(exclude_engagement, "pk", None))
            .select_related("client")
            .order_by("-closed_at")[:SUGGESTIONS]
        )
    return {"articles": articles, "engagements": engagements}


def engagement(engagement, user) -> list[dict]:
    if user.client_organization_id is not None or not user.has_perm("resources.view_article"):
        return []
    result = []
    if engagement.stage == EngagementStage.CLOSED and user.has_perm("resources.add_article"):
        result.append({"template": "resources/_case_study_button.html", "engagement": engagement})
    if engagement.stage in (
        EngagementStage.INQUIRY,
        EngagementStage.ASSESSMENT,
        EngagementStage.CONFIRMATION,
    ):
        text = " ".join(
            [engagement.title, engagement.service_goals[:300], engagement.technical_requirements[:300]]
        )
        found = _suggestions(text, user, exclude_engagement=engagement)
        if found["articles"] or found["engagements"]:
            result.append({"template": "resources/_suggestions.html", **found})
    return result


def plan(plan, user) -> list[dict]:
    if user.client_organization_id is not None or not user.has_perm("resources.view_article"):
        return []
    engagement = plan.engagement
    text = " ".join(
        [engagement.title, engagement.service_goals[:300], engagement.technical_requirements[:300]]
    )
    found = _suggestions(text, user, exclude_engagement=engagement)
    if not (found["articles"] or found["engagements"]):
        return []
    return [{"template": "resources/_suggestions.html", **found}]
