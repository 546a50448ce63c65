from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from onestop.plans.models import ReviewCriteriaSet


@admin.register(ReviewCriteriaSet)
class ReviewCriteriaSetAdmin(SimpleHistoryAdmin):
    """PLN-2: the criteria, weights, scale and decision rule, versioned (the active one applies)."""

    list_display = [
        "name",
        "version",
        "is_active",
        "scale_min",
        "scale_max",
        "pass_mean",
        "min_criterion_mean",
    ]
    list_filter = ["is_active"]
