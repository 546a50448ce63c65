from django.urls import path

from onestop.supervision import views

app_name = "supervision"

pages = [
    *views.CheckRunViews.urls(),
    *views.FindingViews.urls(),
    *views.AuditSampleViews.urls(),
    *views.AuditSampleItemViews.urls(),
    *views.SanctionViews.urls(),
]

# Every page lives under /supervision/; the patterns stay flat in the namespace (one level).
urlpatterns = [path(f"supervision/{page.pattern._route}", page.callback, name=page.name) for page in pages]
