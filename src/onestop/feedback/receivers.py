"""Listens to the acceptance stage: a passed whole-project acceptance invites the client (EXT-2)."""

from django.dispatch import receiver

from onestop.acceptance.signals import acceptance_passed
from onestop.feedback.services import invite_after_acceptance


@receiver(acceptance_passed, dispatch_uid="feedback.invite_after_acceptance")
def invite_to_survey(sender, round=None, actor=None, **kwargs):
    if round is not None:
        invite_after_acceptance(round, actor=actor)
