"""The demo cases: each a report walked to a chosen point of the process."""

import datetime as dt

import time_machine
from django.utils import timezone

from casework import services as work
from deadlines.models import Kind as DeadlineKind
from deadlines.rules import deadline
from violations import services
from violations.models import Case, Department, Employee, ViolationCategory

from .driver import Driver

TITLES = {
    "SALES.UNSUITABLE": (
        "High-risk fund sold to a retired customer",
        "客戶投訴：向退休客戶銷售高風險基金。",
    ),
    "SALES.PRESSURE": (
        "Customer pressed to buy insurance with a loan",
        "Customer says the loan was tied to buying insurance.",
    ),
    "SERVICE.CONDUCT": ("Discourteous treatment at the counter", "客户投诉柜台职员态度恶劣。"),
    "SERVICE.REFUSAL": (
        "Complaint left unanswered for three weeks",
        "The complaint was logged but nobody replied.",
    ),
    "PRIVACY.DISCLOSURE": (
        "Customer statement e-mailed to the wrong person",
        "A statement was sent to another customer's address.",
    ),
    "OPERATIONS.KYC": (
        "Account opened without address proof",
        "KYC documents missing from the account opening file.",
    ),
    "INTEGRITY.FORGERY": (
        "Signature on a withdrawal slip appears forged",
        "Audit sampling found a mismatching signature.",
    ),
}

FULL = ["verify", "form_team", "investigate", "find_facts", "propose", "approve"]

# (days ago, department, category, source, customer?, anonymous?, plan)
SCENARIOS = [
    # awaiting preliminary verification
    (0, "RB-CEN", "SERVICE.CONDUCT", "customer_complaint", True, False, []),
    (2, "RB-KLN", "SERVICE.REFUSAL", "customer_complaint", True, False, ["ack"]),
    (1, "WM", "SALES.PRESSURE", "whistleblower", False, True, []),
    # team and investigation
    (6, "RB-CEN", "SALES.UNSUITABLE", "customer_complaint", True, False, ["verify"]),
    (
        9,
        "CARD",
        "PRIVACY.DISCLOSURE",
        "staff_report",
        False,
        False,
        ["verify", "form_team:nodeclare"],
    ),
    (12, "RB-CEN", "OPERATIONS.KYC", "audit_finding", False, False, ["verify", "form_team"]),
    (20, "WM", "SALES.UNSUITABLE", "regulator_referral", True, False, ["verify", "form_team"]),
    # fact finding, proposal, approval
    (
        25,
        "RB-CEN",
        "SALES.UNSUITABLE",
        "customer_complaint",
        True,
        False,
        ["verify", "form_team", "investigate"],
    ),
    (
        30,
        "OPS",
        "OPERATIONS.KYC",
        "audit_finding",
        False,
        False,
        ["verify", "form_team", "investigate", "find_facts"],
    ),
    (
        35,
        "RB-CEN",
        "SERVICE.CONDUCT",
        "customer_complaint",
        True,
        False,
        ["verify", "form_team", "investigate", "find_facts", "propose"],
    ),
    (
        40,
        "RB-KLN",
        "INTEGRITY.FORGERY",
        "audit_finding",
        False,
        False,
        ["verify", "form_team", "investigate", "find_facts:serious", "propose:suspension"],
    ),
    (
        45,
        "WM",
        "SALES.UNSUITABLE",
        "whistleblower",
        False,
        True,
        ["verify", "form_team", "investigate", "find_facts:major:with_manager", "propose:demotion"],
    ),
    # after approval: execution, feedback, regulator, remediation
    (60, "RB-CEN", "SALES.UNSUITABLE", "customer_complaint", True, False, FULL),
    (
        75,
        "RB-CEN",
        "SERVICE.REFUSAL",
        "customer_complaint",
        True,
        False,
        [*FULL, "execute_sanctions", "customer_feedback", "plan_remediation"],
    ),
    (
        90,
        "CARD",
        "PRIVACY.DISCLOSURE",
        "staff_report",
        False,
        False,
        [*FULL, "execute_sanctions", "plan_remediation", "complete_action:1"],
    ),
    (
        110,
        "RB-KLN",
        "OPERATIONS.KYC",
        "audit_finding",
        False,
        False,
        [*FULL, "execute_sanctions", "plan_remediation", "complete_actions", "timers"],
    ),
    (
        150,
        "RB-CEN",
        "SALES.UNSUITABLE",
        "customer_complaint",
        True,
        False,
        [
            *FULL,
            "execute_sanctions",
            "customer_feedback",
            "plan_remediation",
            "complete_actions",
            "timers",
            "review:ineffective",
        ],
    ),
    # an appeal against an executed sanction, awaiting decision by someone outside the chain
    (
        80,
        "RB-CEN",
        "SALES.PRESSURE",
        "staff_report",
        False,
        False,
        [*FULL, "execute_sanctions", "appeal"],
    ),
    # rejected, then re-proposed and approved; returned for more investigation
    (
        50,
        "RB-CEN",
        "SALES.PRESSURE",
        "customer_complaint",
        True,
        False,
        [
            "verify",
            "form_team",
            "investigate",
            "find_facts",
            "propose",
            "approve:reject",
            "propose",
        ],
    ),
    (
        55,
        "RB-CEN",
        "SERVICE.CONDUCT",
        "staff_report",
        False,
        False,
        ["verify", "form_team", "investigate", "find_facts", "propose", "approve:return"],
    ),
    # closed
    (
        200,
        "RB-CEN",
        "SALES.UNSUITABLE",
        "customer_complaint",
        True,
        False,
        [
            *FULL,
            "execute_sanctions",
            "customer_feedback",
            "plan_remediation",
            "complete_actions",
            "timers",
            "review",
        ],
    ),
    (
        240,
        "WM",
        "SALES.UNSUITABLE",
        "regulator_referral",
        True,
        False,
        [
            "verify",
            "form_team",
            "investigate",
            "find_facts:major:with_manager",
            "propose:demotion",
            "approve",
            "execute_sanctions",
            "customer_feedback",
            "notify_regulator",
            "plan_remediation",
            "complete_actions",
            "timers",
            "review",
        ],
    ),
    (
        260,
        "OPS",
        "OPERATIONS.KYC",
        "audit_finding",
        False,
        False,
        [*FULL, "execute_sanctions", "plan_remediation", "complete_actions", "timers", "review"],
    ),
    (
        280,
        "CARD",
        "SERVICE.REFUSAL",
        "customer_complaint",
        True,
        False,
        [
            "verify",
            "form_team",
            "investigate",
            "find_facts:general",
            "propose:deduction",
            "approve",
            "execute_sanctions",
            "customer_feedback",
            "plan_remediation",
            "complete_actions",
            "timers",
            "review",
        ],
    ),
    # dismissed, duplicate, not established
    (15, "RB-KLN", "SERVICE.CONDUCT", "customer_complaint", True, False, ["verify:dismiss"]),
    (100, "WM", "SALES.PRESSURE", "staff_report", False, False, ["verify:dismiss"]),
    (18, "RB-CEN", "SALES.UNSUITABLE", "customer_complaint", True, False, ["verify:duplicate"]),
    (
        70,
        "CARD",
        "PRIVACY.DISCLOSURE",
        "staff_report",
        False,
        False,
        ["verify", "form_team", "investigate", "find_facts:no"],
    ),
    (
        130,
        "RB-KLN",
        "INTEGRITY.FORGERY",
        "audit_finding",
        False,
        False,
        ["verify", "form_team", "investigate", "find_facts:no"],
    ),
]


def build_cases(out) -> int:
    driver = Driver()
    now = timezone.now()
    made = []
    for i, (days, dept_code, cat_code, source, customer, anonymous, plan) in enumerate(SCENARIOS):
        start = now - dt.timedelta(days=days, hours=(i * 5) % 9)
        with time_machine.travel(start, tick=False):
            dept = Department.objects.get(code=dept_code)
            staff = list(
                Employee.objects.filter(department=dept, user__isnull=True).order_by("staff_number")
            )
            subject = staff[(i * 7) % len(staff)]
            title, description = TITLES[cat_code]
            reporter = driver.user("reporter")
            case = work.case_report(
                actor=reporter,
                source=source,
                category=ViolationCategory.objects.get(code=cat_code),
                title=title,
                description=description,
                occurred_at=start - dt.timedelta(days=3),
                department=dept,
                subjects=[subject],
                customer_involved=customer,
                customer_name="Madam Wong Siu Ying 黃小英" if customer else "",
                customer_reference=f"CIF-{100200 + i}" if customer else "",
                is_anonymous=anonymous,
            )
        made.append(case)
        if "ack" not in plan and i % 7 != 3:
            # Most reports are acknowledged within a few hours; a few run late.
            with time_machine.travel(start + dt.timedelta(hours=2 + i % 5), tick=False):
                services.case_acknowledge(
                    case=case,
                    actor=driver.user("officer"),
                    message="Thank you; a compliance officer is reviewing your report.",
                )
        for n, action in enumerate(plan, start=1):
            when = start + dt.timedelta(
                days=min(n * max(days // (len(plan) + 2), 1), days), hours=1
            )
            with time_machine.travel(when, tick=False):
                run(driver, case, action, made, when)
        out.write(f"  {case.reference}  {Case.objects.get(pk=case.pk).get_stage_display()}")
    return len(made)


def run(driver, case, action, made, when):
    """Take one planned action, ``step`` or ``step:argument``, on ``case`` at ``when``."""
    name, _, arg = action.partition(":")
    if name == "ack":
        # An acknowledgement that came late.
        services.case_acknowledge(
            case=case, actor=driver.user("officer"), message="We are looking into it."
        )
    elif name == "verify":
        verify(driver, case, arg, made)
    elif name == "form_team":
        driver.step(case, "form_team", declare=arg != "nodeclare")
    elif name == "find_facts":
        find_facts(driver, case, arg)
    elif name == "propose":
        driver.step(case, "propose", sanction=arg or None)
        if "defence" in driver.names(case):
            driver.step(case, "defence")
    elif name == "approve":
        approve(driver, case, arg)
    elif name == "appeal":
        appeal(driver, case)
    elif name == "complete_actions":
        driver.complete_all(case, "complete_action")
    elif name == "timers":
        driver.fire_timers(deadline(DeadlineKind.REVIEW_DELAY).due(when) + dt.timedelta(minutes=1))
    elif name == "review":
        driver.step(case, "review", verdict=arg or "effective")
    else:
        driver.step(case, name)


def verify(driver, case, arg, made):
    """``verify``, ``verify:dismiss`` or ``verify:duplicate`` (of an earlier case in the category)."""
    if arg == "duplicate":
        original = next(c for c in made if c.category_id == case.category_id and c.pk != case.pk)
        driver.step(case, "verify", outcome="duplicate", duplicate_of=original)
    else:
        driver.step(case, "verify", outcome=arg or "proceed")


def find_facts(driver, case, arg):
    """``find_facts:no`` (not established) or ``find_facts[:severity[:with_manager]]``."""
    parts = arg.split(":") if arg else []
    if parts[:1] == ["no"]:
        driver.step(case, "find_facts", established=False)
    else:
        driver.step(
            case,
            "find_facts",
            severity=parts[0] if parts else "general",
            responsible=parts[1] if len(parts) > 1 else None,
        )


def approve(driver, case, decision):
    driver.step(case, "approve", decision=decision or "approve")
    # Two-approver sanctions need a second approval.
    while "approve" in driver.names(case) and not decision:
        driver.step(case, "approve")


def appeal(driver, case):
    """The first responsible person of the latest finding appeals, through HR."""
    person = case.findings.order_by("-round").first().responsible.first().employee
    work.appeal_file(
        case=case,
        actor=driver.user("hr"),
        employee=person,
        grounds="The sanction is disproportionate: this was a first error after ten years of service.",
    )
