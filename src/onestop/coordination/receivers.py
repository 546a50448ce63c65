"""Signal receivers: a plan version taking effect moves the project that follows the plan (PRJ-3)."""

from django.dispatch import receiver

from onestop.coordination.services import apply_effective_version
from onestop.plans.signals import version_took_effect


@receiver(version_took_effect, dispatch_uid="coordination.follow_effective_plan_version")
def follow_effective_plan_version(sender, *, plan, version, actor, **kwargs):
    apply_effective_version(plan=plan, version=version, actor=actor)
