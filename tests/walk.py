"""Drive a case through the process with the services, one stage at a time."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework import services as work
from casework.engine import open_task
from remediation import services as rem
from sanctions import services as sanc
from violations import services
from violations.models import Case

# What a proposal of each kind typically says (the kinds with a period or an amount take
# those as keyword arguments of ``Walk.propose``).
TYPICAL_PARAMETERS = {
    "warning": {"form": "written"},
    "criticism": {"scope": "department"},
    "suspension": {"authorities": ["FX trading"]},
    "deduction": {"currency": "HKD", "pay_period": "2026 annual bonus"},
    "demotion": {"change": "demotion", "from": "Relationship manager", "to": "Teller"},
    "judicial": {"authority": "Police"},
}


class Walker:
    def __init__(self, world):
        self.w = world

    def task(self, case, name):
        task = open_task(case, name)
        assert task is not None, f"no open {name} task; open: {self.open_names(case)}"
        return task

    def open_names(self, case):
        return sorted(
            t.flow_task.name
            for t in Task.objects.filter(
                process_id=case.process_id,
                status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED, STATUS.SCHEDULED],
            )
        )

    def refresh(self, case):
        return Case.objects.get(pk=case.pk)

    def report(self, *, customer=False, anonymous=False, subjects=None, **kw):
        kw.setdefault("occurred_at", timezone.now() - dt.timedelta(days=2))
        return work.case_report(
            actor=self.w.reporter,
            source="customer_complaint" if customer else "staff_report",
            category=self.w.category,
            title="Unsuitable product sold",
            description="Sold a high-risk fund to a retiree.",
            department=self.w.dept,
            subjects=subjects or [self.w.subject],
            customer_involved=customer,
            customer_name="Madam Wong" if customer else "",
            is_anonymous=anonymous,
            **kw,
        )

    def verify(self, case, outcome="proceed", **kw):
        return work.verification_complete(
            task=self.task(case, "verify"), actor=self.w.officer, outcome=outcome, **kw
        )

    def form_team(self, case, declare=True):
        work.team_form(
            task=self.task(case, "form_team"),
            actor=self.w.manager,
            lead=self.w.investigator,
            members=[self.w.investigator2],
        )
        if declare:
            services.team_declare(case=case, actor=self.w.investigator, has_conflict=False)
            services.team_declare(case=case, actor=self.w.investigator2, has_conflict=False)

    def investigate(self, case):
        case = self.refresh(case)
        services.interview_record(
            case=case,
            actor=self.w.investigator2,
            interviewee="Chan Tai Man",
            held_at=timezone.now(),
            summary="Admitted the sale.",
        )
        services.evidence_add(
            case=case,
            actor=self.w.investigator,
            upload=SimpleUploadedFile("call.txt", b"call transcript", "text/plain"),
            kind="document",
            description="Call transcript",
        )
        return work.investigation_submit(
            task=self.task(case, "investigate"),
            actor=self.w.investigator,
            summary="Interviewed and reviewed the call.",
            conclusion="Mis-sold.",
        )

    def find_facts(self, case, established=True, severity="general", people=None):
        kw = {}
        if established:
            kw = dict(
                severity=severity,
                facts_clear=True,
                evidence_conclusive=True,
                characterization_accurate=True,
                handling_appropriate=True,
                responsible=people or [(self.w.subject, "direct")],
                customer_loss=Decimal("1200"),
            )
        return work.facts_determine(
            task=self.task(case, "find_facts"),
            actor=self.w.investigator,
            established=established,
            category=self.w.category,
            nature="Mis-selling of a high-risk product",
            **kw,
        )

    def propose(self, case, sanction="warning", *, defence=True, factors=None, **kw):
        """Propose one sanction per responsible person; by default also record that each
        was heard (``defence=False`` leaves the case at the defence step)."""
        case = self.refresh(case)
        finding = case.findings.order_by("-round").first()
        # Only read when the sanction falls outside the person's matrix range.
        kw.setdefault("justification", "Exceptional circumstances, see the file.")
        kw.setdefault("parameters", TYPICAL_PARAMETERS.get(sanction, {}))
        items = [
            sanc.SanctionItem(responsible=rp, sanction_type=sanction, **kw)
            for rp in finding.responsible.all()
        ]
        proposal = work.sanction_propose(
            task=self.task(case, "propose"),
            actor=self.w.officer,
            items=items,
            justification="In line with precedent.",
            factors=factors,
        )
        if defence:
            self.defence(case)
        return proposal

    def defence(self, case, outcome="statement", text="I accept the findings.", actor=None):
        case = self.refresh(case)
        proposal = case.sanction_proposals.order_by("-round").first()
        responses = {
            d.employee_id: (outcome, text) for d in proposal.defences.filter(status="pending")
        }
        return work.defence_record(
            task=self.task(case, "defence"), actor=actor or self.w.officer, responses=responses
        )

    def decide(self, case, decision="approve", approver=None, reason=""):
        return work.sanction_decide(
            task=self.task(case, "approve"),
            actor=approver or self.w.depthead,
            decision=decision,
            reason=reason or ("" if decision == "approve" else "Needs more."),
        )

    def execute(self, case, *, close_appeal_window=True):
        """Record execution; by default the appeal window then runs out with no appeal
        (``close_appeal_window=False`` keeps it open)."""
        case = self.refresh(case)
        proposal = sanc.approved_proposal(case)
        items = work.sanction_execute(
            task=self.task(case, "execute_sanctions"),
            actor=self.w.hr,
            executions={i.pk: (timezone.localdate(), "done") for i in proposal.items.all()},
        )
        if close_appeal_window:
            self.close_appeal_window(case)
        return items

    def close_appeal_window(self, case):
        """Fire this case's appeal-window timer as the dispatcher would once it is due."""
        import time_machine
        from viewflow.workflow.status import STATUS

        from casework.engine import node

        task = case.process.task_set.get(flow_task=node("appeal_window"), status=STATUS.SCHEDULED)
        with (
            time_machine.travel(task.scheduled + dt.timedelta(seconds=1), tick=False),
            task.activation() as activation,
        ):
            activation.start()
            activation.execute()

    def plan(self, case, actions=1, due_date=None):
        specs = [
            rem.ActionSpec(
                kind="training",
                description=f"Retrain the desk {i}",
                owner=self.w.owner,
                due_date=due_date or timezone.localdate() + dt.timedelta(days=30),
                causes=[0],
            )
            for i in range(actions)
        ]
        return work.remediation_plan(
            task=self.task(case, "plan_remediation"),
            actor=self.w.officer,
            causes=[rem.CauseSpec("training", "Staff did not know the suitability rules")],
            actions=specs,
        )

    def complete_actions(self, case):
        while (task := open_task(case, "complete_action")) is not None:
            work.action_complete(
                task=task,
                actor=self.w.owner,
                completion_note="Training held",
                proof_link="https://intranet.example/training/42",
            )

    def fire_timers(self, case, days=91):
        import time_machine
        from viewflow.workflow.timers import fire_due_timers

        with time_machine.travel(timezone.now() + dt.timedelta(days=days), tick=False):
            fire_due_timers()

    def review(self, case, verdict="effective"):
        return work.effectiveness_review(
            task=self.task(case, "review"),
            actor=self.w.reviewer,
            verdict=verdict,
            timeliness="On time",
            pertinence="Covers the cause",
            effectiveness="No recurrence",
            reasons="Worked",
        )

    def feedback(self, case):
        return work.customer_feedback_record(
            task=self.task(case, "customer_feedback"),
            actor=self.w.officer,
            channel="phone",
            notified_at=timezone.now(),
            notice_summary="Outcome explained",
            apology=True,
            compensation=Decimal("1200"),
            compensation_paid_on=timezone.localdate(),
            satisfaction=4,
        )

    def notify_regulator(self, case):
        return work.regulator_notify(
            task=self.task(case, "notify_regulator"),
            actor=self.w.officer,
            regulator="HKMA",
            notified_at=timezone.now(),
            reference_number="REG-1",
            summary="Major mis-selling",
        )

    def to_approval(self, case, **kw):
        self.verify(case)
        self.form_team(case)
        self.investigate(case)
        self.find_facts(case, **kw)
        self.propose(case)
        return self.refresh(case)
