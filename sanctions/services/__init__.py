"""Every write of the sanction stage. Each function checks permission and segregation of
duties itself, runs in one transaction and leaves an audit event."""

from .appeal import appeal_decide, appeal_file
from .defence import defence_close, defence_record
from .execution import (
    approved_proposal,
    sanction_execute,
    sanction_expire_due,
    sanction_lift,
    sanction_revoke,
)
from .proposal import PersonFactors, SanctionItem, sanction_decide, sanction_propose
from .reference import reference_save

__all__ = [
    "PersonFactors",
    "SanctionItem",
    "appeal_decide",
    "appeal_file",
    "approved_proposal",
    "defence_close",
    "defence_record",
    "reference_save",
    "sanction_decide",
    "sanction_execute",
    "sanction_expire_due",
    "sanction_lift",
    "sanction_propose",
    "sanction_revoke",
]
