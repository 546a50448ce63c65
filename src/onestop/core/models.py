"""Shared model building blocks: record-level scoping and URL conventions."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from rules.contrib.models import RulesModelBase, RulesModelMixin


class ScopedQuerySet(models.QuerySet):
    """The one place that answers "which rows may this user see?".

    Every list, detail page, API endpoint and export starts from
    ``Model.objects.visible_to(user)``. Subclasses say what a non-superuser sees
    in ``scope_for``; the default is nothing, so a model that forgets to say is
    closed rather than open.
    """

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.scope_for(user)

    def scope_for(self, user):
        return self.none()


class BusinessModel(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """Base for records users work with: permission rules, URLs, timestamps."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(self.url_name("detail"), args=[self.pk])

    @classmethod
    def url_name(cls, action: str) -> str:
        return f"{cls._meta.app_label}:{cls._meta.model_name}_{action}"
