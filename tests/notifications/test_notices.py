"""Who is told what, in their own language: the reporter, the subject, the proposer, the
holder of a task and the people who can take it from the queue."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from casework.services import queues_announce
from notifications.digests import digests_send_due
from notifications.models import Notification, OutboxMessage
from notifications.outbox import dispatch
from notifications.services import preference_update
from tests.violations.factories import UserFactory
from violations import services

pytestmark = pytest.mark.django_db


def mails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def speaks(user, language):
    preference_update(actor=user, language=language, digest_kinds=[])


def test_the_reporter_receives_the_acknowledgement(walk, world):
    case = walk.report()

    services.case_acknowledge(case=case, actor=world.officer, message="Thank you for telling us.")
    dispatch()

    [ack] = mails_to(world.reporter.email)
    assert ack.subject == f"Your report {case.reference} has been received"
    assert "Thank you for telling us." in ack.body
    assert Notification.objects.get(recipient=world.reporter).kind == "report.acknowledged"


def test_verification_acknowledges_once_in_the_reporters_language(walk, world):
    speaks(world.reporter, "zh-hant")
    case = walk.report()

    walk.verify(case)
    dispatch()

    [ack] = mails_to(world.reporter.email)
    assert ack.subject == f"您的報告 {case.reference} 已收到"


def test_the_outcome_reaches_the_reporter_in_traditional_chinese(walk, world):
    speaks(world.reporter, "zh-hant")
    case = walk.report()
    services.case_acknowledge(case=case, actor=world.officer)

    walk.verify(case, outcome="dismiss", reason="Nothing to investigate.")
    dispatch()

    outcome = [m for m in mails_to(world.reporter.email) if "處理結果" in m.subject]
    assert [m.subject for m in outcome] == [f"您的報告 {case.reference} 的處理結果"]
    assert outcome[0].body == "經初步核實，此報告不予立案。"


def test_the_subject_gets_the_defence_notice_in_traditional_chinese(walk, world):
    login = UserFactory(email="subject@bank.example")
    world.subject.user = login
    world.subject.save()
    speaks(login, "zh-hant")
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    walk.investigate(case)
    walk.find_facts(case)

    walk.propose(case, defence=False)
    dispatch()

    [notice] = mails_to("subject@bank.example")
    assert notice.subject == f"擬作出的紀律處分：{case.reference}"
    assert notice.body.startswith(f"案件 {case.reference}。認定結果：")
    assert "口頭警告或書面警告" in notice.body
    assert "您可於" in notice.body


def test_the_proposer_gets_the_approval_result_in_simplified_chinese(walk, world):
    speaks(world.officer, "zh-hans")
    case = walk.to_approval(walk.report())

    walk.decide(case)
    dispatch()

    [result] = [m for m in mails_to(world.officer.email) if case.reference in m.subject]
    assert result.subject == f"您的处分建议已有决定：{case.reference}"
    assert "已批准" in result.body


def test_a_rejection_tells_the_proposer_why_in_english(walk, world):
    case = walk.to_approval(walk.report())

    walk.decide(case, "reject", reason="The range is too harsh.")
    dispatch()

    [result] = [m for m in mails_to(world.officer.email) if "Decision" in m.subject]
    assert result.subject == f"Decision on your sanction proposal: {case.reference}"
    assert "Rejected" in result.body
    assert "The range is too harsh." in result.body


def test_a_task_assigned_by_the_flow_is_mailed_to_its_holder(walk, world):
    case = walk.report()
    walk.verify(case)

    walk.form_team(case)
    dispatch()

    [arrived] = mails_to(world.investigator.email)
    assert arrived.subject == f"New task: Detailed investigation ({case.reference})"
    n = Notification.objects.get(recipient=world.investigator, kind="task.assigned")
    assert n.case_reference == case.reference


def test_queue_arrivals_go_out_as_one_digest_per_person(walk, world):
    first, second = walk.report(), walk.report()

    written = queues_announce()
    assert queues_announce() == 0  # each person hears of a task once
    told = Notification.objects.filter(recipient=world.officer, kind="task.queued")
    assert sorted(told.values_list("case_reference", flat=True)) == sorted(
        [first.reference, second.reference]
    )
    assert written >= 2
    assert OutboxMessage.objects.filter(recipient=world.officer).count() == 0
    assert digests_send_due() == 0  # not due yet

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61), tick=False):
        assert digests_send_due() >= 1
        assert digests_send_due() == 0
        dispatch()

    [digest] = mails_to(world.officer.email)
    assert digest.subject == "Accountability: 2 notifications"
    assert first.reference in digest.body
    assert second.reference in digest.body


def test_the_reporter_is_not_told_of_the_queue(walk, world):
    walk.report()
    queues_announce()
    assert not Notification.objects.filter(recipient=world.reporter, kind="task.queued").exists()


def test_a_released_task_is_announced_again_to_those_who_may_take_it(walk, world):
    from casework import services as work
    from demo.world import add_login

    colleague = add_login("officer2", "Compliance officer", password=None)
    case = walk.report()
    queues_announce()
    task = walk.task(case, "verify")

    work.task_claim(task=task, actor=world.officer)
    work.task_unassign(task=task, actor=world.officer, reason="On leave tomorrow.")
    work.task_claim(task=task, actor=world.officer)
    work.task_unassign(task=task, actor=world.officer, reason="Still on leave.")

    told = Notification.objects.filter(recipient=colleague, kind="task.queued")
    # Once when it first arrived, once per release.
    assert told.count() == 3
    assert set(told.values_list("case_reference", flat=True)) == {case.reference}
    assert told.filter(dedupe_key__contains=":released:").count() == 2
    # The one who let it go is not told of it; the queue job does not repeat any of it.
    assert not Notification.objects.filter(
        recipient=world.officer, kind="task.queued", dedupe_key__contains=":released:"
    ).exists()
    assert queues_announce() == 0


def test_a_task_released_before_the_queue_job_saw_it_is_announced_once(walk, world):
    from casework import services as work
    from demo.world import add_login

    colleague = add_login("officer2", "Compliance officer", password=None)
    case = walk.report()
    task = walk.task(case, "verify")
    work.task_claim(task=task, actor=world.officer)
    work.task_unassign(task=task, actor=world.officer)

    queues_announce()

    # The colleague heard of it from the release, and not again from the job; the job
    # tells the one who let it go of it as any other waiting task.
    assert Notification.objects.filter(recipient=colleague, kind="task.queued").count() == 1
    assert list(
        Notification.objects.filter(recipient=world.officer, kind="task.queued").values_list(
            "dedupe_key", flat=True
        )
    ) == [f"{world.officer.pk}:task:{task.pk}:queued"]
