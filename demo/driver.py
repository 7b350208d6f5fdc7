"""Walks demo cases through the process with the real services and canned answers.

Each open human task is completed by a handler for its step, acting as the demo user who
holds that role, so demo data obeys every rule the product enforces.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework import services as work
from casework.engine import open_tasks
from remediation import services as rem
from sanctions import selectors as sanc_selectors
from sanctions import services as sanc
from violations import policy, services
from violations.models import Case

User = get_user_model()


class Driver:
    def __init__(self):
        self.u = {u.username: u for u in User.objects.all()}

    def user(self, name):
        return self.u[name]

    def open_human(self, case):
        return [t for t in open_tasks(case).filter(flow_task_type="HUMAN")]

    def names(self, case):
        return sorted(t.flow_task.name for t in self.open_human(case))

    def step(self, case, name, **opts):
        """Complete the first open task of step ``name`` with canned data."""
        task = next((t for t in self.open_human(case) if t.flow_task.name == name), None)
        if task is None:
            raise RuntimeError(f"{case.reference}: no open {name} task (open: {self.names(case)})")
        getattr(self, f"do_{name}")(Case.objects.get(pk=case.pk), task, **opts)

    # --- handlers --------------------------------------------------------------------------

    def do_verify(self, case, task, outcome="proceed", duplicate_of=None):
        reasons = {
            "proceed": "",
            "dismiss": "The transaction records show the product was suitable and fully disclosed.",
            "duplicate": "Same complaint already under investigation.",
        }
        work.verification_complete(
            task=task,
            # The original is past verification and out of the officer's sight; a case
            # manager sees every case and names it (``policy.duplicate_candidates``).
            actor=self.user("manager" if outcome == "duplicate" else "officer"),
            outcome=outcome,
            reason=reasons[outcome],
            first_evidence="Call recording and account opening file retrieved.",
            duplicate_of=duplicate_of,
        )

    def do_form_team(self, case, task, declare=True):
        work.team_form(
            task=task,
            actor=self.user("manager"),
            lead=self.user("investigator"),
            members=[self.user("investigator2")],
            note="Standard team for a conduct case.",
        )
        if declare:
            for name in ("investigator", "investigator2"):
                services.team_declare(case=case, actor=self.user(name), has_conflict=False)

    def do_investigate(self, case, task):
        subject = case.subjects.first()
        services.interview_record(
            case=case,
            actor=self.user("investigator2"),
            interviewee=subject.name,
            interviewee_employee=subject,
            held_at=timezone.now(),
            summary="The employee confirmed the sale and said the risk questionnaire was completed later.",
        )
        services.record_review_add(
            case=case,
            actor=self.user("investigator"),
            record="Sales system log and risk profile",
            findings="Risk profile dated two days after the subscription.",
        )
        services.evidence_add(
            case=case,
            actor=self.user("investigator"),
            upload=SimpleUploadedFile(
                "call-transcript.txt",
                f"Transcript for {case.reference}\n通話記錄 / 通话记录\n".encode(),
                "text/plain",
            ),
            kind="recording",
            description="Call transcript 通話記錄",
        )
        work.investigation_submit(
            task=task,
            actor=self.user("investigator"),
            summary="One interview, one record review and the call transcript.",
            conclusion="The product was sold before suitability was assessed.",
        )

    def do_find_facts(self, case, task, established=True, severity="general", responsible=None):
        subject = case.subjects.first()
        kw = {}
        if established:
            people = [(subject, "direct")]
            if responsible == "with_manager" and subject.line_manager:
                people.append((subject.line_manager, "managerial"))
            kw = dict(
                severity=severity,
                responsible=people,
                facts_clear=True,
                evidence_conclusive=True,
                characterization_accurate=True,
                handling_appropriate=True,
                customer_loss=Decimal("18000") if case.customer_involved else Decimal("0"),
            )
        work.facts_determine(
            task=task,
            actor=self.user("investigator"),
            established=established,
            category=case.category,
            nature=(
                "Sale of an unsuitable product without a suitability assessment."
                if established
                else "The records show the procedure was followed; the allegation is not supported."
            ),
            legal_matter=severity == "major",
            **kw,
        )

    PARAMS = {
        "warning": dict(parameters={"form": "written"}),
        "criticism": dict(parameters={"scope": "department"}),
        "suspension": dict(
            parameters={"authorities": ["Investment product sales", "Margin lending"]}
        ),
        "deduction": dict(
            amount=Decimal("20000"),
            parameters={"currency": "HKD", "pay_period": "2026 annual bonus"},
        ),
        "demotion": dict(
            parameters={
                "change": "demotion",
                "from": "Senior relationship manager",
                "to": "Relationship manager",
            }
        ),
        "termination": {},
        "judicial": dict(
            parameters={"authority": "Hong Kong Police Force, Commercial Crime Bureau"}
        ),
    }

    def do_propose(self, case, task, sanction=None):
        """Propose the matrix's recommendation for each person (or ``sanction`` if it is within
        the person's range), then record that each person was heard."""
        from sanctions.selectors import assess

        finding = case.findings.order_by("-round").first()
        items = []
        today = timezone.localdate()
        for rp in finding.responsible.select_related("employee"):
            allowed = assess(finding, rp).range
            kind = sanction if sanction and allowed.allows(sanction) else allowed.recommended
            extra = dict(self.PARAMS[kind])
            if kind == "suspension":
                extra.update(period_start=today, period_end=today + dt.timedelta(days=90))
            items.append(sanc.SanctionItem(responsible=rp, sanction_type=kind, **extra))
        work.sanction_propose(
            task=task,
            actor=self.user("officer"),
            items=items,
            justification="Consistent with the matrix and with precedent cases.",
        )

    def do_defence(self, case, task, outcome="statement"):
        proposal = case.sanction_proposals.order_by("-round").first()
        responses = {
            d.employee_id: (outcome, "I accept the findings and regret the error.")
            for d in proposal.defences.filter(status="pending")
        }
        work.defence_record(task=task, actor=self.user("officer"), responses=responses)

    def do_approve(self, case, task, decision="approve", approver=None):
        proposal = case.sanction_proposals.filter(status="pending").first()
        if approver is None:
            approver = {"department": "depthead", "compliance": "manager", "senior": "senior"}[
                proposal.required_level
            ]
            if (
                approver == "depthead"
                and not policy.standing(self.user("depthead"), case).heads_subject_department
            ):
                approver = "manager"
            if (
                approver == "senior"
                and proposal.decisions.filter(approver__username="senior").exists()
            ):
                approver = "senior2"
        work.sanction_decide(
            task=task,
            actor=self.user(approver),
            decision=decision,
            reason="" if decision == "approve" else "The proposal needs another look.",
        )

    def do_execute_sanctions(self, case, task):
        proposal = sanc.approved_proposal(case)
        work.sanction_execute(
            task=task,
            actor=self.user("hr"),
            executions={
                i.pk: (timezone.localdate(), "Letter issued and filed.")
                for i in proposal.items.all()
            },
        )

    def do_execute_revised(self, case, task):
        work.sanction_execute(
            task=task,
            actor=self.user("hr"),
            executions={
                i.pk: (timezone.localdate(), "Revised letter issued.")
                for i in sanc_selectors.revised_to_execute(case)
            },
        )

    def do_decide_appeal(self, case, task, outcome="upheld"):
        """Decided by a senior manager outside the original chain (never the approver)."""
        appeal = sanc_selectors.open_appeals(case).order_by("filed_at").first()
        approvers = set(
            case.sanction_proposals.values_list("decisions__approver__username", flat=True)
        )
        decider = next(name for name in ("senior2", "senior") if name not in approvers)
        work.appeal_decide(
            task=task,
            actor=self.user(decider),
            appeal=appeal,
            outcome=outcome,
            reason="The sanction stands: the facts and the grade were right.",
        )

    def do_customer_feedback(self, case, task):
        work.customer_feedback_record(
            task=task,
            actor=self.user("officer"),
            channel="Phone call and letter",
            notified_at=timezone.now(),
            notice_summary="Outcome explained; apology made; refund arranged.",
            apology=True,
            compensation=Decimal("18000"),
            compensation_paid_on=timezone.localdate(),
            customer_response="Accepted the apology and the refund.",
            satisfaction=4,
        )

    def do_notify_regulator(self, case, task):
        work.regulator_notify(
            task=task,
            actor=self.user("officer"),
            regulator="Hong Kong Monetary Authority",
            notified_at=timezone.now(),
            reference_number=f"HKMA-{case.reference[-6:]}",
            summary="Major mis-selling incident; sanctions approved; remediation under way.",
        )

    def do_plan_remediation(self, case, task, actions=2):
        today = timezone.localdate()
        specs = [
            rem.ActionSpec(
                kind="training",
                description="Special training on suitability rules for the branch",
                owner=self.user("owner"),
                due_date=today + dt.timedelta(days=30),
                causes=[0],
            ),
            rem.ActionSpec(
                kind="system_fix",
                description="Block subscriptions until the risk profile is on file",
                owner=self.user("owner"),
                due_date=today + dt.timedelta(days=45),
                causes=[1],
            ),
        ][:actions]
        work.remediation_plan(
            task=task,
            actor=self.user("officer"),
            causes=[
                rem.CauseSpec(
                    "training", "Staff unaware that the assessment must precede the sale."
                ),
                rem.CauseSpec(
                    "system", "The sales system allows a subscription without a risk profile."
                ),
            ],
            actions=specs,
        )

    def do_complete_action(self, case, task):
        work.action_complete(
            task=task,
            actor=self.user("owner"),
            completion_note="Done; attendance sheet and change ticket attached.",
            proof_link="https://intranet.example/proof/" + case.reference,
        )

    def do_review(self, case, task, verdict="effective"):
        work.effectiveness_review(
            task=task,
            actor=self.user("reviewer"),
            verdict=verdict,
            timeliness="Actions were completed before their due dates.",
            pertinence="Each root cause has a completed action.",
            effectiveness="No recurrence in the department since completion."
            if verdict == "effective"
            else "A similar case recurred in the same branch.",
            reasons="Evidence supports the verdict.",
        )

    def complete_all(self, case, name):
        while any(t.flow_task.name == name for t in self.open_human(case)):
            self.step(case, name)

    def fire_timers(self, when):
        import time_machine
        from viewflow.workflow.timers import fire_due_timers

        with time_machine.travel(when, tick=False):
            return fire_due_timers()

    def scheduled(self, case):
        return Task.objects.filter(process_id=case.process_id, status=STATUS.SCHEDULED).exists()
