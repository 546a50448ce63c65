from django.urls import path

from onestop.settlement import views

app_name = "settlement"

urlpatterns = [
    *views.SettlementViews.urls(),
    *views.SettlementItemViews.urls(),
    *views.PaymentViews.urls(),
    *views.WriteOffViews.urls(),
    path("settlements/<int:pk>/invoice/", views.settlement_invoice, name="settlement_invoice"),
    path("settlements/<int:pk>/submit/", views.settlement_submit, name="settlement_submit"),
    path("settlements/<int:pk>/return/", views.settlement_return, name="settlement_return"),
    path("settlements/<int:pk>/approve/", views.settlement_approve, name="settlement_approve"),
    path("receivables/contracts/<int:pk>/", views.contract_balance, name="contract_balance"),
    path("receivables/ageing/", views.ageing, name="ageing"),
    path("ledger/", views.ledger, name="ledger"),
]
