"""Every transition of every model has generic transition tests, or is ``service_only`` and ran
in the suite (tests/plugins/transitions.py); every model without generic pages
(``generic_views = False``) has tests of its own (DESIGN "Tests")."""

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.apps import apps

import tests
from onestop.core.workflow import WorkflowModel, perform_transition
from tests.plugins.transitions import missing_transitions, service_only_transitions
from tests.workflow import TransitionTestBase
from tests.workflow_app.models import Ticket

# Models without generic list/edit pages, and the module that tests their own pages and API.
OWN_TESTS = {
    "people.Appraisal": "tests.test_people",
    "people.AppraisalScore": "tests.test_people",
    "core.PreparedExport": "tests.test_export_background",
    "core.Signature": "tests.test_core_signatures",
    "core.Attachment": "tests.test_core_attachments",
    "core.Comment": "tests.test_core_comments",
    "core.NumberSequence": "tests.test_core_numbering",
    "core.OutgoingMail": "tests.test_operations",
    "core.AuditHead": "tests.test_audit_chain",
    "core.AuditLink": "tests.test_audit_chain",
    "core.SecurityEvent": "tests.test_security_events",
    "core.Letterhead": "tests.test_print",
    "accounts.UserSession": "tests.test_sessions_2fa",
    "notifications.Notification": "tests.test_notifications",
    "notifications.Deadline": "tests.test_notifications",
    "engagements.Inquiry": "tests.test_engagements",
    "engagements.Proposal": "tests.test_engagements",
    "engagements.IncomingMail": "tests.test_engagements_mail",
    "contracts.ContractCopy": "tests.test_contracts",
    "plans.ReviewCriteriaSet": "tests.test_plans",
    "plans.PlanVersion": "tests.test_plans",
    "plans.Milestone": "tests.test_plans",
    "plans.StaffAssignment": "tests.test_plans",
    "plans.BudgetLine": "tests.test_plans",
    "plans.PlanReview": "tests.test_plans",
    "plans.PlanApproval": "tests.test_plans",
    "projects.KickoffMeeting": "tests.test_projects",
    "projects.KickoffAttendee": "tests.test_projects",
    "projects.ProgressReport": "tests.test_projects",
    "projects.ProgressRow": "tests.test_projects",
    "webhooks.Delivery": "tests.test_webhooks",
    "core.SavedFilter": "tests.test_list_tools",
    "accounts.ClientDataRecord": "tests.test_client_data",
    "core.ListExport": "tests.test_list_tools",
    "risks.RiskMatrix": "tests.test_risks",
    "risks.QuestionnaireAnswer": "tests.test_risks",
    "risks.RiskReview": "tests.test_risks",
    "risks.Warning": "tests.test_risks",
    "risks.EmergencyActivation": "tests.test_risks",
    "risks.EmergencyActionTaken": "tests.test_risks",
    "resources.DocumentVersion": "tests.test_resources",
    "resources.ArticleRevision": "tests.test_resources",
    "resources.ArticleRating": "tests.test_resources",
    "resources.Checkout": "tests.test_resources",
    "resources.MaintenanceRecord": "tests.test_resources",
    "resources.DocumentCheck": "tests.test_document_links",
    "costs.BudgetAlert": "tests.test_costs",
    "costs.CostRollup": "tests.test_costs",
    "recruitment.OnboardingTask": "tests.test_recruitment",
}


def load_test_modules():
    for module in pkgutil.iter_modules([str(Path(tests.__file__).parent)]):
        if module.name.startswith("test_"):
            importlib.import_module(f"tests.{module.name}")


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def workflow_models():
    for config in apps.get_app_configs():
        if config.name.startswith("onestop.") or config.name == "tests.workflow_app":
            for model in config.get_models():
                if issubclass(model, WorkflowModel) and not model._meta.abstract:
                    yield model


def test_every_transition_has_generic_transition_tests():
    load_test_modules()
    declared = {}
    for sub in all_subclasses(TransitionTestBase):
        if sub.model is not None:
            declared.setdefault(sub.model, set()).update(case.name for case in sub.transitions)
    missing = {
        f"{model.__name__}.{name}"
        for model in workflow_models()
        for name in model.generic_transition_names()
        if name not in declared.get(model, set())
    }
    assert not missing, (
        f"transitions without tests (declare them in a tests.workflow.TransitionTestBase): {sorted(missing)}"
    )


def test_service_only_transitions_are_checked_by_the_transitions_that_ran():
    """A ``service_only`` transition is run by its app's service, so it has no generic tests.
    tests/plugins/transitions.py records every transition the suite runs and fails a run of the
    whole suite that never ran one of them; here: it knows them all and records what runs."""
    service_only = {
        f"{model._meta.label}.{name}"
        for model in workflow_models()
        for name in set(model.transition_names()) - set(model.generic_transition_names())
    }
    assert service_only, "no service-only transitions found: the plugin would check nothing"
    assert set(missing_transitions(set())) == service_only
    assert missing_transitions(service_only_transitions()) == []


@pytest.mark.django_db
def test_the_transitions_plugin_records_a_transition_that_ran(request, personas):
    recorder = request.config.pluginmanager.get_plugin("onestop_transitions")
    ticket = Ticket.objects.create(title="儀器校準申請", description="請於下週完成校準。")
    recorder.ran.discard(("workflow_app.Ticket", "submit"))
    perform_transition(ticket, "submit", actor=personas["cs"])
    assert ("workflow_app.Ticket", "submit") in recorder.ran


def test_models_without_generic_pages_have_their_own_tests():
    for model in apps.get_models():
        if model.__name__.startswith("Historical") or not model.__module__.startswith("onestop."):
            continue
        label = f"{model._meta.app_label}.{model.__name__}"
        if getattr(model, "generic_views", True) is False:
            assert label in OWN_TESTS, (
                f"{label} has no generic pages: name the module testing it in OWN_TESTS"
            )
            module = importlib.import_module(OWN_TESTS[label])
            assert model.__name__ in Path(module.__file__).read_text(), label
