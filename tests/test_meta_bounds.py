"""Every input is bounded (issue 10 item 3): a text field without a ceiling fails here.

A model's text must say how long it may be, and the model itself must refuse more (Django's
``TextField`` passes ``max_length`` to the form only: ``core.fields.BoundedTextField`` adds the
validator ``full_clean`` runs). Every text a form or a request serializer takes must be bounded
too, since a plain form or serializer is not derived from a model and gets no limit by itself.
"""

import importlib
import pkgutil

from django import forms
from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models
from rest_framework import serializers

import onestop
import tests.workflow_app


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def import_everything():
    """Import every module of OneStop and of the test app, so that every form and serializer
    class exists (some are declared in views or API modules no URL has imported yet)."""
    for package in (onestop, tests.workflow_app):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" in module.name or module.name in ("onestop.wsgi", "onestop.cli"):
                continue  # no form there; wsgi would build an application, cli parse argv
            importlib.import_module(module.name)


def ours(cls) -> bool:
    return cls.__module__.startswith(("onestop.", "tests.workflow_app."))


def test_every_model_text_has_a_ceiling_that_validation_enforces():
    unbounded = []
    for config in apps.get_app_configs():
        if not config.name.startswith("onestop.") and config.name != "tests.workflow_app":
            continue
        for model in config.get_models():
            if model.__name__.startswith("Historical"):
                continue  # copies of the live fields, written by django-simple-history only
            for field in model._meta.get_fields():
                if not isinstance(field, models.TextField):
                    continue
                enforced = any(
                    isinstance(v, MaxLengthValidator) and v.limit_value == field.max_length
                    for v in field.validators
                )
                if field.max_length is None or not enforced:
                    unbounded.append(f"{model.__name__}.{field.name}")
    assert not unbounded, (
        f"text fields without an enforced max_length (use core.fields.BoundedTextField): {unbounded}"
    )


def _serializer_fields(serializer, prefix=""):
    """The writable fields of ``serializer``, nested serializers and list/dict children included."""
    if getattr(serializer, "response_only", False):
        return  # describes an answer only: nothing is parsed from a request with it
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        yield from _field_and_children(field, f"{prefix}{name}")


def _field_and_children(field, path):
    if isinstance(field, serializers.ListSerializer):
        field = field.child
    if isinstance(field, serializers.BaseSerializer):
        yield from _serializer_fields(field, f"{path}.")
        return
    yield path, field
    child = getattr(field, "child", None)
    if isinstance(child, serializers.Field):
        yield from _field_and_children(child, f"{path}[]")


def test_every_form_and_request_serializer_text_has_a_max_length():
    import_everything()
    unbounded = []
    for form in set(all_subclasses(forms.BaseForm)):
        if not ours(form):
            continue
        for name, field in form.base_fields.items():
            if isinstance(field, forms.CharField) and field.max_length is None:
                unbounded.append(f"{form.__module__}.{form.__name__}.{name}")
    for serializer in set(all_subclasses(serializers.BaseSerializer)):
        if not ours(serializer) or serializer.__name__.startswith("ListSerializer"):
            continue
        if issubclass(serializer, serializers.ModelSerializer) and not hasattr(serializer, "Meta"):
            continue  # an abstract base (core.api.ModelSerializer): its subclasses are checked
        for path, field in _serializer_fields(serializer()):
            if isinstance(field, serializers.CharField) and field.max_length is None:
                unbounded.append(f"{serializer.__module__}.{serializer.__name__}.{path}")
    assert not unbounded, f"text inputs without max_length: {sorted(unbounded)}"
