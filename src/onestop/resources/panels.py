"""What the resources app adds to other pages (core/panels.py): the project's documents
(RES-1), "write a case study" on a closed engagement and knowledge suggestions at intake and
plan drafting (RES-2). Each provider is a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q

from onestop.core import fulltext
from onestop.engagements.models import Engagement
from onestop.engagements.states import EngagementStage
from onestop.resources.models import Article, TechnicalDocument

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
