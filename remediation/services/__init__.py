"""Every write of the remediation app: ``<entity>_<verb>(*, ..., actor)``."""

from .plan import ActionSpec, CauseSpec, action_cancel, action_complete, remediation_plan
from .redress import (
    complaint_clock_extend,
    customer_feedback_record,
    customer_information_receive,
    customer_information_request,
    regulator_notify,
)
from .review import effectiveness_review
from .training import training_completion_record, training_record

__all__ = [
    "ActionSpec",
    "CauseSpec",
    "action_cancel",
    "action_complete",
    "complaint_clock_extend",
    "customer_feedback_record",
    "customer_information_receive",
    "customer_information_request",
    "effectiveness_review",
    "regulator_notify",
    "remediation_plan",
    "training_completion_record",
    "training_record",
]
