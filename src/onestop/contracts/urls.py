from django.urls import path

from onestop.contracts import views

app_name = "contracts"

urlpatterns = [
    *views.SigningAuthorizationViews.urls(),
    *views.ContractTemplateViews.urls(),
    path(
        "contracttemplates/<int:pk>/new-version/",
        views.template_new_version,
        name="contracttemplate_new_version",
    ),
    *views.ContractViews.urls(),
    *views.PaymentInstalmentViews.urls(),
    path("contracts/<int:pk>/submit/", views.contract_submit, name="contract_submit"),
    path("contracts/<int:pk>/legal-review/", views.contract_legal_review, name="contract_legal_review"),
    path(
        "contracts/<int:pk>/business-review/", views.contract_business_review, name="contract_business_review"
    ),
    path("contracts/<int:pk>/justify/", views.contract_justify, name="contract_justify"),
    path("contracts/<int:pk>/revise/", views.contract_revise, name="contract_revise"),
    path("contracts/<int:pk>/archive/", views.contract_archive, name="contract_archive"),
    path("contracts/<int:pk>/distribute/", views.contract_distribute, name="contract_distribute"),
    path("contract-copies/<int:pk>/acknowledge/", views.copy_acknowledge, name="contractcopy_acknowledge"),
]
