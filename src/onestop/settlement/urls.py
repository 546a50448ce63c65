from django.urls import path

from onestop.settlement import views

app_name = "settlement"

urlpatterns = [
    *views.SettlementViews.urls(),
    *views.SettlementItemViews.urls(),
    *views.PaymentViews.urls(),
    *views.WriteOffViews.urls(),
    path("receivables/contracts/<int:pk>/", views.contract_balance, name="contract_balance"),
    path("receivables/ageing/", views.ageing, name="ageing"),
    path("ledger/", views.ledger, name="ledger"),
]
