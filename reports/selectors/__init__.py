"""Reads for reports: the case file, built from the database and redacted for its recipient.

``casefile`` reads a case whole and fills the :class:`~reports.casefile.CaseFile`, one helper
per section; ``redactor`` decides what the recipient's profile withholds.
"""

from .casefile import build_casefile, closed_cases
from .redactor import reporter_disclosed

__all__ = ["build_casefile", "closed_cases", "reporter_disclosed"]
