from django.urls import path

from onestop.risks import views

app_name = "risks"

pages = [
    *views.RiskViews.urls(),
    *views.ResponseActionViews.urls(),
    *views.IdentificationSessionViews.urls(),
    path(
        "questionnaireanswers/<int:pk>/to-risk/",
        views.answer_to_risk.view,
        name="questionnaireanswer_to_risk",
    ),
    *views.RiskCategoryViews.urls(),
    *views.IndicatorViews.urls(),
    *views.EmergencyPlanViews.urls(),
    *views.WarningViews.urls(),
    *views.EmergencyActivationViews.urls(),
    path("planreviews/<int:pk>/raise-risk/", views.raise_from_review.view, name="planreview_raise_risk"),
    path("heat-map/", views.heatmap_page, name="heatmap"),
    path("matrix/", views.matrix_page, name="matrix"),
    path("projects/<int:pk>/", views.project_risks, name="project_risks"),
    path("levels.css", views.levels_css, name="levels_css"),
]

# Every page lives under /risks/; the patterns stay flat in the namespace (one level).
urlpatterns = [path(f"risks/{page.pattern._route}", page.callback, name=page.name) for page in pages]
