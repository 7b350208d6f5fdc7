"""The reporting portal (/speak-up/): reports without an account, the receipt code, the
mailbox, the case team's side, and what is never stored."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from casework import services as work
from notifications.models import Notification
from reports.casefile import casefile_document
from reports.selectors.casefile import build_casefile
from violations import audit, services
from violations.exceptions import InvalidState, NotAllowed
from violations.models import (
    Case,
    Evidence,
    MessageDirection,
    MessageKind,
    ReporterIdentity,
    ReporterMessage,
    ReporterReceipt,
    Source,
)
from violations.services import mailbox

from .helpers import (
    code_from,
    open_mailbox,
    report_and_keep_code,
    report_data,
    rows_containing,
    send_message,
    send_report,
)

pytestmark = pytest.mark.django_db


def _pdf(name="note.pdf", body=b"%PDF-1.4 a statement\n"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _portal_case(world, **kw):
    kw.setdefault("reporter_type", "outsider")
    kw.setdefault("category", world.category)
    kw.setdefault("description", "Forms are backdated at the branch.")
    kw.setdefault("occurred_at", timezone.now() - dt.timedelta(days=3))
    return work.portal_report(**kw)


# --- intake ------------------------------------------------------------------------------------


def test_an_anonymous_outsider_reports_without_logging_in(client, world):
    code = report_and_keep_code(client, world)

    case = Case.objects.get()
    assert case.source == Source.WHISTLEBLOWER
    assert case.is_anonymous is True
    assert case.reported_by is None
    assert list(case.subjects.all()) == []
    assert "the manager of the Kowloon branch" in case.description
    assert case.process_id is not None  # its process started, the verify task waits
    assert not ReporterIdentity.objects.filter(case=case).exists()  # nothing to keep
    assert mailbox.case_by_receipt(code) == case
    reported = audit.events_of(case).get(action="case.reported")
    assert reported.actor_id is None
    assert reported.actor_name == "reporter (identity protected)"


def test_a_reporter_who_leaves_contact_details_has_them_in_the_vault_only(client, world):
    report_and_keep_code(
        client, world, identity="named", name="Ho Ka Yan", contact="kayan@example.org"
    )

    case = Case.objects.get()
    identity = ReporterIdentity.objects.get(case=case)
    assert (identity.user, identity.name, identity.contact) == (
        None,
        "Ho Ka Yan",
        "kayan@example.org",
    )
    assert case.is_anonymous is True
    assert "Ho Ka Yan" not in case.description + case.title


def test_a_customer_who_gives_their_name_files_a_complaint_about_themselves(client, world):
    report_and_keep_code(
        client,
        world,
        reporter_type="customer",
        identity="named",
        name="Madam Lau",
        contact="9123 4567",
    )

    case = Case.objects.get()
    assert case.source == Source.CUSTOMER_COMPLAINT
    assert (case.customer_involved, case.customer_name, case.customer_contact) == (
        True,
        "Madam Lau",
        "9123 4567",
    )
    assert case.is_anonymous is False


def test_staff_choose_a_staff_report_or_a_whistleblowing_disclosure(client, world):
    report_and_keep_code(client, world, reporter_type="staff")
    report_and_keep_code(Client(), world, reporter_type="staff", whistleblowing="on")

    assert sorted(Case.objects.values_list("source", flat=True)) == [
        Source.STAFF_REPORT,
        Source.WHISTLEBLOWER,
    ]


def test_attachments_are_stored_as_evidence_that_names_nobody(client, world):
    data = report_data(world) | {"attachments": [_pdf()]}
    response = send_report(client, data)

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.original_name, evidence.collected_by) == (
        "report_attachment",
        "note.pdf",
        None,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": ""}, "description"),
        ({"reporter_type": "alien"}, "reporter_type"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"identity": "named"}, "name"),  # named, but neither a name nor a contact
        ({"category": "999999"}, "category"),
        ({"attachments": [SimpleUploadedFile("x.exe", b"MZ", content_type="text/plain")]}, None),
        ({"attachments": [_pdf("fake.pdf", b"not a pdf")]}, None),
    ],
)
def test_bad_input_shows_the_form_again_and_saves_nothing(client, world, change, field):
    response = send_report(client, report_data(world) | change)

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors
    if field:
        assert field in form.errors
    assert Case.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert ReporterReceipt.objects.count() == 0
    assert client.get("/speak-up/receipt/").context["code"] == ""


def test_the_files_of_one_report_have_a_size_cap(client, world, settings):
    settings.PORTAL_MAX_REPORT_BYTES = 30
    files = [_pdf("a.pdf", b"%PDF-" + b"a" * 20), _pdf("b.pdf", b"%PDF-" + b"b" * 20)]

    response = send_report(client, report_data(world) | {"attachments": files})

    assert response.status_code == 400
    assert Case.objects.count() == 0
    assert Evidence.objects.count() == 0


def test_the_mailbox_service_holds_the_same_cap_as_the_guard(world, walk, settings):
    # Reached without the portal's guard (the team's page, the API): refused all the same.
    case, _code = _portal_case(world)
    settings.PORTAL_MAX_REPORT_BYTES = 30
    files = [_pdf("a.pdf", b"%PDF-" + b"a" * 20), _pdf("b.pdf", b"%PDF-" + b"b" * 20)]
    before = ReporterMessage.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.reporter_message_receive(case=case, text="Two files", attachments=files)

    assert "attachments" in refused.value.message_dict
    assert ReporterMessage.objects.count() == before


# --- the receipt code ----------------------------------------------------------------------------


def test_the_code_is_shown_once_and_only_its_hash_is_stored(client, world):
    response = send_report(client, report_data(world))
    page = client.get("/speak-up/receipt/")
    code = code_from(page)
    again = client.get("/speak-up/receipt/")

    assert response.status_code == 302
    assert "no-store" in page["Cache-Control"]
    assert len(code) == 19
    assert [len(g) for g in code.split()] == [4, 4, 4, 4]
    assert "data-receipt-code" not in again.content.decode()
    digits = code.replace(" ", "")
    receipt = ReporterReceipt.objects.get()
    assert receipt.lookup == mailbox.receipt_hash(digits)
    assert rows_containing(digits, code, digits[:8] + digits[8:]) == []
    # Nor in the session, once shown.
    assert all(digits not in str(s.get_decoded()) for s in _sessions())


def _sessions():
    from django.contrib.sessions.models import Session

    return Session.objects.all()


def test_codes_are_16_random_digits_and_a_lookup_needs_the_exact_code(world):
    case, code = _portal_case(world)

    assert len(code) == 16
    assert code.isdigit()
    assert len({mailbox.new_receipt_code() for _ in range(50)}) == 50
    assert mailbox.case_by_receipt(code) == case
    assert mailbox.case_by_receipt(mailbox.format_code(code)) == case
    assert mailbox.case_by_receipt(code[:-1] + str((int(code[-1]) + 1) % 10)) is None
    assert mailbox.case_by_receipt(code + "0") is None
    assert mailbox.case_by_receipt("") is None
    assert mailbox.case_by_receipt("１" * 16) is None  # full-width digits are not digits here


def test_a_wrong_code_and_a_malformed_one_get_the_same_answer(client, world):
    _portal_case(world)

    wrong = open_mailbox(client, "1234 5678 9012 3456")
    malformed = open_mailbox(client, "hello")

    assert wrong.status_code == malformed.status_code == 400
    assert wrong.context["form"].errors == malformed.context["form"].errors
    assert client.get("/speak-up/mailbox/case/")["Location"] == "/speak-up/mailbox/"


# --- the mailbox ---------------------------------------------------------------------------------


def test_the_mailbox_tells_the_status_in_plain_words_and_nothing_of_the_case(client, world, walk):
    case, code = _portal_case(world)
    walk.verify(case, subjects=[world.subject])
    walk.form_team(case)
    services.reporter_message_send(
        case=case, actor=world.investigator, kind=MessageKind.QUESTION, text="Which branch?"
    )
    open_mailbox(client, code)

    page = client.get("/speak-up/mailbox/case/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert 'data-status="investigation"' in text
    assert "Under investigation" in text
    assert "Which branch?" in text
    people = [
        u.get_full_name() or u.get_username()
        for u in (world.investigator, world.investigator2, world.officer, world.manager)
    ]
    for secret in (
        world.subject.name,
        world.subject.staff_number,
        *people,
        case.reference,
        world.category.name,
    ):
        assert secret not in text, secret


@pytest.mark.parametrize(
    ("stage", "outcome", "acknowledged", "key"),
    [
        ("verification", "open", False, "received"),
        ("verification", "open", True, "examined"),
        ("investigation", "open", True, "investigation"),
        ("fact_finding", "open", True, "investigation"),
        ("approval", "open", True, "investigation"),
        ("post_approval", "open", True, "decided"),
        ("verification", "dismissed", True, "closed"),
        ("closed", "sanctioned", True, "closed"),
    ],
)
def test_each_stage_reads_as_one_of_five_words(stage, outcome, acknowledged, key):
    case = Case(
        stage=stage, outcome=outcome, acknowledged_at=timezone.now() if acknowledged else None
    )

    assert mailbox.reporter_status(case).key == key


def test_a_question_and_its_answer_go_round_through_the_pages(client, world):
    code = report_and_keep_code(client, world)
    case = Case.objects.get()
    officer = Client()
    officer.force_login(world.officer)

    asked = officer.post(
        f"/cases/{case.reference}/reporter-messages/",
        {"kind": "question", "text": "On which day did it happen?"},
    )
    open_mailbox(client, code)
    mailbox_page = client.get("/speak-up/mailbox/case/")
    question = ReporterMessage.objects.get(kind=MessageKind.QUESTION)
    answered = send_message(
        client,
        {
            "in_reply_to": question.pk,
            "text": "On the 2nd, in the morning.",
            "attachments": [_pdf()],
        },
    )
    case_page = officer.get(f"/cases/{case.reference}/")

    assert asked.status_code == 302
    assert "On which day did it happen?" in mailbox_page.content.decode()
    assert answered.status_code == 302
    answer = ReporterMessage.objects.get(direction=MessageDirection.FROM_REPORTER)
    assert (answer.kind, answer.in_reply_to, answer.author) == (MessageKind.ANSWER, question, None)
    assert [e.kind for e in answer.attachments.all()] == ["reporter_attachment"]
    assert answer.attachments.get().collected_by is None
    text = case_page.content.decode()
    assert "On the 2nd, in the morning." in text
    assert "Messages with the reporter" in text
    assert mailbox.open_questions(case) == []
    # Each message is one event on the case's chain, named as the timeline tells it.
    actions = list(audit.events_of(case).values_list("action", "actor_name"))
    assert ("reporter.message_sent", world.officer.username) in actions
    assert ("reporter.message_received", "reporter (identity protected)") in actions
    timeline = [e.label for e in case_page.context["timeline"]]
    assert "Message from the reporter" in [str(x) for x in timeline]
    report = audit.verify(case=case)
    assert report.problems == [], report.problems
    assert answer.history.count() == 1
    assert list(answer.history.get().attachments.values_list("evidence_id", flat=True)) == [
        answer.attachments.get().pk
    ]


def test_the_team_is_told_when_the_reporter_writes(world, walk):
    case, _code = _portal_case(world)
    walk.verify(case, subjects=[world.subject])
    walk.form_team(case)

    message = services.reporter_message_receive(case=case, text="One more thing.")

    told = set(
        Notification.objects.filter(kind="reporter.message").values_list(
            "recipient__username", flat=True
        )
    )
    # The cleared team (the lead holds the investigation task); not the officer, whose
    # verification is done, nor anyone else.
    assert told == {world.investigator.username, world.investigator2.username}
    assert message.author is None


def test_the_acknowledgement_is_a_message_in_the_mailbox(client, world):
    case, code = _portal_case(world)

    services.case_acknowledge(case=case, actor=world.officer, message="Thank you, we look into it.")
    open_mailbox(client, code)
    page = client.get("/speak-up/mailbox/case/").content.decode()

    ack = ReporterMessage.objects.get(case=case)
    assert (ack.kind, ack.direction, ack.text) == (
        MessageKind.ACKNOWLEDGEMENT,
        MessageDirection.TO_REPORTER,
        "Thank you, we look into it.",
    )
    assert "Thank you, we look into it." in page
    assert 'data-status="examined"' in page
    event = audit.events_of(case).get(action="case.acknowledged")
    assert event.payload["mailbox_message"] == ack.pk


def test_verification_acknowledges_in_the_mailbox_when_nobody_did(world, walk):
    case, _code = _portal_case(world)

    walk.verify(case, subjects=[world.subject])

    assert ReporterMessage.objects.filter(case=case, kind=MessageKind.ACKNOWLEDGEMENT).count() == 1


def test_a_report_without_subjects_cannot_proceed_until_the_officer_names_them(world, walk):
    case, _code = _portal_case(world)
    before = audit.events_of(case).count()

    with pytest.raises(ValidationError) as refused:
        walk.verify(case)

    assert "names no subject employee" in str(refused.value)
    assert audit.events_of(case).count() == before
    assert walk.refresh(case).stage == "verification"
    walk.verify(case, subjects=[world.subject])
    case = walk.refresh(case)
    assert list(case.subjects.all()) == [world.subject]
    assert case.stage == "team"
    assert audit.events_of(case).get(action="verification.completed").payload["subjects"] == [
        world.subject.staff_number
    ]


def test_a_dismissal_needs_no_subject(world, walk):
    case, _code = _portal_case(world)

    walk.verify(case, outcome="dismiss", reason="Not our institution.")

    assert walk.refresh(case).outcome == "dismissed"


# --- the case team's side ------------------------------------------------------------------------


def test_staff_who_may_not_see_the_case_cannot_read_or_write_its_messages(world):
    case, _code = _portal_case(world)
    services.reporter_message_receive(case=case, text="Secret detail only the team may read.")
    outsider = Client()
    outsider.force_login(world.outsider)
    investigator = Client()
    investigator.force_login(world.investigator2)

    for client in (outsider, investigator):
        assert client.get(f"/cases/{case.reference}/").status_code == 404
        sent = client.post(
            f"/cases/{case.reference}/reporter-messages/", {"kind": "question", "text": "Hi"}
        )
        assert sent.status_code == 404
    assert ReporterMessage.objects.count() == 1


def test_parties_and_readers_cannot_write_to_the_reporter(world, walk):
    case, _code = _portal_case(world)
    walk.verify(case, subjects=[world.subject])
    for actor in (world.auditor, world.hr):
        with pytest.raises(NotAllowed):
            services.reporter_message_send(
                case=case, actor=actor, kind=MessageKind.QUESTION, text="?"
            )
    assert ReporterMessage.objects.filter(kind=MessageKind.QUESTION).count() == 0


def test_a_case_without_a_code_has_no_mailbox_to_write_to(world, walk):
    case = walk.report()

    with pytest.raises(InvalidState) as refused:
        services.reporter_message_send(
            case=case, actor=world.officer, kind=MessageKind.QUESTION, text="?"
        )

    assert "no receipt code" in str(refused.value)
    assert ReporterMessage.objects.count() == 0


def test_the_case_file_carries_the_messages_and_the_regulator_never_the_reporter(world, walk):
    case, _code = _portal_case(
        world, reporter_type="staff", anonymous=False, name="Yeung Wing", contact="wing@example.org"
    )
    services.reporter_message_receive(
        case=case, text="I am Yeung Wing, reach me at wing@example.org."
    )
    services.reporter_message_send(
        case=case, actor=world.officer, kind=MessageKind.FEEDBACK_INTERIM, text="In hand."
    )

    internal = casefile_document(build_casefile(case, profile="internal", viewer=world.manager))
    regulator = casefile_document(build_casefile(case, profile="regulator", viewer=world.auditor))
    bulletin = casefile_document(build_casefile(case, profile="bulletin", viewer=world.auditor))

    assert [m["kind"] for m in internal["reporter_messages"]] == ["other", "feedback_interim"]
    assert internal["reporter_messages"][0]["author"] == ""
    assert "In hand." in internal["reporter_messages"][1]["text"]
    dumped = json.dumps(regulator, ensure_ascii=False)
    assert "Yeung Wing" not in dumped
    assert "wing@example.org" not in dumped
    assert "[withheld]" in regulator["reporter_messages"][0]["text"]
    assert bulletin["reporter_messages"][1]["text"] == "[withheld]"


def test_the_case_file_pdf_prints_the_mailbox(world):
    from reports.pdf import render_casefile_pdf

    case, _code = _portal_case(world)
    services.reporter_message_receive(case=case, text="Another detail.")
    cf = build_casefile(case, profile="internal", viewer=world.manager)

    with override("zh-hant"):
        pdf = render_casefile_pdf(cf, lang="zh-hant")

    assert pdf[:5] == b"%PDF-"


# --- the complaint desk --------------------------------------------------------------------------


def _desk_report(world, **extra):
    return {
        "source": "customer_complaint",
        "category": world.category.pk,
        "title": "Fee charged twice",
        "description": "Customer called: an annual fee was charged twice.",
        "occurred_at": (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "department": world.dept.pk,
        "subjects": [world.subject.pk],
        "customer_involved": "on",
        "customer_name": "Mr Chow",
        "customer_contact": "chow@example.org",
        **extra,
    }


def _report_url():
    return "/work/case/report/"


def test_the_desk_gives_a_customer_a_code_shown_once(client, world):
    client.force_login(world.reporter)

    response = client.post(_report_url(), _desk_report(world, give_receipt="on"))
    page = client.get(response["Location"])
    again = client.get(response["Location"])

    case = Case.objects.get()
    assert response["Location"] == "/report/receipt/"
    code = code_from(page)
    assert case.reference in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert "data-receipt-code" not in again.content.decode()
    assert mailbox.case_by_receipt(code) == case
    assert ReporterReceipt.objects.get().issued_by == world.reporter
    customer = Client()
    open_mailbox(customer, code)
    assert customer.get("/speak-up/mailbox/case/").status_code == 200


def test_only_a_customer_complaint_gets_a_code_at_the_desk(client, world):
    client.force_login(world.reporter)
    data = _desk_report(world, give_receipt="on", source="staff_report")
    data.pop("customer_involved")

    response = client.post(_report_url(), data)

    assert response.status_code == 200
    assert "give_receipt" in response.context["form"].errors
    assert Case.objects.count() == 0
    assert ReporterReceipt.objects.count() == 0


# --- nothing of the reporter's connection --------------------------------------------------------

ADDRESS = "203.0.113.77"
AGENT = "PortalProbe/7.3 (ReporterMachine)"


def test_no_address_or_user_agent_is_stored_anywhere(world):
    reporter = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    code = report_and_keep_code(reporter, world)
    case = Case.objects.get()
    services.reporter_message_send(
        case=case, actor=world.officer, kind=MessageKind.QUESTION, text="When?"
    )
    open_mailbox(reporter, code)
    question = ReporterMessage.objects.get()
    send_message(
        reporter,
        {"in_reply_to": question.pk, "text": "Yesterday.", "attachments": [_pdf()]},
    )

    assert ReporterMessage.objects.count() == 2
    assert rows_containing(ADDRESS, AGENT, "PortalProbe") == []


def test_the_access_log_leaves_out_the_address_of_portal_requests():
    import runpy
    from datetime import timedelta
    from pathlib import Path
    from types import SimpleNamespace

    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"))
    logger = conf["PortalQuietLogger"].__new__(conf["PortalQuietLogger"])
    logger.cfg = SimpleNamespace(access_log_format=conf["access_log_format"])

    def atoms(path):
        environ = {
            "REMOTE_ADDR": ADDRESS,
            "HTTP_USER_AGENT": AGENT,
            "REQUEST_METHOD": "POST",
            "RAW_URI": path,
            "PATH_INFO": path,
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        req = SimpleNamespace(headers=[("X-FORWARDED-FOR", ADDRESS), ("USER-AGENT", AGENT)])
        resp = SimpleNamespace(status="200 OK", headers=[], sent=10)
        return logger.atoms(resp, req, environ, timedelta(seconds=0))

    portal, other = atoms("/speak-up/mailbox/"), atoms("/cases/")
    assert ADDRESS not in json.dumps(portal)
    assert AGENT not in json.dumps(portal)
    assert portal["r"] == "POST /speak-up/mailbox/ HTTP/1.1"
    assert other["h"] == ADDRESS  # other requests keep their address (the lockout's logs)


# --- languages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "Make a report"), ("zh-hant", "提交報告"), ("zh-hans", "提交报告")],
)
def test_the_portal_speaks_three_languages(client, world, lang, words):
    client.cookies["django_language"] = lang

    for path in ("/speak-up/", "/speak-up/report/", "/speak-up/mailbox/"):
        page = client.get(path)
        assert page.status_code == 200
        assert f'lang="{lang}"' in page.content.decode()
    assert words in client.get("/speak-up/").content.decode()


def test_the_mailbox_closes_and_stays_closed(client, world):
    _case, code = _portal_case(world)
    open_mailbox(client, code)

    closed = client.post("/speak-up/mailbox/close/")

    assert closed.status_code == 302
    assert client.get("/speak-up/mailbox/case/")["Location"] == "/speak-up/mailbox/"


def test_an_open_mailbox_expires(client, world, settings):
    import time_machine

    _case, code = _portal_case(world)
    open_mailbox(client, code)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        expired = client.get("/speak-up/mailbox/case/")

    assert expired["Location"] == "/speak-up/mailbox/"


# --- the guard, as the portal's pages call it ----------------------------------------------------


def test_an_unsolved_challenge_or_a_filled_honeypot_saves_nothing(client, world):
    unsolved = client.post("/speak-up/report/", report_data(world))
    honeypot = send_report(client, report_data(world) | {"website": "http://spam.example"})

    for response in (unsolved, honeypot):
        assert response.status_code == 400
        assert response.context["form"].non_field_errors() == [
            "Your submission could not be accepted. Please try again."
        ]
    assert Case.objects.count() == 0


def test_reports_from_one_connection_are_limited(client, world, settings):
    settings.PORTAL_SUBMISSIONS_PER_HOUR = 1
    report_and_keep_code(client, world)

    second = send_report(client, report_data(world))

    assert second.status_code == 400
    assert Case.objects.count() == 1


def test_a_locked_address_is_refused_even_the_right_code_in_the_same_words(client, world, settings):
    settings.PORTAL_CODE_LOCK_AFTER = 3
    _case, code = _portal_case(world)
    wrong = [open_mailbox(client, f"{n:016d}") for n in range(3)]

    locked = open_mailbox(client, code)

    assert locked.status_code == 400
    assert locked.context["form"].errors == wrong[0].context["form"].errors
    assert client.get("/speak-up/mailbox/case/")["Location"] == "/speak-up/mailbox/"


def test_the_mailbox_delivers_the_acknowledgement_and_feedback_stops_its_clock(world):
    from deadlines.models import Kind
    from violations.models import Clock

    case, _code = _portal_case(world, anonymous=False, name="Ho", contact="ho@example.org")

    def state(kind):
        return list(Clock.objects.filter(case=case, kind=kind).values_list("state", flat=True))

    assert state(Kind.ACKNOWLEDGEMENT) == ["running"]
    services.case_acknowledge(case=case, actor=world.officer)
    # Delivered in the mailbox at once, though an e-mail to the contact is still to go out.
    assert state(Kind.ACKNOWLEDGEMENT) == ["completed"]
    assert state(Kind.FEEDBACK) == ["running"]
    services.reporter_message_send(
        case=case, actor=world.officer, kind=MessageKind.QUESTION, text="Which day?"
    )
    assert state(Kind.FEEDBACK) == ["running"]  # a question is no feedback
    services.reporter_message_send(
        case=case, actor=world.officer, kind=MessageKind.FEEDBACK_INTERIM, text="In hand."
    )
    assert state(Kind.FEEDBACK) == ["completed"]
