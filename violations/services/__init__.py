"""Every state change of a case. Views, the API, the admin and commands call these."""

from .closing import case_cancel, case_close, case_enter_stage, outcome_notice_send
from .evidence import evidence_add, evidence_supersede, interview_record, record_review_add
from .intake import case_acknowledge, case_attach_process, case_report, case_subjects_change
from .investigation import facts_determine, investigation_submit
from .mailbox import (
    receipt_issue_at_desk,
    reporter_message_receive,
    reporter_message_send,
)
from .portal_intake import portal_report
from .team import team_change, team_declare, team_form
from .vault import reporter_identity_view, reporter_unmask_decide, reporter_unmask_request
from .verification import verification_complete

__all__ = [
    "case_acknowledge",
    "case_attach_process",
    "case_cancel",
    "case_close",
    "case_enter_stage",
    "case_report",
    "case_subjects_change",
    "evidence_add",
    "evidence_supersede",
    "facts_determine",
    "interview_record",
    "investigation_submit",
    "outcome_notice_send",
    "portal_report",
    "receipt_issue_at_desk",
    "record_review_add",
    "reporter_identity_view",
    "reporter_message_receive",
    "reporter_message_send",
    "reporter_unmask_decide",
    "reporter_unmask_request",
    "team_change",
    "team_declare",
    "team_form",
    "verification_complete",
]
