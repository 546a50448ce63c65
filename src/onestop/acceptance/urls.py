app_name = "acceptance"

urlpatterns = []
