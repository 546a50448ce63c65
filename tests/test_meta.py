"""Every business model has generic UI/API/permission tests (a model without them fails here)."""

import importlib
import pkgutil
from pathlib import Path

from django.apps import apps

import tests
from tests.generic import ModelTestBase


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def test_every_business_model_has_generic_tests():
    for module in pkgutil.iter_modules([str(Path(tests.__file__).parent)]):
        if module.name.startswith("test_"):
            importlib.import_module(f"tests.{module.name}")
    tested = {sub.model for sub in all_subclasses(ModelTestBase) if sub.model is not None}
    business = {
        model
        for config in apps.get_app_configs()
        if config.name.startswith("onestop.")
        for model in config.get_models()
        if not model.__name__.startswith("Historical")
        and not model._meta.auto_created
        # A record only ever written by a service (a signature, a notification, a log entry)
        # says so with `generic_views = False`; its own pages and API get their own tests.
        and getattr(model, "generic_views", True)
    }
    missing = sorted(model.__name__ for model in business - tested)
    assert not missing, f"models without generic tests (subclass tests.generic.ModelTestBase): {missing}"


def test_every_business_model_keeps_history():
    for config in apps.get_app_configs():
        if not config.name.startswith("onestop."):
            continue
        for model in config.get_models():
            if model.__name__.startswith("Historical") or model._meta.auto_created:
                continue
            if getattr(model, "history_exempt", ""):
                continue  # the model states why (e.g. an inbox message is its own record)
            assert hasattr(model, "history"), f"{model.__name__} has no HistoricalRecords (SPEC X-4)"
