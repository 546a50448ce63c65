"""Every ``service_only`` transition runs somewhere in the suite (DESIGN "Tests").

A transition declared with ``custom={"service_only": True}`` has no generic transition tests
(tests/test_meta_workflow.py checks those are declared); its app's service runs it, and that
service's tests must make it happen. This plugin records each transition that actually runs
(django-fsm's ``post_transition`` signal) and, at the end of a session that ran the whole suite,
fails the session naming every service-only transition that never ran.

"The whole suite" is a run over the ``tests`` directory (the default) with nothing deselected
but the browser tests, which have their own run; a subset (``tests/test_x.py``, ``-k``, a node
id, ``-m browser``) records without checking. An interrupted run (``-x``, Ctrl-C) is not checked.

With pytest-xdist each worker records its own transitions and sends them to the controller in
``config.workeroutput``; the controller merges them as the workers finish (``pytest_testnodedown``)
and checks once, at its session end. A worker that crashed leaves the record incomplete: no check.
"""

from __future__ import annotations

import pytest

NAME = "onestop_transitions"
WORKER_KEY = "onestop_transitions"


def service_only_transitions() -> set[tuple[str, str]]:
    """``(model label, transition name)`` of every service-only transition of OneStop's apps
    and the test app."""
    from django.apps import apps

    from onestop.core.workflow import WorkflowModel

    found = set()
    for config in apps.get_app_configs():
        if not (config.name.startswith("onestop.") or config.name == "tests.workflow_app"):
            continue
        for model in config.get_models():
            if issubclass(model, WorkflowModel) and not model._meta.abstract:
                generic = set(model.generic_transition_names())
                found |= {
                    (model._meta.label, name) for name in model.transition_names() if name not in generic
                }
    return found


def missing_transitions(ran: set[tuple[str, str]]) -> list[str]:
    """The service-only transitions not in ``ran``, as sorted ``"app.Model.transition"``."""
    return sorted(f"{label}.{name}" for label, name in service_only_transitions() - ran)


class TransitionRecorder:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.ran: set[tuple[str, str]] = set()
        self.whole_suite = False  # this process collected the whole suite (set after collection)
        self.partial = False  # something other than a browser test was deselected
        self.worker_reports: list[dict] = []
        self.worker_failed = False
        self.missing: list[str] = []

    # -- recording (in every process that runs tests) ----------------------------------------

    def record(self, sender, name, **kwargs) -> None:
        self.ran.add((sender._meta.label, name))
        concrete = sender._meta.concrete_model
        if concrete is not None and concrete is not sender:
            self.ran.add((concrete._meta.label, name))

    @pytest.hookimpl
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        from django_fsm.signals import post_transition

        post_transition.connect(self.record, weak=False, dispatch_uid=NAME)

    # -- is this the whole suite? ------------------------------------------------------------

    @pytest.hookimpl
    def pytest_deselected(self, items) -> None:
        if any(item.get_closest_marker("browser") is None for item in items):
            self.partial = True

    @pytest.hookimpl
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        root = self.config.rootpath
        targets = {
            (self.config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in self.config.args
        }
        self.whole_suite = (
            not self.partial
            and not self.config.option.collectonly
            and bool(targets)
            and all("::" not in arg for arg in self.config.args)
            and targets <= {root.resolve(), (root / "tests").resolve()}
        )

    # -- pytest-xdist: the controller gathers what its workers ran ---------------------------

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:
        report = getattr(node, "workeroutput", {}).get(WORKER_KEY)
        if error or report is None:
            self.worker_failed = True
        else:
            self.worker_reports.append(report)

    # -- the check, at the end ---------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus) -> None:
        from django_fsm.signals import post_transition

        post_transition.disconnect(dispatch_uid=NAME)
        if hasattr(self.config, "workerinput"):  # an xdist worker: report, the controller checks
            self.config.workeroutput[WORKER_KEY] = {
                "whole_suite": self.whole_suite and not session.shouldstop and not session.shouldfail,
                "ran": sorted(self.ran),
            }
            return
        if self.worker_reports or self.worker_failed:
            whole = (
                not self.worker_failed
                and bool(self.worker_reports)
                and all(report["whole_suite"] for report in self.worker_reports)
            )
            ran = {tuple(pair) for report in self.worker_reports for pair in report["ran"]}
        else:
            whole, ran = self.whole_suite, self.ran
        if not whole or session.shouldstop or session.shouldfail:
            return
        if exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            return
        self.missing = missing_transitions(ran)
        if self.missing:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.missing:
            return
        terminalreporter.section("service-only transitions that never ran", sep="=", red=True, bold=True)
        terminalreporter.line(
            "No test ran these transitions (declared with service_only=True): test each through its "
            "app's service in tests/test_<app>.py."
        )
        for name in self.missing:
            terminalreporter.line(f"  {name}", red=True)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(TransitionRecorder(config), NAME)
