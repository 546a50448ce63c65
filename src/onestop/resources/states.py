"""The states of technical documents, their versions, knowledge articles and equipment (RES-1..3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentState(models.TextChoices):
    """The retention life of a document (its versions have their own review states)."""

    KEPT = "kept", _("Kept")
    DISPOSAL_REQUESTED = "disposal_requested", _("Disposal requested, awaiting approval")
    DISPOSED = "disposed", _("Disposed")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    REVIEWED = "reviewed", _("Reviewed, awaiting approval")
    RETURNED = "returned", _("Returned to the author")
    APPROVED = "approved", _("Approved")


class ArticleState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned to the author")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class EquipmentState(models.TextChoices):
    REQUESTED = "requested", _("Purchase requested")
    APPROVED = "approved", _("Purchase approved")
    REJECTED = "rejected", _("Purchase rejected")
    ORDERED = "ordered", _("Ordered")
    INSPECTION = "inspection", _("Arrived, awaiting acceptance inspection")
    IN_STOCK = "in_stock", _("In stock")
    CHECKED_OUT = "checked_out", _("Checked out")
    MAINTENANCE = "maintenance", _("In maintenance")
    SCRAP_REQUESTED = "scrap_requested", _("Scrapping requested")
    SCRAPPED = "scrapped", _("Scrapped")


VERSION_EDITABLE = (VersionState.DRAFT, VersionState.RETURNED)
ARTICLE_EDITABLE = (ArticleState.DRAFT, ArticleState.RETURNED, ArticleState.PUBLISHED)
# An item the company owns and can lend, maintain, evaluate or scrap.
EQUIPMENT_OWNED = (
    EquipmentState.IN_STOCK,
    EquipmentState.CHECKED_OUT,
    EquipmentState.MAINTENANCE,
    EquipmentState.SCRAP_REQUESTED,
)
EQUIPMENT_PROCUREMENT = (
    EquipmentState.REQUESTED,
    EquipmentState.APPROVED,
    EquipmentState.ORDERED,
    EquipmentState.INSPECTION,
)
