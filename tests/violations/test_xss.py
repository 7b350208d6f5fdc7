"""Free text typed into any form comes out inert on every page that shows it."""

import datetime as dt

from django.test import Client
from django.utils import timezone
from viewflow.workflow.models import Task

from casework import services as work
from casework.engine import open_task
from casework.flows import CaseFlow
from remediation import services as rem
from sanctions import services as sanc
from violations import services

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
RAW_MARKERS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<img src=x"]


def text(field):
    """A field's value: both payloads, tagged with the field so a leak says where it came from."""
    return f"{field}: {PAYLOADS[0]} {PAYLOADS[1]}"


def page_is_inert(body: str, where: str):
    for marker in RAW_MARKERS:
        assert marker not in body, f"unescaped payload on {where}"


def test_payloads_in_every_free_text_field_render_escaped(walk, world):
    w = world
    case = work.case_report(
        actor=w.reporter,
        source="customer_complaint",
        category=w.category,
        title=text("title"),
        description=text("description"),
        occurred_at=timezone.now() - dt.timedelta(days=2),
        department=w.dept,
        subjects=[w.subject],
        customer_involved=True,
        customer_name=text("customer"),
        customer_reference=text("custref"),
        customer_contact=text("contact"),
    )
    services.case_acknowledge(case=case, actor=w.officer, message=text("ack"))
    work.verification_complete(
        task=walk.task(case, "verify"),
        actor=w.officer,
        outcome="proceed",
        reason=text("verify reason"),
        first_evidence=text("first evidence"),
    )
    work.team_form(
        task=walk.task(case, "form_team"),
        actor=w.manager,
        lead=w.investigator,
        members=[w.investigator2],
        note=text("team note"),
    )
    services.team_declare(
        case=case, actor=w.investigator, has_conflict=False, statement=text("declaration")
    )
    services.team_declare(case=case, actor=w.investigator2, has_conflict=False)
    case = walk.refresh(case)
    services.interview_record(
        case=case,
        actor=w.investigator2,
        interviewee=text("interviewee"),
        held_at=timezone.now(),
        summary=text("interview"),
    )
    services.record_review_add(
        case=case, actor=w.investigator, record=text("record"), findings=text("review findings")
    )
    work.investigation_submit(
        task=walk.task(case, "investigate"),
        actor=w.investigator,
        summary=text("inv summary"),
        conclusion=text("inv conclusion"),
    )
    work.facts_determine(
        task=walk.task(case, "find_facts"),
        actor=w.investigator,
        established=True,
        category=w.category,
        nature=text("nature"),
        severity="general",
        facts_clear=True,
        evidence_conclusive=True,
        characterization_accurate=True,
        handling_appropriate=True,
        responsible=[(w.subject, "direct")],
    )
    case = walk.refresh(case)
    finding = case.findings.order_by("-round").first()
    items = [
        sanc.SanctionItem(
            responsible=rp,
            sanction_type="warning",
            parameters={"form": "written"},
            detail=text("sanction remark")[:300],
            justification=text("item justification"),
        )
        for rp in finding.responsible.all()
    ]
    work.sanction_propose(
        task=walk.task(case, "propose"),
        actor=w.officer,
        items=items,
        justification=text("proposal justification"),
    )
    walk.defence(case, text=text("defence"))
    work.sanction_decide(
        task=walk.task(case, "approve"),
        actor=w.depthead,
        decision="reject",
        reason=text("reject reason"),
    )
    work.sanction_propose(
        task=walk.task(case, "propose"),
        actor=w.officer,
        items=[
            sanc.SanctionItem(
                responsible=rp, sanction_type="warning", parameters={"form": "written"}
            )
            for rp in finding.responsible.all()
        ],
        justification="Again",
    )
    walk.defence(case)
    walk.decide(case)
    work.remediation_plan(
        task=walk.task(case, "plan_remediation"),
        actor=w.officer,
        causes=[rem.CauseSpec("training", text("root cause"))],
        actions=[
            rem.ActionSpec(
                kind="training",
                description=text("action"),
                owner=w.owner,
                due_date=timezone.localdate() + dt.timedelta(days=30),
                causes=[0],
            )
        ],
    )
    work.action_complete(
        task=walk.task(case, "complete_action"),
        actor=w.owner,
        completion_note=text("completion"),
        proof_link="https://intranet.example/p",
    )
    work.customer_feedback_record(
        task=walk.task(case, "customer_feedback"),
        actor=w.officer,
        channel="phone",
        notified_at=timezone.now(),
        notice_summary=text("notice"),
        apology=True,
        compensation=0,
        compensation_paid_on=None,
        satisfaction=4,
    )

    # Every page that shows the case, for someone who sees everything.
    client = Client()
    client.force_login(w.manager)
    pages = {
        "case page": case.get_absolute_url(),
        "case list": "/cases/",
        "process page": CaseFlow.instance.reverse("process_detail", args=[case.process_id]),
        "process list": CaseFlow.instance.reverse("process_list"),
        "task list": CaseFlow.instance.reverse("task_list"),
        "dashboard": CaseFlow.instance.reverse("index"),
    }
    for task in Task.objects.filter(process_id=case.process_id, flow_task_type="HUMAN"):
        pages[f"task {task.flow_task.name} #{task.pk}"] = task.flow_task.reverse(
            "detail", args=[task.process_id, task.pk]
        )
    shown = 0
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (where, response.status_code)
        body = response.content.decode()
        page_is_inert(body, where)
        shown += body.count("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert shown >= 15  # the payloads were on the pages, escaped

    # The step pages a user works in, and the reporter's own list.
    for name in ["execute_sanctions"]:
        task = open_task(case, name)
        hr = Client()
        hr.force_login(w.hr)
        hr.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
        response = hr.get(task.flow_task.reverse("execute", args=[task.process_id, task.pk]))
        assert response.status_code == 200
        page_is_inert(response.content.decode(), f"step {name}")
    reporter = Client()
    reporter.force_login(w.reporter)
    mine = reporter.get("/cases/mine/").content.decode()
    assert "&lt;script&gt;" in mine
    page_is_inert(mine, "my reports")
