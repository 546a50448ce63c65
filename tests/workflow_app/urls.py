from tests.workflow_app.views import TicketViews

app_name = "workflow_app"

urlpatterns = TicketViews.urls()
