"""Routes of the shared, record-bound pages (transitions, signatures, attachments, comments)."""

from django.urls import path

from onestop.core import (
    letterhead,
    saved_filters,
    views_documents,
    views_records,
    views_security,
    views_workflow,
)

app_name = "core"

urlpatterns = [
    path(
        "records/<str:model>/<int:pk>/transition/<str:name>/",
        views_workflow.transition,
        name="transition",
    ),
    path(
        "records/<str:model>/<int:pk>/forms/<str:code>/pdf/",
        views_documents.document_pdf,
        name="document_pdf",
    ),
    path(
        "records/<str:model>/<int:pk>/forms/<str:code>/sign/",
        views_documents.sign_document,
        name="document_sign",
    ),
    path("system/letterhead/", letterhead.letterhead_edit, name="letterhead"),
    path("audit/chain/", views_documents.audit_chain, name="audit_chain"),
    path("security/events/", views_security.security_events, name="security_events"),
    path("signatures/<int:pk>/verify/", views_documents.signature_verify, name="signature_verify"),
    path("records/<str:model>/<int:pk>/attachments/", views_records.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/download/", views_records.attachment_download, name="attachment_download"),
    path("exports/<int:pk>/", views_records.prepared_export, name="prepared_export"),
    path("records/<str:model>/<int:pk>/comments/", views_records.comment_add, name="comment_add"),
    path("lists/<str:list_key>/saved-filters/", saved_filters.save_view, name="saved_filter_save"),
    path("saved-filters/<int:pk>/delete/", saved_filters.delete_view, name="saved_filter_delete"),
]
