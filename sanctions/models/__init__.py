"""Sanction catalogue, proposals, approvals, execution, defence and appeals."""

from .appeal import Appeal, AppealOutcome, AppealStatus
from .catalogue import (
    GRADE,
    LEVEL_FOR_TYPE,
    LEVEL_PERMISSION,
    LEVEL_RANK,
    ApprovalLevel,
    MatrixRule,
    SanctionKind,
    SanctionType,
    SeverityGrade,
)
from .defence import Defence, DefenceRecord, DefenceStatus
from .proposal import (
    ON_RECORD,
    ApprovalDecision,
    Assessment,
    Decision,
    ProposalStatus,
    ProposedSanction,
    SanctionProposal,
    SanctionStatus,
)

__all__ = [
    "GRADE",
    "LEVEL_FOR_TYPE",
    "LEVEL_PERMISSION",
    "LEVEL_RANK",
    "ON_RECORD",
    "Appeal",
    "AppealOutcome",
    "AppealStatus",
    "ApprovalDecision",
    "ApprovalLevel",
    "Assessment",
    "Decision",
    "Defence",
    "DefenceRecord",
    "DefenceStatus",
    "MatrixRule",
    "ProposalStatus",
    "ProposedSanction",
    "SanctionKind",
    "SanctionProposal",
    "SanctionStatus",
    "SanctionType",
    "SeverityGrade",
]
