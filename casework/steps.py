"""Every human step of the case process, named once.

:class:`Step` is used by the flow (each value is the name of a node of
:class:`casework.flows.CaseFlow`), by the services that complete a step
(``human_task(expected=…)``), by the eligibility rules and the queue's SQL
(:mod:`casework.eligibility`), by the stage bookkeeping below and by the demo driver.
"""

from __future__ import annotations

from enum import StrEnum

from violations.models import Stage


class Step(StrEnum):
    VERIFY = "verify"
    FORM_TEAM = "form_team"
    INVESTIGATE = "investigate"
    FIND_FACTS = "find_facts"
    PROPOSE = "propose"
    DEFENCE = "defence"
    APPROVE = "approve"
    EXECUTE_SANCTIONS = "execute_sanctions"
    DECIDE_APPEAL = "decide_appeal"
    EXECUTE_REVISED = "execute_revised"
    CUSTOMER_FEEDBACK = "customer_feedback"
    NOTIFY_REGULATOR = "notify_regulator"
    PLAN_REMEDIATION = "plan_remediation"
    COMPLETE_ACTION = "complete_action"
    REVIEW = "review"
    REPLACE_LEAD = "replace_lead"


# The stage a case enters when the step's task is created (steps not named here leave the
# stage as it is).
STAGE_OF: dict[Step, str] = {
    Step.VERIFY: Stage.VERIFICATION,
    Step.FORM_TEAM: Stage.TEAM,
    Step.INVESTIGATE: Stage.INVESTIGATION,
    Step.FIND_FACTS: Stage.FACT_FINDING,
    Step.PROPOSE: Stage.SANCTION_PROPOSAL,
    Step.APPROVE: Stage.APPROVAL,
    Step.EXECUTE_SANCTIONS: Stage.POST_APPROVAL,
    Step.CUSTOMER_FEEDBACK: Stage.POST_APPROVAL,
    Step.NOTIFY_REGULATOR: Stage.POST_APPROVAL,
    Step.PLAN_REMEDIATION: Stage.POST_APPROVAL,
    Step.REVIEW: Stage.EFFECTIVENESS_REVIEW,
}
