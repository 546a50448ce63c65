from django.urls import path

from onestop.quality import views

app_name = "quality"

pages = [
    *views.QCTemplateViews.urls(),
    path("qctemplates/<int:pk>/new-version/", views.template_new_version, name="qctemplate_new_version"),
    *views.QCTemplateCheckpointViews.urls(),
    *views.QCPlanViews.urls(),
    path("qcplans/<int:pk>/activate/", views.plan_activate, name="qcplan_activate"),
    path("qcplans/<int:pk>/revise/", views.plan_revise, name="qcplan_revise"),
    *views.QCCheckpointViews.urls(),
    *views.InspectionViews.urls(),
    path("inspections/<int:pk>/start/", views.inspection_start, name="inspection_start"),
    path("inspections/<int:pk>/complete/", views.inspection_complete, name="inspection_complete"),
    *views.InspectionItemViews.urls(),
    path("inspectionitems/<int:pk>/record/", views.item_record, name="inspectionitem_record"),
    *views.SpotCheckDrawViews.urls(),
    *views.RectificationNoticeViews.urls(),
    path("rectificationnotices/<int:pk>/respond/", views.notice_respond, name="rectificationnotice_respond"),
    path("rectificationnotices/<int:pk>/verify/", views.notice_verify, name="rectificationnotice_verify"),
    *views.ImprovementActionViews.urls(),
    path("improvementactions/<int:pk>/done/", views.action_done, name="improvementaction_done"),
    path("improvementactions/<int:pk>/check/", views.action_check, name="improvementaction_check"),
    path("export.xlsx", views.analysis_export, name="analysis_export"),
]

# Every page lives under /quality/; the patterns stay flat in the namespace (one level).
urlpatterns = [
    path("quality/", views.analysis, name="analysis"),
    *[path(f"quality/{page.pattern._route}", page.callback, name=page.name) for page in pages],
]
