"""REST API building blocks shared by every app's api.py.

- ``ModelSerializer``: runs the model's ``full_clean`` (DRF does not) and reports
  its errors per field.
- ``ObjectViewSet``: scoping, filtering and audited writes through core.services.

The classes named in settings (permission, pagination, error format) live in
core/drf.py, which must not import DRF's views (DRF reads settings while its
views module loads).
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, viewsets

from onestop.core import services
from onestop.core.drf import django_errors_to_dict


class ModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that validates with the model's own rules (``full_clean``)."""

    full_clean_exclude: tuple[str, ...] = ()  # fields the serializer sets another way (e.g. a password)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        many_to_many = {f.name for f in model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(instance, name, value)
        serializer_fields = {f.source for f in self.fields.values() if not f.read_only}
        exclude = [
            f.name
            for f in model._meta.concrete_fields
            if (f.name not in serializer_fields and not f.primary_key) or f.name in self.full_clean_exclude
        ]
        try:
            instance.full_clean(exclude=exclude, validate_unique=True)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_dict(exc)) from None
        return attrs


class ObjectViewSet(viewsets.ModelViewSet):
    """Scoped, filtered, audited CRUD for one model. Subclasses set queryset and serializer."""

    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    def get_queryset(self):
        model = self.queryset.model
        queryset = model.objects.visible_to(self.request.user)
        return queryset.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    def perform_create(self, serializer):
        serializer.instance = services.save_instance(
            serializer.Meta.model(**_plain(serializer)), actor=self.request.user
        )
        _set_many(serializer)

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in _plain(serializer).items():
            setattr(instance, name, value)
        services.save_instance(instance, actor=self.request.user)
        _set_many(serializer)

    def perform_destroy(self, instance):
        services.delete_instance(instance, actor=self.request.user)


def _plain(serializer) -> dict:
    many = {f.name for f in serializer.Meta.model._meta.many_to_many}
    return {k: v for k, v in serializer.validated_data.items() if k not in many}


def _set_many(serializer) -> None:
    many = {f.name for f in serializer.Meta.model._meta.many_to_many}
    for name, value in serializer.validated_data.items():
        if name in many:
            getattr(serializer.instance, name).set(value)
