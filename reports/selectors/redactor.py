"""What a case file withholds or replaces for its recipient: the Redactor for one case."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist

from ledger.models import AuditEvent
from violations import policy
from violations.models import Case

from ..casefile import WITHHELD, Profile
from ..redaction import Redactor
from . import people


def reporter_disclosed(case: Case) -> bool:
    """Whether the identity vault has released the reporter's identity for this case.

    No vault exists yet, so outside the institution the reporter is always withheld.
    """
    return False


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def build_redactor(
    case: Case, events: list[AuditEvent], *, profile: Profile, viewer, known: dict
) -> tuple[Redactor, bool]:
    """What the file for ``profile`` hides and how it names people; and whether the
    reporter is withheld. ``known`` holds every user the file names, by id (see
    :func:`reports.selectors.people.staff`)."""
    replacements: dict[str, str] = {}
    users: dict[int, str] = {}
    hidden: set[int] = set()
    usernames: dict[str, str] = {}

    reporter_withheld = _reporter_withheld(case, profile=profile, viewer=viewer)
    if reporter_withheld:
        _withhold_reporter(case, replacements, users, hidden)
    if profile == Profile.REGULATOR and case.customer_contact:
        replacements[case.customer_contact] = WITHHELD
    if profile == Profile.BULLETIN:
        _anonymise_customer_and_people(case, replacements, known)
        _number_staff(case, events, replacements, users, usernames, known)
    return Redactor(
        replacements=replacements,
        users=users,
        hidden_user_ids=hidden,
        usernames=usernames,
        names={pk: people.describe(u) for pk, u in known.items()},
        private_actions=("appeal.", "defence.") if profile == Profile.BULLETIN else (),
        private_payload=PRIVATE_PAYLOAD if profile == Profile.BULLETIN else None,
    ), reporter_withheld


# What a person said in their defence or was told of the proposed sanctions: the bulletin
# says such words exist, never what they were.
PRIVATE_PAYLOAD = {
    "sanctions.proposed": frozenset({"notices"}),
    "defence.recorded": frozenset({"statements"}),
}


def _reporter_withheld(case: Case, *, profile: Profile, viewer) -> bool:
    if profile != Profile.INTERNAL:
        return not reporter_disclosed(case)
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        return not policy.can_see_reporter(viewer, case)
    return case.is_anonymous


def _withhold_reporter(
    case: Case, replacements: dict[str, str], users: dict[int, str], hidden: set[int]
) -> None:
    """Every way the file could name the reporter becomes "withheld"."""
    identity = _vault_identity(case)
    reporter = case.reported_by or (identity.user if identity is not None else None)
    values = [identity.name, identity.contact] if identity is not None else []
    if reporter is not None:
        hidden.add(reporter.pk)
        users[reporter.pk] = WITHHELD
        values += [reporter.get_username(), reporter.get_full_name(), reporter.email]
        employee = policy.employee_of(reporter)
        if employee is not None:
            values += [employee.name, employee.staff_number]
    for value in values:
        if value:
            replacements[value] = WITHHELD


def _anonymise_customer_and_people(case: Case, replacements: dict[str, str], known: dict) -> None:
    """A bulletin names the customer "Customer" and each person "Person A", "Person B"…:
    every party (subjects, responsible persons, people heard, appellants, attendees of the
    training) in every spelling the system holds of them."""
    if case.customer_name:
        replacements[case.customer_name] = "Customer"
    for value in (case.customer_reference, case.customer_contact):
        if value:
            replacements[value] = WITHHELD
    login_of = {u.employee.pk: u for u in known.values() if policy.employee_of(u) is not None}
    seen: dict[str, str] = {}

    def name(key: str, spellings: list[str]) -> None:
        if key not in seen:
            seen[key] = f"Person {_letters(len(seen))}"
        for value in spellings:
            if value and value not in replacements:
                replacements[value] = seen[key]

    for person in _parties(case):
        user = login_of.get(person.pk)
        extra = [user.get_full_name(), user.email] if user is not None else []
        name(_plain(person.name), [person.name, person.staff_number, *extra])
    for interview in case.interviews.all():
        if not interview.interviewee_employee_id:  # a witness known by name only
            name(_plain(interview.interviewee), [interview.interviewee])
    for session in case.training_sessions.all():
        if session.trainer:
            replacements.setdefault(session.trainer, WITHHELD)


def _parties(case: Case) -> list:
    people = list(case.subjects.all())
    for finding in case.findings.all():
        people += [r.employee for r in finding.responsible.all()]
    for interview in case.interviews.all():
        if interview.interviewee_employee_id:
            people.append(interview.interviewee_employee)
    for proposal in case.sanction_proposals.all():
        people += [i.employee for i in proposal.items.all()]
        people += [d.employee for d in proposal.defences.all()]
    people += [a.employee for a in case.appeals.all()]
    for session in case.training_sessions.all():
        people += list(session.attendees.all())
    return people


def _plain(name: str) -> str:
    """One key per person however their name is spaced or cased."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _number_staff(
    case: Case,
    events: list[AuditEvent],
    replacements: dict[str, str],
    users: dict[int, str],
    usernames: dict[str, str],
    known: dict,
) -> None:
    """Every member of staff becomes "Staff n", numbered by first appearance in the trail."""
    actor_ids = [e.actor_id for e in events if e.actor_id]
    staff_ids = list(dict.fromkeys(actor_ids))
    for pk in staff_ids + sorted(set(known) - set(staff_ids)):
        if pk in users or pk not in known:
            continue
        user = known[pk]
        users[pk] = f"Staff {len([v for v in users.values() if v != WITHHELD]) + 1}"
        usernames[user.get_username()] = users[pk]
        for value in (user.get_full_name(), user.email, _employee_name(user)):
            if value and value not in replacements:
                replacements[value] = users[pk]


def _vault_identity(case: Case):
    """The reporter's identity kept apart from a confidential case, if the vault holds one."""
    try:
        return case.reporter_identity
    except (AttributeError, ObjectDoesNotExist):
        return None


def _employee_name(user) -> str:
    employee = policy.employee_of(user)
    return employee.name if employee is not None else ""


def case_user_ids(case: Case) -> list[int]:
    """Every user a record of the case names (the trail's actors come from the events)."""
    ids = [m.user_id for m in case.team.all()]
    if hasattr(case, "verification"):
        ids.append(case.verification.verified_by_id)
    ids += [e.collected_by_id for e in case.evidence.all()]
    ids += [i.interviewer_id for i in case.interviews.all()]
    ids += [r.reviewed_by_id for r in case.record_reviews.all()]
    ids += [r.submitted_by_id for r in case.investigation_reports.all()]
    ids += [f.found_by_id for f in case.findings.all()]
    for p in case.sanction_proposals.all():
        ids.append(p.proposed_by_id)
        ids += [d.approver_id for d in p.decisions.all()]
        ids += [i.executed_by_id for i in p.items.all() if i.executed_by_id]
        ids += [i.ended_by_id for i in p.items.all()]
        ids += [d.recorded_by_id for d in p.defences.all()]
    for a in case.appeals.all():
        ids += [a.filed_by_id, a.decided_by_id]
    for a in case.corrective_actions.all():
        ids += [a.owner_id, a.cancelled_by_id]
    ids += [r.reviewer_id for r in case.effectiveness_reviews.all()]
    ids += [t.recorded_by_id for t in case.training_sessions.all()]
    ids += [x.extended_by_id for x in case.complaint_extensions.all()]
    ids += [f.recorded_by_id for f in case.customer_feedback.all()]
    ids += [n.recorded_by_id for n in case.regulator_notifications.all()]
    if case.reported_by_id:
        ids.append(case.reported_by_id)
    return [i for i in ids if i]
