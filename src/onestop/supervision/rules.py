"""Who may see and do what in supervision (EXT-3, X-3).

Quality and management supervise: they see every check run, finding, audit sample and reward or
penalty, run the checks, raise, verify and dismiss findings, draw samples and propose rewards and
penalties; management approves those. An assignee sees and works on their own findings; a person
sees the rewards and penalties recorded against them; HR sees every reward and penalty (they feed
the appraisal). Clients see none of it. The row scopes are in models.py.
"""

import rules

from onestop.core.predicates import has_role, is_internal, is_system_admin
from onestop.core.roles import Role
from onestop.supervision.states import FINDING_WITH_ASSIGNEE, FindingState, SanctionState

is_management = is_internal & has_role(Role.MANAGEMENT)
is_quality = is_internal & has_role(Role.QUALITY)
is_hr = is_internal & has_role(Role.HR)
# Quality and management follow compliance up for the whole company (policy: 監督檢查).
supervises = is_system_admin | is_management | is_quality


# Without a record (may this user open the list at all?) both answer yes: the rows are cut to the
# user's own by the scopes in models.py.
@rules.predicate
def is_assignee(user, finding=None) -> bool:
    return finding is None or finding.assignee_id == user.pk


@rules.predicate
def finding_with_assignee(user, finding=None) -> bool:
    return finding is None or finding.state in FINDING_WITH_ASSIGNEE


@rules.predicate
def finding_resolved(user, finding=None) -> bool:
    return finding is None or finding.state == FindingState.RESOLVED


@rules.predicate
def is_subject(user, sanction=None) -> bool:
    return sanction is None or sanction.person_id == user.pk


@rules.predicate
def sanction_proposed(user, sanction=None) -> bool:
    return sanction is None or sanction.state == SanctionState.PROPOSED


@rules.predicate
def proposed_by_someone_else(user, sanction=None) -> bool:
    return sanction is None or sanction.proposed_by_id != user.pk


# Check runs and audit samples: the supervisors' own records.
can_view_supervision = supervises
can_run_checks = supervises
# Findings: the supervisors, and an assignee their own.
can_view_finding = supervises | (is_internal & is_assignee)
can_raise_finding = supervises
can_edit_finding = supervises & finding_with_assignee
can_work_finding = (supervises | (is_internal & is_assignee)) & finding_with_assignee
can_verify_finding = supervises & finding_resolved
can_dismiss_finding = supervises & finding_with_assignee
# Rewards and penalties: proposed by a supervisor, approved by (another) member of management.
can_view_sanction = supervises | is_hr | (is_internal & is_subject)
can_propose_sanction = supervises
can_edit_sanction = supervises & sanction_proposed
can_decide_sanction = (is_system_admin | is_management) & sanction_proposed & proposed_by_someone_else
