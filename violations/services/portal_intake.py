"""Intake from the reporting portal (``/speak-up/``): a report from someone without an
account, who may be a member of staff, a customer or an outsider.

Who the reporter is decides the source:

* a member of staff: a staff report, or a whistleblower report if they ask for the
  protection of a confidential disclosure;
* a customer: a customer complaint (the customer is the affected customer);
* an outsider (a supplier, a contractor, a former employee, a job applicant...): a
  whistleblower report, the channel EU Directive 2019/1937 gives persons who learnt of a
  breach in a work-related context.

A reporter who leaves a name or contact has them kept in the reporter identity vault, and the
case is identity-protected whatever the source: the portal is the confidential channel, and
a member of staff who wants to be named reports signed in. A customer's name and contact are
the complaint's own data (the customer is answered and compensated through them), so they
stay on the case. The reporter is named nowhere else: no login, no author, the audit actor is
the protected-reporter marker, and no address or user agent is taken from the request.

People involved are named in words (an outsider knows no staff numbers); the compliance
officer sets the case's subjects during preliminary verification.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Case, Department, Source, ViolationCategory
from .intake import file_case
from .mailbox import _check_files, receipt_issue
from .vault import PROTECTED_REPORTER, vault_identity_store


class ReporterType(TextChoices):
    STAFF = "staff", _("I work for the institution")
    CUSTOMER = "customer", _("I am a customer")
    OUTSIDER = "outsider", _("Neither (a supplier, a contractor, someone else)")


def source_for(reporter_type: str, *, whistleblowing: bool) -> str:
    if reporter_type == ReporterType.CUSTOMER:
        return Source.CUSTOMER_COMPLAINT
    if reporter_type == ReporterType.STAFF and not whistleblowing:
        return Source.STAFF_REPORT
    return Source.WHISTLEBLOWER


def default_department() -> Department | None:
    """Where a report goes when the reporter does not know the department."""
    code = settings.ACCOUNTABILITY["PORTAL"]["DEFAULT_DEPARTMENT"]
    found = Department.objects.filter(code=code).first() if code else None
    return found or Department.objects.filter(parent__isnull=True).order_by("code").first()


def portal_report(
    *,
    reporter_type: str,
    category: ViolationCategory,
    description: str,
    occurred_at: dt.datetime,
    department: Department | None = None,
    people_involved: str = "",
    anonymous: bool = True,
    name: str = "",
    contact: str = "",
    whistleblowing: bool = False,
    attachments: list | None = None,
) -> tuple[Case, str]:
    """Record a report from the portal and give it a receipt code; returns the case and the
    code (to be shown once, never stored).

    Preconditions: a known reporter type and an active category; what happened is told;
    ``occurred_at`` aware and not in the future; a reporter who is not anonymous leaves a
    name or a contact; the files pass the evidence checks and the report's size cap. The
    caller starts the case's process in the same transaction (``casework.services``).
    """
    attachments = list(attachments or [])
    errors: dict[str, list] = {}
    if reporter_type not in ReporterType.values:
        errors["reporter_type"] = [_("Say who you are.")]
    if category is None or not category.active:
        errors["category"] = [_("Choose what kind of wrongdoing this is.")]
    if not (description or "").strip():
        errors["description"] = [_("Tell what happened.")]
    if occurred_at is None or timezone.is_naive(occurred_at):
        errors["occurred_at"] = [_("Give the date and time with a time zone.")]
    elif occurred_at > timezone.now():
        errors["occurred_at"] = [_("The violation cannot have happened in the future.")]
    name, contact = (name or "").strip(), (contact or "").strip()
    if not anonymous and not (name or contact):
        errors["name"] = [_("Leave your name or a way to reach you, or stay anonymous.")]
    if errors:
        raise ValidationError(errors)
    _check_files(attachments)
    department = department or default_department()
    if department is None:
        raise ValidationError(_("Reports cannot be received yet: no department is set up."))
    if anonymous:
        name = contact = ""
    source = source_for(reporter_type, whistleblowing=whistleblowing)
    customer = source == Source.CUSTOMER_COMPLAINT
    # A customer who gave their name is the affected customer, named on the complaint.
    protected = not (customer and not anonymous)
    description = description.strip()
    if people_involved.strip():
        description += "\n\n" + gettext("People involved (as the reporter names them): %s") % (
            people_involved.strip()
        )
    title = description.splitlines()[0][:80]
    with transaction.atomic():
        case = file_case(
            source=source,
            category=category,
            title=title,
            description=description,
            occurred_at=occurred_at,
            department=department,
            subjects=[],
            customer_involved=customer,
            customer_name=(name or gettext("Not given")) if customer else "",
            customer_reference="",
            customer_contact=contact if customer else "",
            protected=protected,
            recorder=None,
            event_actor=PROTECTED_REPORTER,
            # An anonymous reporter leaves nothing to keep: no row in the vault.
            vault=(
                (lambda c: vault_identity_store(case=c, name=name, contact=contact))
                if protected and (name or contact)
                else None
            ),
            attachments=attachments,
            payload={"channel": "portal", "reporter_type": reporter_type},
        )
        code = receipt_issue(case=case)
    return case, code
