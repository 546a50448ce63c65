from django.urls import path

from onestop.resources import views

app_name = "resources"

urlpatterns = [
    *views.DocumentTypeViews.urls(),
    path("documenttypes/<int:pk>/template/", views.skeleton_download, name="documenttype_skeleton"),
    *views.TechnicalDocumentViews.urls(),
    *views.version_urls(),
    path("knowledge/search/", views.knowledge_search, name="knowledge_search"),
    path("knowledge/case-study/<int:engagement>/", views.case_study, name="case_study"),
    *views.ArticleViews.urls(),
    *views.EquipmentViews.urls(),
]
