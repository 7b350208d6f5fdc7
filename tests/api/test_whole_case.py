"""Done when: one case from report to close through the API alone, as the roles and the
two service accounts: the complaint system reports it and reads its outcome, HR records the
execution, each with its token.

No page, no shell: every step is claimed from the caller's candidate list, read with its
form's JSON Schema (whose fields name the people and items of this case), and completed
with a body built from that form. The two timers (the appeal window, the wait before the
effectiveness review) are fired as the scheduler fires them.
"""

import datetime as dt
import re

import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers

from tests.api.client import Caller, service_caller
from violations import audit
from violations.models import Case


def _fields(form, pattern):
    return sorted(name for name in form["properties"] if re.fullmatch(pattern, name))


def _choice(form, field, user=None):
    """The value of ``user`` (or the first choice) among the choices the form offers."""
    options = form["properties"][field].get("oneOf") or form["properties"][field]["items"]["oneOf"]
    for option in options:
        if user is None or option["const"] == str(user.pk):
            return option["const"]
    raise AssertionError(f"{user} is not offered in {field}: {options}")


def _fire_timers(days):
    with time_machine.travel(timezone.now() + dt.timedelta(days=days), tick=False):
        fire_due_timers()


def test_one_case_from_report_to_close_through_the_api(world):
    w = world
    cache.clear()  # the tokens' rate counters and "used" marks
    reporter = service_caller("complaint-system", username="complaint-desk")
    officer, manager = Caller(w.officer), Caller(w.manager)
    lead, member = Caller(w.investigator), Caller(w.investigator2)
    depthead, owner, reviewer = Caller(w.depthead), Caller(w.owner), Caller(w.reviewer)
    hr = service_caller("hr-system", username="hr-system")

    receipt = reporter.ok(
        reporter.post(
            "/cases/",
            {
                "source": "customer_complaint",
                "customer_involved": True,
                "customer_name": "Mrs Wong",
                "category": w.category.code,
                "title": "Unsuitable product sold",
                "description": "Sold a high-risk fund to a retiree.",
                "occurred_at": (timezone.now() - dt.timedelta(days=2)).isoformat(),
                "department": w.dept.code,
                "subjects": [w.subject.staff_number],
            },
        ),
        201,
    )
    ref = receipt["reference"]
    assert set(receipt) == {"reference", "stage", "acknowledge_due_at"}
    assert receipt["stage"] == "verification"

    # Verification, and the acknowledgement the reporter is owed.
    manager.ok(manager.post(f"/cases/{ref}/acknowledge/", {"message": "Received."}), 201)
    task = officer.take(ref, "verify")
    assert "outcome" in task["form"]["properties"]
    done = officer.complete(task, {"outcome": "proceed"})
    # The officer no longer sees the case; they learn where it went, and nothing else.
    assert done["stage"] is None
    assert [s["title"] for s in done["next_steps"]] == ["Set up the investigation team"]
    assert manager.ok(manager.get(f"/cases/{ref}/"))["stage"] == "team"

    # The team: the manager names a lead and a member, who declare before seeing the case.
    task = manager.take(ref, "form_team")
    form = task["form"]
    done = manager.complete(
        task,
        {
            "lead": _choice(form, "lead", w.investigator),
            "members": [_choice(form, "members", w.investigator2)],
        },
    )
    assert lead.get(f"/cases/{ref}/").status_code == 404  # not before declaring
    for person in (lead, member):
        person.ok(person.post(f"/cases/{ref}/declaration/", {"has_conflict": "no"}), 201)
    assert lead.ok(lead.get(f"/cases/{ref}/"))["stage"] == "investigation"

    # Investigation: an interview, an evidence file (multipart), the report.
    member.ok(
        member.post(
            f"/cases/{ref}/interviews/",
            {
                "interviewee": "Chan Tai Man",
                "held_at": timezone.now().isoformat(),
                "summary": "Admitted the sale.",
            },
        ),
        201,
    )
    lead.ok(
        lead.post(
            f"/cases/{ref}/evidence/",
            {
                "kind": "document",
                "description": "Call transcript",
                "file": SimpleUploadedFile("call.pdf", b"%PDF-1.4\n% call\n", "application/pdf"),
            },
            format="multipart",
        ),
        201,
    )
    task = lead.take(ref, "investigate")
    lead.complete(
        task, {"summary": "Interviewed and reviewed the call.", "conclusion": "Mis-sold."}
    )

    task = lead.take(ref, "find_facts")
    form = task["form"]
    done = lead.complete(
        task,
        {
            "established": "yes",
            "category": _choice(form, "category"),
            "nature": "Mis-selling of a high-risk product",
            "severity": "general",
            "customer_loss": "1200.00",
            f"resp_{w.subject.pk}": "direct",
            "facts_clear": True,
            "evidence_conclusive": True,
            "characterization_accurate": True,
            "handling_appropriate": True,
        },
    )
    assert done["stage"] == "sanction_proposal"

    # Proposal, the persons heard, approval (segregation of duties: not the proposer).
    task = officer.take(ref, "propose")
    (line,) = _fields(task["form"], r"p\d+_0_type")
    prefix = line.removesuffix("type")
    officer.complete(
        task,
        {
            f"{prefix}type": "warning",
            f"{prefix}form": "written",
            f"{prefix}justification": "Exceptional circumstances, see the file.",
            "justification": "In line with precedent.",
        },
    )
    task = officer.take(ref, "defence")
    (outcome,) = _fields(task["form"], r"d\d+_outcome")
    officer.complete(task, {outcome: "statement", outcome.replace("outcome", "text"): "I accept."})

    assert officer.candidates(ref, "approve") == []  # the proposer never approves
    task = depthead.take(ref, "approve")
    depthead.complete(task, {"decision": "approve"})
    assert manager.ok(manager.get(f"/cases/{ref}/"))["stage"] == "post_approval"

    # After approval: HR (its system, by token) reads the sanction and records the
    # execution; the officer plans remediation.
    (approved,) = hr.ok(hr.get("/sanctions/", status="approved"))["results"]
    assert approved["case"] == ref
    task = hr.take(ref, "execute_sanctions")
    assert task["id"] == approved["task"]
    (date,) = _fields(task["form"], r"i\d+_date")
    hr.complete(task, {date: timezone.localdate().isoformat()})
    task = officer.take(ref, "plan_remediation")
    form = task["form"]
    officer.complete(
        task,
        {
            "cause1_category": "training",
            "cause1_description": "Staff did not know the suitability rules",
            "action1_kind": "training",
            "action1_description": "Retrain the desk",
            "action1_owner": _choice(form, "action1_owner", w.owner),
            "action1_due": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "action1_causes": ["1"],
        },
    )
    open_steps = {t["step"] for t in manager.ok(manager.get(f"/cases/{ref}/"))["open_tasks"]}
    for step, caller, fields in (
        (
            "customer_feedback",
            officer,
            {
                "channel": "phone",
                "notified_at": timezone.now().isoformat(),
                "notice_summary": "Outcome explained",
                "compensation": "0",
            },
        ),
        (
            "notify_regulator",
            officer,
            {
                "regulator": "HKMA",
                "notified_at": timezone.now().isoformat(),
                "reference_number": "REG-1",
                "summary": "Mis-selling",
            },
        ),
    ):
        if step in open_steps:
            caller.complete(caller.take(ref, step), fields)

    # The owner completes the corrective action with its proof (a file, multipart).
    task = owner.take(ref, "complete_action")
    owner.complete(
        task,
        {
            "completion_note": "Training held",
            "proof": SimpleUploadedFile("attendance.pdf", b"%PDF-1.4\n% att\n", "application/pdf"),
        },
        format="multipart",
    )

    _fire_timers(days=31)  # the appeal window runs out with no appeal
    _fire_timers(days=120)  # the wait before judging effectiveness
    task = reviewer.take(ref, "review")
    reviewer.complete(
        task,
        {
            "verdict": "effective",
            "timeliness": "On time",
            "pertinence": "Covers the cause",
            "effectiveness": "No recurrence",
            "reasons": "Worked",
        },
    )

    case = manager.ok(manager.get(f"/cases/{ref}/"))
    assert case["stage"] == "closed", case
    # The complaint system learns the outcome of what it reported.
    outcome = reporter.ok(reporter.get(f"/reports/{ref}/"))
    assert (outcome["stage"], outcome["outcome"]) == ("closed", case["outcome"])
    assert outcome["outcome"]
    assert hr.ok(hr.get("/sanctions/", status="executed"))["results"][0]["case"] == ref
    assert case["open_tasks"] == []
    timeline = manager.ok(manager.get(f"/cases/{ref}/timeline/"))
    actions = [e["action"] for e in timeline]
    assert actions[0] == "case.reported"
    assert len(actions) == audit.events_of(Case.objects.get(reference=ref)).count()
