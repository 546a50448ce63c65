from django.urls import path

from onestop.quality import views

app_name = "quality"

pages = [
    *views.QCTemplateViews.urls(),
    *views.QCTemplateCheckpointViews.urls(),
    *views.QCPlanViews.urls(),
    *views.QCCheckpointViews.urls(),
    *views.InspectionViews.urls(),
    *views.InspectionItemViews.urls(),
    path("inspectionitems/<int:pk>/record/", views.record_item.view, name="inspectionitem_record"),
    *views.SpotCheckDrawViews.urls(),
    *views.RectificationNoticeViews.urls(),
    *views.ImprovementActionViews.urls(),
    path("export.xlsx", views.analysis_export, name="analysis_export"),
]

# Every page lives under /quality/; the patterns stay flat in the namespace (one level).
urlpatterns = [
    path("quality/", views.analysis, name="analysis"),
    *[path(f"quality/{page.pattern._route}", page.callback, name=page.name) for page in pages],
]
