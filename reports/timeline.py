"""The timeline in words: one sentence per audit event, in the language active when called.

Each action has a function that reads the event's facts (the payload with people already
named by name and position, or by pseudonym, see ``reports.selectors.casefile._Facts``) and
returns a sentence made with gettext, so the English, Traditional and Simplified Chinese
come from the catalogues in ``locale/``. No payload is printed as it is stored: codes become
labels, dates are told in the institution's time zone, lists are joined as a sentence joins
them. An action added later reads as its label until it has a sentence here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deadlines.models import Kind as DeadlineKind
from remediation.models import ActionKind, RootCauseCategory, Verdict
from sanctions.models import ApprovalLevel, DefenceStatus, SanctionStatus
from violations.models import Outcome, Severity, Source, Stage, TeamRole, VerificationOutcome

from . import labels as L
from .casefile import ChainEvent

Facts = dict[str, Any]


def _join(items) -> str:
    items = [str(i) for i in items if i not in (None, "")]
    if not items:
        return "—"
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s") % {
        "items": _(", ").join(items[:-1]),
        "last": items[-1],
    }


def _date(value) -> str:
    """An ISO date or datetime from a payload, told in the institution's time zone."""
    if not value:
        return "—"
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if len(value) <= 10:
        return L.when(parsed.date())
    return L.when(parsed)


def _money(value) -> str:
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def _step(name) -> str:
    return _steps().get(name, name or "—")


def _steps() -> dict[str, str]:
    """The process's steps as a person calls them (reports may not import the process)."""
    return {
        "verify": _("preliminary verification"),
        "form_team": _("setting up the investigation team"),
        "investigate": _("investigation"),
        "find_facts": _("fact-finding"),
        "propose": _("sanction proposal"),
        "defence": _("recording the answers to the proposed sanctions"),
        "approve": _("approval of the sanctions"),
        "execute_sanctions": _("execution of the sanctions"),
        "decide_appeal": _("decision on the appeal"),
        "execute_revised": _("execution of the revised sanctions"),
        "customer_feedback": _("customer redress"),
        "notify_regulator": _("regulator notification"),
        "plan_remediation": _("remediation plan"),
        "complete_action": _("corrective action"),
        "review": _("effectiveness review"),
    }


# --- one function per action ------------------------------------------------------------------


def _reported(f: Facts) -> str:
    values = {
        "source": L.choice(Source, f.get("source", "")),
        "subjects": _join(f.get("subjects", [])),
    }
    if f.get("anonymous"):
        return (
            _("Reported the case without giving a name (%(source)s), about %(subjects)s.") % values
        )
    return _("Reported the case (%(source)s), about %(subjects)s.") % values


def _acknowledged(f: Facts) -> str:
    if f.get("on_time") is False:
        return _("Acknowledged receipt to the reporter, after the deadline.")
    return _("Acknowledged receipt to the reporter, on time.")


def _receipt(f: Facts) -> str:
    if f.get("desk"):
        return _("Gave the customer a receipt code to follow the complaint in the mailbox.")
    return _("The reporter received a receipt code to follow the report in the mailbox.")


def _message_kind(kind: str) -> str:
    return {
        "acknowledgement": _("an acknowledgement"),
        "question": _("a question"),
        "answer": _("an answer"),
        "feedback_interim": _("interim feedback"),
        "feedback_final": _("final feedback"),
    }.get(kind, _("a message"))


def _attached(f: Facts) -> str:
    count = f.get("attachments") or 0
    if not count:
        return ""
    return " " + ngettext("(%(n)d file attached)", "(%(n)d files attached)", count) % {"n": count}


def _message_sent(f: Facts) -> str:
    return _("Wrote to the reporter: %(kind)s.") % {
        "kind": _message_kind(f.get("kind", ""))
    } + _attached(f)


def _message_received(f: Facts) -> str:
    return _("The reporter wrote: %(kind)s.") % {
        "kind": _message_kind(f.get("kind", ""))
    } + _attached(f)


def _stage(f: Facts) -> str:
    to = L.choice(Stage, f.get("to", ""))
    if f.get("due"):
        return _("The case entered the stage “%(stage)s”, due by %(due)s.") % {
            "stage": to,
            "due": _date(f["due"]),
        }
    return _("The case entered the stage “%(stage)s”.") % {"stage": to}


def _verified(f: Facts) -> str:
    outcome = L.choice(VerificationOutcome, f.get("outcome", ""))
    if f.get("duplicate_of"):
        return _("Completed the preliminary verification: %(outcome)s (of %(case)s).") % {
            "outcome": outcome,
            "case": f["duplicate_of"],
        }
    return _("Completed the preliminary verification: %(outcome)s.") % {"outcome": outcome}


def _team_formed(f: Facts) -> str:
    if f.get("members"):
        return _("Set up the investigation team: %(lead)s leads it, with %(members)s.") % {
            "lead": f.get("lead") or "—",
            "members": _join(f["members"]),
        }
    return _("Set up the investigation team, led by %(lead)s.") % {"lead": f.get("lead") or "—"}


def _declared(f: Facts) -> str:
    role = L.choice(TeamRole, f.get("role", ""))
    if f.get("conflict"):
        return _("Declared a conflict of interest (%(role)s).") % {"role": role}
    return _("Declared no conflict of interest (%(role)s).") % {"role": role}


def _team_changed(f: Facts) -> str:
    parts = []
    if f.get("added"):
        parts.append(_("added %(people)s") % {"people": _join(f["added"])})
    if f.get("removed"):
        parts.append(_("removed %(people)s") % {"people": _join(f["removed"])})
    if f.get("lead"):
        parts.append(_("%(person)s now leads it") % {"person": f["lead"]})
    return _("Changed the investigation team: %(changes)s.") % {"changes": _("; ").join(parts)}


def _claimed(f: Facts) -> str:
    return _("Took the task “%(step)s”.") % {"step": _step(f.get("step"))}


def _released(f: Facts) -> str:
    return _("Released the task “%(step)s”.") % {"step": _step(f.get("step"))}


def _reassigned(f: Facts) -> str:
    return _("Handed the task “%(step)s” to %(to)s.") % {
        "step": _step(f.get("step")),
        "to": f.get("to") or "—",
    }


def _evidence_added(f: Facts) -> str:
    return _("Added evidence item %(number)s, “%(name)s”.") % {
        "number": f.get("evidence", "—"),
        "name": f.get("name", "—"),
    }


def _evidence_superseded(f: Facts) -> str:
    return _("Replaced evidence item %(old)s with item %(new)s.") % {
        "old": f.get("old", "—"),
        "new": f.get("new", "—"),
    }


def _evidence_downloaded(f: Facts) -> str:
    return _("Downloaded evidence item %(number)s.") % {"number": f.get("evidence", "—")}


def _interview(f: Facts) -> str:
    return _("Recorded an interview with %(person)s.") % {"person": f.get("interviewee") or "—"}


def _record_review(f: Facts) -> str:
    return _("Recorded a review of “%(record)s”.") % {"record": f.get("record") or "—"}


def _investigation(f: Facts) -> str:
    return _("Submitted investigation report %(round)s.") % {"round": f.get("round", 1)}


def _facts(f: Facts) -> str:
    if f.get("established"):
        return _(
            "Determined the facts (round %(round)s): the violation is established, %(severity)s."
        ) % {
            "round": f.get("round", 1),
            "severity": L.choice(Severity, f.get("severity", "")),
        }
    return _("Determined the facts (round %(round)s): the violation is not established.") % {
        "round": f.get("round", 1)
    }


def _outcome_notified(f: Facts) -> str:
    recipient = f.get("recipient") or "—"
    if recipient == "reporter":
        recipient = _("the reporter")
    elif recipient == "reporter (confidential channel)":
        recipient = _("the reporter, through the confidential channel")
    return _("Sent the outcome notice (%(outcome)s) to %(recipient)s.") % {
        "outcome": L.choice(Outcome, f.get("outcome", "")),
        "recipient": recipient,
    }


def _closed(f: Facts) -> str:
    return _("The case was closed: %(outcome)s.") % {
        "outcome": L.choice(Outcome, f.get("outcome", ""))
    }


def _cancelled(f: Facts) -> str:
    return _("The case was cancelled; the reason is given with the event.")


def _subjects_changed(f: Facts) -> str:
    # Staff numbers, not names: the sentence reads the same in every profile's file.
    return _("The case's subjects were changed; the reason is given with the event.")


def _parameters_structured(f: Facts) -> str:
    n = len(f.get("sanctions", []))
    return ngettext(
        "The terms of %(count)d sanction were read from its older free text.",
        "The terms of %(count)d sanctions were read from their older free text.",
        n,
    ) % {"count": n}


def _exported(f: Facts) -> str:
    profile = f.get("profile", "")
    what = L.text(f"profile_{profile}") if profile in ("internal", "regulator", "bulletin") else "—"
    if f.get("format") == "bundle":
        return _("Exported the signed bundle (%(profile)s) for %(recipient)s.") % {
            "profile": what,
            "recipient": f.get("recipient") or "—",
        }
    return _("Exported the case file (%(profile)s).") % {"profile": what}


def _unmask_requested(f: Facts) -> str:
    return _("Asked to see the reporter's identity.")


def _unmask_approved(f: Facts) -> str:
    return _("Allowed %(person)s to see the reporter's identity.") % {
        "person": f.get("requested_by") or "—"
    }


def _unmask_refused(f: Facts) -> str:
    return _("Refused %(person)s's request to see the reporter's identity.") % {
        "person": f.get("requested_by") or "—"
    }


def _identity_viewed(f: Facts) -> str:
    return _("Looked at the reporter's identity.")


def _escalated(f: Facts) -> str:
    level = f.get("escalation")
    if level is None:  # the escalation before deadline clocks: one level, stages and the ack
        if f.get("what") == "acknowledgement":
            return _(
                "The acknowledgement to the reporter was overdue (due %(due)s) and was escalated."
            ) % {"due": _date(f.get("due"))}
        return _("The stage “%(stage)s” was overdue (due %(due)s) and was escalated.") % {
            "stage": L.choice(Stage, f.get("stage", "")),
            "due": _date(f.get("due")),
        }
    facts = {"what": L.choice(DeadlineKind, f.get("what", "")), "due": _date(f.get("due"))}
    if level == 1:
        return _("“%(what)s” passed its deadline (%(due)s); whoever held it was told.") % facts
    if level == 2:
        return _("“%(what)s” was still overdue (due %(due)s) and was escalated to the manager.") % (
            facts
        )
    return (
        _("“%(what)s” was still overdue (due %(due)s) and was escalated to the compliance head.")
        % facts
    )


def _defence_recorded(f: Facts) -> str:
    answers = [
        _("%(person)s: %(answer)s") % {"person": who, "answer": L.choice(DefenceStatus, status)}
        for who, status in f.get("answers", [])
    ]
    return _("Recorded the answers to the proposed sanctions (round %(round)s): %(answers)s.") % {
        "round": f.get("round", 1),
        "answers": _("; ").join(answers) or "—",
    }


def _defence_closed(f: Facts) -> str:
    return _(
        "The time to answer the proposed sanctions (round %(round)s) ran out with no statement from %(people)s."
    ) % {
        "round": f.get("round", 1),
        "people": _join(f.get("no_statement", [])),
    }


def _proposed(f: Facts) -> str:
    return _("Proposed sanctions (round %(round)s) for approval by %(level)s.") % {
        "round": f.get("round", 1),
        "level": L.choice(ApprovalLevel, f.get("level", "")),
    }


def _approved(f: Facts) -> str:
    return _("Approved the proposed sanctions (round %(round)s).") % {"round": f.get("round", 1)}


def _rejected(f: Facts) -> str:
    return _("Rejected the proposed sanctions (round %(round)s).") % {"round": f.get("round", 1)}


def _returned(f: Facts) -> str:
    return _("Returned the proposed sanctions (round %(round)s) for further investigation.") % {
        "round": f.get("round", 1)
    }


def _executed(f: Facts) -> str:
    n = len(f.get("sanctions", []))
    return ngettext(
        "Recorded the execution of %(count)d sanction.",
        "Recorded the execution of %(count)d sanctions.",
        n,
    ) % {"count": n}


def _expired(f: Facts) -> str:
    n = len(f.get("sanctions", []))
    return ngettext(
        "%(count)d sanction reached the end of its record period on %(date)s.",
        "%(count)d sanctions reached the end of their record period on %(date)s.",
        n,
    ) % {"count": n, "date": _date(f.get("on"))}


def _sanction_ended(status: str) -> Callable[[Facts], str]:
    def sentence(f: Facts) -> str:
        return _("The sanction on %(person)s is now “%(status)s”.") % {
            "person": f.get("employee") or "—",
            "status": L.choice(SanctionStatus, status),
        }

    return sentence


def _appeal_filed(f: Facts) -> str:
    return _("Recorded an appeal by %(person)s; the decision is due by %(due)s.") % {
        "person": f.get("employee") or "—",
        "due": _date(f.get("decide_by")),
    }


def _appeal_decided(outcome: str) -> Callable[[Facts], str]:
    def sentence(f: Facts) -> str:
        person = f.get("employee") or "—"
        if outcome == "upheld":
            return _("Decided the appeal by %(person)s: the sanction stands.") % {"person": person}
        if outcome == "modified":
            return _("Decided the appeal by %(person)s: the sanction is modified.") % {
                "person": person
            }
        return _("Decided the appeal by %(person)s: the sanction is revoked.") % {"person": person}

    return sentence


def _planned(f: Facts) -> str:
    causes = _join(L.choice(RootCauseCategory, c) for c in f.get("causes", []))
    actions = [
        _("%(kind)s by %(owner)s, due %(due)s")
        % {"kind": L.choice(ActionKind, kind), "owner": owner, "due": _date(due)}
        for kind, owner, due in f.get("actions", [])
    ]
    return _(
        "Planned the remediation (round %(round)s): causes %(causes)s; actions: %(actions)s."
    ) % {
        "round": f.get("round", 1),
        "causes": causes,
        "actions": _("; ").join(actions) or "—",
    }


def _action_completed(f: Facts) -> str:
    if f.get("on_time") is False:
        return _("Completed a corrective action, after its due date.")
    return _("Completed a corrective action, on time.")


def _action_cancelled(f: Facts) -> str:
    return _("Cancelled a corrective action.")


def _reviewed(f: Facts) -> str:
    return _("Reviewed the effectiveness of the remediation (round %(round)s): %(verdict)s.") % {
        "round": f.get("round", 1),
        "verdict": L.choice(Verdict, f.get("verdict", "")),
    }


def _training(f: Facts) -> str:
    return _("Recorded the training “%(topic)s” held on %(date)s.") % {
        "topic": f.get("topic") or "—",
        "date": _date(f.get("held_on")),
    }


def _training_completed(f: Facts) -> str:
    return _("Recorded that an attendee completed the training “%(topic)s”.") % {
        "topic": f.get("topic") or "—"
    }


def _training_withdrawn(f: Facts) -> str:
    return _("Withdrew a completion recorded for the training “%(topic)s”.") % {
        "topic": f.get("topic") or "—"
    }


def _feedback(f: Facts) -> str:
    parts = [_("an apology was made") if f.get("apology") else _("no apology was made")]
    if f.get("compensation") not in (None, "", "0", "0.00"):
        parts.append(_("compensation of %(amount)s") % {"amount": _money(f["compensation"])})
    if f.get("satisfaction"):
        parts.append(_("satisfaction %(score)s of 5") % {"score": f["satisfaction"]})
    return _("Recorded the outcome told to the customer: %(parts)s.") % {
        "parts": _("; ").join(parts)
    }


def _regulator(f: Facts) -> str:
    return _("Notified %(regulator)s (their reference %(reference)s).") % {
        "regulator": f.get("regulator") or "—",
        "reference": f.get("reference") or "—",
    }


def _extended(f: Facts) -> str:
    return _("Extended the time to answer the complaint from %(old)s to %(new)s days.") % {
        "old": f.get("from_days", "—"),
        "new": f.get("to_days", "—"),
    }


def _hold_set(f: Facts) -> str:
    return _("Put the case on legal hold: its personal data is kept until the hold is lifted.")


def _hold_lifted(f: Facts) -> str:
    return _("Lifted the legal hold on the case.")


def _erased(f: Facts) -> str:
    return _(
        "Erased the personal data of the case, %(years)s years after it closed; "
        "the figures and the trail remain."
    ) % {"years": f.get("retention_years", "—")}


def _asked_customer(f: Facts) -> str:
    return _("Asked the customer for information (by %(channel)s); the complaint clock waits.") % {
        "channel": f.get("channel") or "—"
    }


def _customer_answered(f: Facts) -> str:
    return _("Recorded the customer's answer; the complaint clock counts again.")


SENTENCES: dict[str, Callable[[Facts], str]] = {
    "case.reported": _reported,
    "case.acknowledged": _acknowledged,
    "reporter.receipt_issued": _receipt,
    "reporter.message_sent": _message_sent,
    "reporter.message_received": _message_received,
    "stage.entered": _stage,
    "verification.completed": _verified,
    "team.formed": _team_formed,
    "team.declared": _declared,
    "team.changed": _team_changed,
    "task.claimed": _claimed,
    "task.released": _released,
    "task.reassigned": _reassigned,
    "evidence.added": _evidence_added,
    "evidence.superseded": _evidence_superseded,
    "evidence.downloaded": _evidence_downloaded,
    "interview.recorded": _interview,
    "record_review.added": _record_review,
    "investigation.submitted": _investigation,
    "facts.determined": _facts,
    "outcome.notified": _outcome_notified,
    "case.closed": _closed,
    "case.cancelled": _cancelled,
    "case.subjects_changed": _subjects_changed,
    "case.exported": _exported,
    "identity.unmask_requested": _unmask_requested,
    "identity.unmask_approved": _unmask_approved,
    "identity.unmask_refused": _unmask_refused,
    "identity.viewed": _identity_viewed,
    "deadline.escalated": _escalated,
    "defence.recorded": _defence_recorded,
    "defence.window_closed": _defence_closed,
    "sanctions.proposed": _proposed,
    "sanctions.approve": _approved,
    "sanctions.reject": _rejected,
    "sanctions.return": _returned,
    "sanctions.executed": _executed,
    "sanctions.expired": _expired,
    "sanctions.parameters_structured": _parameters_structured,
    "sanctions.lifted": _sanction_ended("lifted"),
    "sanctions.revoked": _sanction_ended("revoked"),
    "appeal.filed": _appeal_filed,
    "appeal.upheld": _appeal_decided("upheld"),
    "appeal.modified": _appeal_decided("modified"),
    "appeal.revoked": _appeal_decided("revoked"),
    "remediation.planned": _planned,
    "action.completed": _action_completed,
    "action.cancelled": _action_cancelled,
    "remediation.reviewed": _reviewed,
    "training.recorded": _training,
    "training.completed": _training_completed,
    "training.completion_withdrawn": _training_withdrawn,
    "customer.feedback": _feedback,
    "regulator.notified": _regulator,
    "complaint.extended": _extended,
    "legal_hold.set": _hold_set,
    "legal_hold.lifted": _hold_lifted,
    "case.personal_data_erased": _erased,
    "customer.information_requested": _asked_customer,
    "customer.information_received": _customer_answered,
}


def sentence(event: ChainEvent) -> str:
    """What happened, in the active language. Falls back to the action's label."""
    tell = SENTENCES.get(event.action)
    if tell is None:
        return L.action(event.action)
    try:
        return tell(event.facts)
    except (KeyError, TypeError, ValueError):
        # A payload of an older shape: the label still says what happened.
        return L.action(event.action)


def actor(event: ChainEvent) -> str:
    return L.text("system") if event.actor == "system" else event.actor
