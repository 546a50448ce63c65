"""Pages of the webhooks (System → Webhooks): thin views over webhooks.services."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from onestop.core.actions import RecordAction, calls, record_action, visible_record
from onestop.core.pagination import CappedPaginator
from onestop.core.views import Column, ObjectViews
from onestop.webhooks import filters, forms, services
from onestop.webhooks.models import Delivery, Endpoint

RECENT = 10


def _may_change(endpoint, user) -> bool:
    return user.has_perm("webhooks.change_endpoint", endpoint)


class EndpointViews(ObjectViews):
    model = Endpoint
    filterset_class = filters.EndpointFilterSet
    form_class = forms.EndpointForm
    icon = "broadcast"
    detail_template = "webhooks/endpoint_detail.html"
    columns = [
        Column("name", link=True),
        Column("url"),
        Column("events_label", label=_("Events"), sort=False),
        Column("active"),
        Column("updated_at"),
    ]
    detail_fields = ["name", "url", "events_label", "active", "description", "created_at", "updated_at"]
    default_sort = "name"
    actions = [
        RecordAction(
            "send-test",
            calls(services.send_test),
            when=_may_change,
            success=_("A test event was queued; its outcome appears in the delivery log."),
            anchor="#deliveries",
        ),
        RecordAction(
            "rotate-secret",
            calls(services.rotate_secret),
            when=_may_change,
            success=_(
                "The endpoint has a new secret. Give it to the receiver: the old one no longer verifies."
            ),
            anchor="#secret",
        ),
    ]

    @classmethod
    def detail_context(cls, request, obj, bound_forms) -> dict:
        deliveries = list(obj.deliveries.order_by("-created_at", "-pk")[:RECENT])
        return {"deliveries": deliveries, "Status": Delivery.Status}


redeliver = record_action(
    Delivery,
    "redeliver",
    calls(services.redeliver),
    page=lambda delivery: delivery.endpoint,
    redirect=lambda delivery, copy: delivery.endpoint.deliveries_url(),
    success=_("The event was queued again as a new delivery."),
)


def delivery_log(request, pk):
    """Every delivery of one endpoint, newest first: status, attempts, last answer, next try."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    endpoint = visible_record(request, Endpoint, pk)
    rows = endpoint.deliveries.order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status in Delivery.Status.values:
        rows = rows.filter(status=status)
    page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "object": endpoint,
        "page": page,
        "status": status,
        "statuses": Delivery.Status.choices,
        "Status": Delivery.Status,
        "opts": Endpoint._meta,
    }
    return render(request, "webhooks/delivery_log.html", context)
