"""Who may see and do what with documents, knowledge and equipment (RES-1..3, X-3).

Documents follow their project's access (Kind.PROJECT in core/access.py); knowledge is for
every member of staff and never for clients; equipment is for staff. A client user sees one
thing of this app: the delivered version of a document of its own organisation's project (the
set its acceptance team receives, ACC-2) and that version's file — ``VersionQuerySet`` and
``can_view_version`` say the same. A quality inspection's link to a document it checked
follows the inspection's checklist rule.
"""

import rules

from onestop.core.predicates import has_role, is_client_user, is_internal, is_system_admin
from onestop.core.roles import Role
from onestop.resources import states

is_management = is_internal & has_role(Role.MANAGEMENT)
is_quality = is_internal & has_role(Role.QUALITY)
is_archive = is_internal & has_role(Role.ARCHIVE)
is_finance = is_internal & has_role(Role.FINANCE)
is_project_lead = is_internal & has_role(Role.PROJECT_LEAD)

# Writing standards (types, templates, checklists, retention) belong to quality.
can_manage_types = is_system_admin | is_quality
# Documents are written by the people doing the work; management, quality and the archive room
# keep the register.
document_writers = is_internal
# Disposal: the archive room (or quality) asks, management approves.
can_request_disposal = is_system_admin | is_archive | is_quality
can_approve_disposal = is_system_admin | is_management
# Equipment: any member of staff asks for a tool; management approves a purchase and a
# scrapping; the archive room (the keeper) procures, inspects, lends, maintains and evaluates.
is_keeper = is_system_admin | is_archive
can_approve_equipment = is_system_admin | is_management


@rules.predicate
def wrote(user, obj=None) -> bool:
    return obj is None or getattr(obj, "author_id", None) == user.pk


@rules.predicate
def reviews(user, version=None) -> bool:
    return version is None or version.reviewer_id == user.pk


@rules.predicate
def approves(user, version=None) -> bool:
    if version is None:
        return True
    return version.approver_id == user.pk


@rules.predicate
def delivered_to_own_client(user, version=None) -> bool:
    """The version is the one delivered of a kept document of the user's organisation's project."""
    if version is None:
        return True
    document = version.document
    return (
        document.delivered_version_id == version.pk
        and document.state != states.DocumentState.DISPOSED
        and document.project.engagement.client_id == user.client_organization_id
    )


@rules.predicate
def answers_the_checked_item(user, check=None) -> bool:
    """The user may answer the checklist item the link hangs on (quality's rule)."""
    return check is None or user.has_perm("quality.change_inspectionitem", check.item)


@rules.predicate
def version_editable(user, version=None) -> bool:
    return version is None or version.state in states.VERSION_EDITABLE


@rules.predicate
def article_editable(user, article=None) -> bool:
    return article is None or article.state in states.ARTICLE_EDITABLE


@rules.predicate
def document_kept(user, document=None) -> bool:
    return document is None or document.state != states.DocumentState.DISPOSED


# Types
can_view_type = is_internal
# Documents
can_view_document = is_internal
can_add_document = document_writers
can_edit_document = (is_internal & wrote & document_kept) | (
    (is_quality | is_archive | is_management) & document_kept
)
can_deliver_document = (is_project_lead | is_management | is_system_admin | wrote) & document_kept
# Versions
can_view_version = is_internal | (is_client_user & delivered_to_own_client)
can_compare_versions = is_internal  # the difference shows the earlier version too
can_submit_version = is_internal & (wrote | is_management) & version_editable
can_review_version = is_internal & reviews
can_approve_version = is_internal & approves
# Knowledge
can_view_article = is_internal
can_write_article = is_internal
can_edit_article = (is_internal & wrote & article_editable) | is_quality | is_system_admin
can_review_article = is_internal & (is_quality | is_management | is_system_admin | reviews)
can_archive_article = is_quality | is_management | is_system_admin
can_rate_article = is_internal
# Equipment
can_view_equipment = is_internal
can_request_equipment = is_internal
can_edit_equipment = is_keeper | can_approve_equipment
# Documents a quality inspection checked (RES-1, QA-2)
can_view_document_check = is_internal
can_link_document_check = is_internal & answers_the_checked_item
