"""The application's URLs plus those of the test-only app (tests/workflow_app)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from onestop.urls import handler400, handler403, handler404, handler500
from onestop.urls import urlpatterns as app_urlpatterns
from tests.workflow_app.api import TicketViewSet

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

router = DefaultRouter()
router.register("tickets", TicketViewSet)

urlpatterns = [
    path("test-app/", include("tests.workflow_app.urls")),
    path("test-api/", include((router.urls, "workflow_api"))),
    *app_urlpatterns,
]
