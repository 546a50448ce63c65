from django.urls import path

from onestop.contracts import views

app_name = "contracts"

urlpatterns = [
    *views.SigningAuthorizationViews.urls(),
    *views.ContractTemplateViews.urls(),
    *views.ContractViews.urls(),
    *views.PaymentInstalmentViews.urls(),
    path(
        "contract-copies/<int:pk>/acknowledge/",
        views.acknowledge_copy.view,
        name="contractcopy_acknowledge",
    ),
]
