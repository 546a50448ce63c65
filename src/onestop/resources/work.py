"""What the resources app asks of each user on "My work" (a fixed number of queries).

Reviewers and approvers: document versions waiting for them; authors: returned versions.
The archive room: documents whose retention ran out; management: disposals and purchases to
approve, scrapping to approve. Keepers: items to order, inspect, returns overdue, maintenance,
calibration, warranty and licence dates within 30 days. Holders: items to return.
Reviewers of knowledge (quality): articles to review.
"""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.work import WorkItem, register
from onestop.resources import rules as r
from onestop.resources.models import Article, Checkout, DocumentVersion, Equipment, TechnicalDocument
from onestop.resources.states import EquipmentState, VersionState

LIMIT = 50
SOON_DAYS = 30


def _at(day):
    """The end of ``day`` (a date), as the aware time "My work" sorts by."""
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


@register
def resources_waiting(user):
    if user.client_organization_id is not None:
        return []
    items = []
    today = timezone.localdate()
    versions = (
        DocumentVersion.objects.filter(
            Q(reviewer=user, state=VersionState.IN_REVIEW)
            | Q(approver=user, state=VersionState.REVIEWED)
            | Q(author=user, state=VersionState.RETURNED)
        )
        .select_related("document")
        .order_by("submitted_at")[:LIMIT]
    )
    kinds = {
        VersionState.IN_REVIEW: _("Document to review"),
        VersionState.REVIEWED: _("Document to approve"),
        VersionState.RETURNED: _("Document returned to you"),
    }
    for version in versions:
        items.append(
            WorkItem(
                title=str(version),
                url=version.get_absolute_url(),
                kind=kinds[version.state],
                since=version.submitted_at or version.created_at,
                icon="file-earmark-check",
            )
        )
    if r.can_request_disposal(user):
        for document in TechnicalDocument.objects.filter(
            state=TechnicalDocument.State.KEPT, retention_until__lte=today
        ).order_by("retention_until")[:LIMIT]:
            items.append(
                WorkItem(
                    title=str(document),
                    url=document.get_absolute_url(),
                    kind=_("Retention expired: request disposal or keep"),
                    since=document.disposal_reminded_at,
                    icon="hourglass-bottom",
                )
            )
    if r.can_approve_disposal(user):
        for document in TechnicalDocument.objects.filter(state=TechnicalDocument.State.DISPOSAL_REQUESTED)[
            :LIMIT
        ]:
            items.append(
                WorkItem(
                    title=str(document),
                    url=document.get_absolute_url(),
                    kind=_("Disposal to approve"),
                    since=document.disposal_requested_at,
                    icon="trash",
                )
            )
    if r.can_review_article(user):
        for article in Article.objects.filter(state=Article.State.IN_REVIEW).exclude(author=user)[:LIMIT]:
            items.append(
                WorkItem(
                    title=str(article),
                    url=article.get_absolute_url(),
                    kind=_("Knowledge article to review"),
                    since=article.updated_at,
                    icon="journal-check",
                )
            )
    if r.can_approve_equipment(user):
        for item in Equipment.objects.filter(
            state__in=(EquipmentState.REQUESTED, EquipmentState.SCRAP_REQUESTED)
        )[:LIMIT]:
            items.append(
                WorkItem(
                    title=str(item),
                    url=item.get_absolute_url(),
                    kind=_("Purchase to approve")
                    if item.state == EquipmentState.REQUESTED
                    else _("Scrapping to approve"),
                    since=item.updated_at,
                    icon="cart-check",
                )
            )
    for checkout in Checkout.objects.filter(person=user, returned_on__isnull=True).select_related(
        "equipment"
    )[:LIMIT]:
        items.append(
            WorkItem(
                title=str(checkout.equipment),
                url=checkout.get_absolute_url(),
                kind=_("Equipment to return"),
                due=_at(checkout.due_back_on),
                overdue=checkout.due_back_on < today,
                icon="box-arrow-in-left",
            )
        )
    if r.is_keeper(user):
        for item in Equipment.objects.filter(state__in=(EquipmentState.APPROVED, EquipmentState.INSPECTION))[
            :LIMIT
        ]:
            items.append(
                WorkItem(
                    title=str(item),
                    url=item.get_absolute_url(),
                    kind=_("Purchase to order")
                    if item.state == EquipmentState.APPROVED
                    else _("Acceptance inspection to do"),
                    since=item.updated_at,
                    icon="box-seam",
                )
            )
        for checkout in Checkout.objects.filter(
            returned_on__isnull=True, due_back_on__lt=today
        ).select_related("equipment", "person")[:LIMIT]:
            items.append(
                WorkItem(
                    title=f"{checkout.equipment} · {checkout.person}",
                    url=checkout.get_absolute_url(),
                    kind=_("Return overdue"),
                    due=_at(checkout.due_back_on),
                    overdue=True,
                    icon="alarm",
                )
            )
        soon = today + timedelta(days=SOON_DAYS)
        owned = (EquipmentState.IN_STOCK, EquipmentState.CHECKED_OUT, EquipmentState.MAINTENANCE)
        dates = (
            ("next_maintenance_on", _("Maintenance due")),
            ("calibration_due_on", _("Calibration due")),
            ("warranty_until", _("Warranty ends")),
            ("licence_until", _("Licence expires")),
        )
        condition = Q()
        for field, _label in dates:
            condition |= Q(**{f"{field}__lte": soon})
        for item in Equipment.objects.filter(condition, state__in=owned).order_by("code")[:LIMIT]:
            for field, label in dates:
                day = getattr(item, field)
                if day is not None and day <= soon:
                    items.append(
                        WorkItem(
                            title=str(item),
                            url=item.get_absolute_url(),
                            kind=label,
                            due=_at(day),
                            overdue=day < today,
                            icon="wrench",
                        )
                    )
    return items
