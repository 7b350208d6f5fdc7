from .cases import (
    AcknowledgeView,
    CaseListView,
    DeclarationsView,
    EvidenceAddView,
    EvidenceDownloadView,
    EvidenceSupersedeView,
    InterviewAddView,
    MyReportsView,
    RecordReviewAddView,
)
from .vault import IdentityRevealView, UnmaskDecideView, UnmaskRequestView

__all__ = [
    "AcknowledgeView",
    "CaseListView",
    "DeclarationsView",
    "EvidenceAddView",
    "EvidenceDownloadView",
    "EvidenceSupersedeView",
    "IdentityRevealView",
    "InterviewAddView",
    "MyReportsView",
    "RecordReviewAddView",
    "UnmaskDecideView",
    "UnmaskRequestView",
]
