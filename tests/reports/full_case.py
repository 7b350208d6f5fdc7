"""A case that holds one of every record: heard, appealed and decided, redressed, reported to
the regulator, remediated with training, every evidence change; its people with names,
positions and logins that differ from both, and free text that spells the withheld values
in other ways than their fields do."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework import services as work
from remediation import services as rem
from reports import services as report_services
from tests.violations.factories import UserFactory
from violations import services
from violations.models import Case, Employee

# The values each profile may withhold, as their fields hold them...
CUSTOMER_NAME = "Madam Wong Siu Fong 黃小芳"
CUSTOMER_PHONE = "+852 6123 4567"
CUSTOMER_EMAIL = "wong.sf@example.com"
CUSTOMER_CONTACT = f"{CUSTOMER_PHONE} / {CUSTOMER_EMAIL}"
SUBJECT_NAME = "Chan Tai Man 陳大文"
WITNESS = "Lee Ka Yan 李家欣"
REPORTER_LOGIN = "tipster.mei"
REPORTER_NAME = ("Mei", "Tipster")

# ...and as people type them into free text.
VARIANTS = {
    "customer phone": ["61234567", "6123-4567", "6123 4567", "(852) 6123-4567", "+85261234567"],
    "customer e-mail": ["WONG.SF@EXAMPLE.COM", "Wong.Sf@Example.Com"],
    "customer name": [
        "madam wong siu fong",
        "WONG Siu-fong",
        "Siu Fong Wong",
        "黃 小 芳",
        "黄小芳",
    ],
    "subject name": ["CHAN TAI-MAN", "chantaiman", "Tai Man Chan", "陳 大 文", "陈大文"],
    "witness name": ["LEE KA-YAN", "Ka Yan Lee", "李 家 欣"],
    "reporter": ["Tipster Mei", "TIPSTER.MEI@BANK.EXAMPLE", "MEI TIPSTER"],
}
STATEMENT = "I sold the fund because the customer insisted. Call " + ", ".join(
    VARIANTS["customer phone"]
)
GROUNDS = "The demotion is out of proportion; ask " + " or ".join(VARIANTS["customer e-mail"])
DECISION = "The sale was unsuitable whatever " + "; ".join(VARIANTS["subject name"]) + " says."

# Logins that read like no word, so a test can look for them anywhere.
LOGINS = {
    "reporter": REPORTER_LOGIN,
    "officer": "u7.officer",
    "manager": "u7.manager",
    "investigator": "u7.lead",
    "investigator2": "u7.member",
    "depthead": "u7.head",
    "senior": "u7.senior",
    "hr": "u7.hr",
    "owner": "u7.owner",
    "reviewer": "u7.reviewer",
    "auditor": "u7.auditor",
}
NAMES = {
    "officer": ("Ho", "Wing Sze"),
    "manager": ("Ng", "Ka Ming"),
    "investigator": ("Yip", "Chi Keung"),
    "investigator2": ("Tse", "Man Yee"),
    "senior": ("Kwok", "Lai Ping"),
    "hr": ("Lau", "Hoi Ting"),
    "owner": ("Mak", "Sin Yi"),
    "reviewer": ("Cheung", "Tsz Yan"),
    "auditor": ("Fung", "Wai Lun"),
}


def name_the_world(world) -> None:
    """Give every login a distinctive username and a name (the department head is named by
    its employee record); the reporter is staff with an employee record of their own."""
    for field, login in LOGINS.items():
        user = getattr(world, field)
        user.username = login
        if field in NAMES:
            user.last_name, user.first_name = NAMES[field]
        if field == "reporter":
            user.first_name, user.last_name = REPORTER_NAME
            user.email = "tipster.mei@bank.example"
        user.save()
    Employee.objects.create(
        staff_number="W0100",
        name="Mei Tipster",
        department=world.dept,
        position="Teller",
        user=world.reporter,
    )
    world.subject.name = SUBJECT_NAME
    world.subject.save(update_fields=["name"])


def walk_everything(walk, world) -> Case:
    """The full case, closed, exported once."""
    name_the_world(world)
    case = walk.report(customer=True)
    Case.objects.filter(pk=case.pk).update(
        customer_name=CUSTOMER_NAME,
        customer_contact=CUSTOMER_CONTACT,
        customer_reference="CUST-88231",
        description=(
            "Sold a high-risk fund to a retiree. Customer: "
            + "; ".join(VARIANTS["customer name"] + VARIANTS["customer phone"])
            + ". Reported by "
            + ", ".join(VARIANTS["reporter"])
            + "."
        ),
    )
    walk.verify(case)
    walk.form_team(case)
    case = walk.refresh(case)
    services.interview_record(
        case=case,
        actor=world.investigator2,
        interviewee=WITNESS,
        held_at=timezone.now(),
        summary="Saw " + ", ".join(VARIANTS["witness name"] + VARIANTS["subject name"]) + ".",
    )
    services.record_review_add(
        case=case,
        actor=world.investigator,
        record="Branch call log",
        findings="Three calls to " + " and ".join(VARIANTS["customer phone"][:3]),
    )
    first = services.evidence_add(
        case=case,
        actor=world.investigator,
        upload=SimpleUploadedFile("notes.txt", b"branch notes", "text/plain"),
        kind="document",
        description="Branch notes",
    )
    services.evidence_supersede(
        evidence=first,
        actor=world.investigator,
        upload=SimpleUploadedFile("notes-v2.txt", b"branch notes, complete", "text/plain"),
        reason="The first notes missed the last page.",
    )
    walk.investigate(case)
    walk.find_facts(case, severity="major")
    walk.propose(case, sanction="demotion", detail="Transfer to back office", defence=False)
    walk.defence(case, outcome="statement", text=STATEMENT)
    walk.decide(case, approver=world.senior)
    walk.execute(case, close_appeal_window=False)
    appeal = work.appeal_file(case=case, actor=world.hr, employee=world.subject, grounds=GROUNDS)
    walk.feedback(case)
    walk.notify_regulator(case)
    walk.plan(case, actions=1)
    walk.complete_actions(case)
    rem.training_record(
        actor=world.owner,
        topic="Suitability of high-risk funds",
        held_on=timezone.localdate(),
        trainer="Compliance training unit",
        attendees=[world.subject, world.subject2],
        cases=[case],
        root_causes=list(case.root_causes.all()),
        notes="Covered the complaint of " + VARIANTS["customer name"][1],
    )
    walk.fire_timers(case)
    walk.review(case)
    decider = UserFactory(
        username="u7.senior2", first_name="Lai Ping", last_name="So", roles=["Senior management"]
    )
    work.appeal_decide(
        task=walk.task(case, "decide_appeal"),
        actor=decider,
        appeal=appeal,
        outcome="upheld",
        reason=DECISION,
    )
    case = walk.refresh(case)
    report_services.casefile_export(case=case, actor=world.auditor)
    return walk.refresh(case)
