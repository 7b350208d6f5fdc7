"""Case bulletins: drafted from closed cases with every party withheld, edited, approved by
someone else as that exact text, published to every member of staff, audited."""

import datetime as dt
import subprocess

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from demo.world import add_login
from ledger.models import AuditEvent
from reports.bulletins import services
from reports.bulletins.models import Bulletin, BulletinEntry, BulletinStatus
from reports.bulletins.pdf import render_bulletin_pdf
from reports.bulletins.selectors import bulletin_view
from reports.bulletins.services import draft_summary
from tests.reports.conftest import pdf_text, walk_to_close
from tests.reports.full_case import VARIANTS, walk_everything
from tests.reports.test_redaction_variants import MARKS, _leaks
from violations import audit
from violations.exceptions import InvalidState, NotAllowed
from violations.models import Case


def _period():
    today = timezone.localdate()
    return {"period_start": today - dt.timedelta(days=30), "period_end": today}


def _draft(world, **kw):
    return services.bulletin_draft(actor=world.officer, **{**_period(), **kw})


@pytest.fixture
def closed(walk, world):
    return walk_to_close(walk, world)


def _published(world, bulletin):
    services.bulletin_approve(actor=world.manager, bulletin=bulletin)
    return services.bulletin_publish(actor=world.manager, bulletin=bulletin)


def test_a_draft_has_one_entry_per_closed_case_from_its_redacted_summary(closed, world):
    bulletin = _draft(world)
    (entry,) = bulletin.entries.all()
    assert entry.source_case == closed
    assert entry.severity == "major"
    assert entry.sanction_types == ["demotion"]
    assert entry.summary.startswith("Unsuitable product sold\n\nMis-selling of a high-risk product")
    assert bulletin.status == BulletinStatus.DRAFT
    assert bulletin.drafted_by == world.officer
    assert "Case bulletin" in bulletin.title


def test_drafting_needs_the_right_and_a_period_with_cases(closed, world):
    with pytest.raises(NotAllowed):
        services.bulletin_draft(actor=world.reporter, **_period())
    with pytest.raises(InvalidState):
        services.bulletin_draft(
            actor=world.officer,
            period_start=timezone.localdate() - dt.timedelta(days=400),
            period_end=timezone.localdate() - dt.timedelta(days=300),
        )
    with pytest.raises(InvalidState):
        services.bulletin_draft(
            actor=world.officer,
            period_start=timezone.localdate(),
            period_end=timezone.localdate() - dt.timedelta(days=1),
        )
    assert Bulletin.objects.count() == 0
    assert BulletinEntry.objects.count() == 0


def test_the_drafter_and_editors_never_approve(closed, world):
    bulletin = services.bulletin_draft(actor=world.manager, **_period())
    with pytest.raises(NotAllowed):
        services.bulletin_approve(actor=world.manager, bulletin=bulletin)
    other = _draft(world)
    entry = other.entries.get()
    services.bulletin_entry_edit(actor=world.manager, entry=entry, summary="Rewritten.")
    with pytest.raises(NotAllowed):
        services.bulletin_approve(actor=world.manager, bulletin=other)
    with pytest.raises(NotAllowed):
        services.bulletin_approve(actor=world.officer, bulletin=other)  # no right to approve
    other.refresh_from_db()
    assert (other.status, other.approved_by, other.approved_sha256) == ("draft", None, "")


def test_an_edit_after_approval_withdraws_it_and_a_draft_is_not_published(closed, world):
    bulletin = _draft(world)
    with pytest.raises(InvalidState):
        services.bulletin_publish(actor=world.manager, bulletin=bulletin)
    services.bulletin_approve(actor=world.manager, bulletin=bulletin)
    bulletin.refresh_from_db()
    approved = bulletin.approved_sha256
    assert approved == services.bulletin_digest(bulletin)
    services.bulletin_entry_edit(
        actor=world.officer, entry=bulletin.entries.get(), summary="A new text."
    )
    bulletin.refresh_from_db()
    assert (bulletin.status, bulletin.approved_sha256, bulletin.approved_by) == ("draft", "", None)
    with pytest.raises(InvalidState):
        services.bulletin_publish(actor=world.manager, bulletin=bulletin)
    assert bulletin.published_at is None


def test_a_text_changed_behind_the_approval_is_not_published(closed, world):
    bulletin = _draft(world)
    services.bulletin_approve(actor=world.manager, bulletin=bulletin)
    BulletinEntry.objects.filter(bulletin=bulletin).update(summary="Chan Tai Man did it.")
    with pytest.raises(InvalidState):
        services.bulletin_publish(actor=world.manager, bulletin=bulletin)
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.APPROVED


def test_a_published_bulletin_is_not_edited(closed, world):
    bulletin = _published(world, _draft(world))
    entry = bulletin.entries.get()
    with pytest.raises(InvalidState):
        services.bulletin_entry_edit(actor=world.officer, entry=entry, summary="Later.")
    entry.refresh_from_db()
    assert entry.summary.startswith("Unsuitable product sold")


def test_every_step_is_an_audit_event_and_a_history_row_and_the_ledger_verifies(closed, world):
    before = AuditEvent.objects.count()
    bulletin = _draft(world)
    services.bulletin_entry_edit(
        actor=world.officer, entry=bulletin.entries.get(), summary="Edited text.", reason="tone"
    )
    _published(world, bulletin)
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)[before:])
    assert actions == [
        "bulletin.drafted",
        "bulletin.edited",
        "bulletin.approved",
        "bulletin.published",
    ]
    assert [h.history_change_reason for h in bulletin.history.order_by("history_id")] == [
        "drafted",
        "approved",
        "published",
    ]
    assert bulletin.entries.get().history.count() == 2
    report = audit.verify()
    assert report.intact, report.problems


def test_a_bulletin_row_written_behind_the_services_back_is_caught(closed, world):
    bulletin = _published(world, _draft(world))
    BulletinEntry.objects.filter(bulletin=bulletin).update(summary="Chan Tai Man did it.")
    report = audit.verify()
    assert not report.intact
    assert any("bulletinentry" in str(p).lower() for p in report.problems)


# --- no name reaches a published bulletin that a person did not approve ---------------------


@pytest.fixture
def full_bulletin(walk, world, signing_key):
    case = walk_everything(walk, world)
    bulletin = _draft(world)
    return case, bulletin


def _reader_texts(bulletin, world) -> dict[str, str]:
    """The page and PDF in each language, read by a member of staff who is no party (the
    page names the reader in its menu)."""
    client = Client()
    client.force_login(world.depthead)
    out = {}
    for lang in ("en", "zh-hant", "zh-hans"):
        page = client.get(f"/bulletins/{bulletin.pk}/", HTTP_ACCEPT_LANGUAGE=lang)
        assert page.status_code == 200
        out[f"page {lang}"] = page.content.decode()
        pdf = client.get(f"/bulletins/{bulletin.pk}/bulletin.pdf?lang={lang}")
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        out[f"pdf {lang}"] = pdf_text(pdf.content)
    return out


def test_no_party_reference_customer_or_small_unit_reaches_the_published_bulletin(
    full_bulletin, world
):
    case, bulletin = full_bulletin
    entry = bulletin.entries.get()
    # The draft holds the words of the case, the withheld values as markers.
    assert "Sold a high-risk fund to a retiree" in entry.summary
    assert "[Customer]" in entry.summary
    assert "[withheld]" in entry.summary
    _published(world, bulletin)  # approved exactly as the redactor left it
    for place, text in _reader_texts(bulletin, world).items():
        assert _leaks(text, list(MARKS)) == [], place
        for secret in (case.reference, "CUST-88231", "Retail Banking", "W0002"):
            assert secret not in text, (place, secret)
        for login in ("tipster.mei", "u7.officer"):
            assert login not in text, (place, login)


def test_markers_are_in_the_readers_language(full_bulletin, world):
    _case, bulletin = full_bulletin
    _published(world, bulletin)
    texts = _reader_texts(bulletin, world)
    assert "[Customer]" in texts["pdf en"]
    assert "[客戶]" in texts["pdf zh-hant"]
    assert "[Customer]" not in texts["pdf zh-hant"]
    assert "[客户]" in texts["pdf zh-hans"]
    assert "[客戶]" in texts["page zh-hant"]
    assert "[withheld]" not in texts["page zh-hant"]


def test_a_name_typed_by_the_drafter_is_shown_only_once_a_person_approved_that_text(
    full_bulletin, world
):
    _case, bulletin = full_bulletin
    entry = bulletin.entries.get()
    typed = f"{entry.summary}\n\nCounselled: {VARIANTS['subject name'][0]}."
    services.bulletin_entry_edit(actor=world.officer, entry=entry, summary=typed)
    client = Client()
    client.force_login(world.reporter)
    assert client.get(f"/bulletins/{bulletin.pk}/").status_code == 404
    assert client.get(f"/bulletins/{bulletin.pk}/bulletin.pdf").status_code == 404
    assert "CHAN TAI-MAN" not in client.get("/bulletins/").content.decode()
    _published(world, bulletin)
    assert "CHAN TAI-MAN" in client.get(f"/bulletins/{bulletin.pk}/").content.decode()


# --- pages and PDF ----------------------------------------------------------------------------


def test_every_role_reads_published_bulletins_and_only_drafters_see_drafts(closed, world):
    published = _published(world, _draft(world))
    draft = _draft(world)
    for user in (world.reporter, world.investigator, world.hr, world.auditor, world.depthead):
        client = Client()
        client.force_login(user)
        assert client.get("/bulletins/").status_code == 200, user.username
        assert client.get(f"/bulletins/{published.pk}/").status_code == 200, user.username
        assert client.get(f"/bulletins/{draft.pk}/").status_code == 404, user.username
        assert client.post(f"/bulletins/{draft.pk}/approve/").status_code == 403
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get("/bulletins/").status_code == 403
    assert Client().get("/bulletins/").status_code == 302  # to the login page
    officer = Client()
    officer.force_login(world.officer)
    assert officer.get(f"/bulletins/{draft.pk}/").status_code == 200
    assert Client().get("/supervision/bulletin/").status_code == 302


def test_the_pages_draft_edit_approve_and_publish(closed, world):
    officer, manager = Client(), Client()
    officer.force_login(world.officer)
    manager.force_login(world.manager)
    period = {k: v.isoformat() for k, v in _period().items()}
    response = officer.post("/bulletins/new/", {**period, "title": "November lessons"})
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bulletins/{bulletin.pk}/"
    entry = bulletin.entries.get()
    too_long = officer.post(
        f"/bulletins/{bulletin.pk}/entries/{entry.pk}/", {"summary": "x" * 5001, "included": "on"}
    )
    assert too_long.status_code == 400
    officer.post(
        f"/bulletins/{bulletin.pk}/entries/{entry.pk}/",
        {"summary": "A product sold to the wrong customer.", "included": "on"},
    )
    assert officer.post(f"/bulletins/{bulletin.pk}/approve/").status_code == 403
    manager.post(f"/bulletins/{bulletin.pk}/approve/")
    manager.post(f"/bulletins/{bulletin.pk}/publish/")
    bulletin.refresh_from_db()
    assert bulletin.status == "published"
    page = manager.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert "A product sold to the wrong customer." in page
    assert "November lessons" in page
    bad = officer.post("/bulletins/new/", {"period_start": "2026-13-01", "period_end": "x"})
    assert bad.status_code == 400
    assert Bulletin.objects.count() == 1


def test_the_pdf_embeds_its_font_and_reads_back_in_each_language(closed, world, tmp_path):
    bulletin = _published(world, _draft(world))
    for lang, words in (
        ("en", ["Demotion or transfer", "Unsuitable product sold"]),
        ("zh-hant", ["降級或調崗", "Unsuitable product sold"]),
        ("zh-hans", ["降级或调岗"]),
    ):
        with translation.override(lang):
            pdf = render_bulletin_pdf(bulletin_view(bulletin), lang=lang)
        text = pdf_text(pdf)
        for word in words:
            assert word in text, (lang, word)
        path = tmp_path / f"b-{lang}.pdf"
        path.write_bytes(pdf)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        rows = fonts.splitlines()[2:]
        assert len(rows) == 1, fonts  # the one family, nothing else
        assert rows[0].split()[-5:-2] == ["yes", "yes", "yes"], fonts  # embedded subset


def test_the_approver_of_a_case_in_the_bulletin_cannot_be_its_subject(closed, world):
    bulletin = _draft(world)
    # The subject given a case manager's login: a party to the case in the bulletin.
    subject_user = add_login("subject.manager", "Case manager", password=None)
    world.subject.user = subject_user
    world.subject.save(update_fields=["user"])
    with pytest.raises(NotAllowed):
        services.bulletin_approve(actor=subject_user, bulletin=bulletin)
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.DRAFT


def test_call_command_verify_audit_passes_after_publication(closed, world):
    _published(world, _draft(world))
    call_command("verify_audit")


def test_contact_details_the_case_never_recorded_are_withheld_too(walk, world):
    case = walk.report(customer=True)
    Case.objects.filter(pk=case.pk).update(
        description="Call her on 6123-4567 or +852 9876 5432, or mail w.t@example.com. "
        f"See {case.reference} and VC-2025-000017."
    )
    case = walk.refresh(case)
    text = draft_summary(case)
    assert text.endswith(
        "Call her on [withheld] or [withheld], or mail [withheld]. See [reference] and [reference]."
    )


def test_publication_tells_every_reader_once_in_their_language(closed, world):
    from django.core import mail

    from notifications.models import Notification
    from notifications.outbox import dispatch
    from notifications.services import preference_update

    preference_update(actor=world.hr, language="zh-hant", digest_kinds=[])
    preference_update(actor=world.investigator, language="", digest_kinds=["bulletin.published"])
    bulletin = _draft(world)

    _published(world, bulletin)
    dispatch()

    told = Notification.objects.filter(kind="bulletin.published")
    readers = {
        world.reporter, world.officer, world.investigator, world.investigator2, world.depthead,
        world.senior, world.hr, world.owner, world.reviewer, world.auditor,
    }  # fmt: skip
    # Everyone with a reading role but the publisher; not the outsider, who has none.
    assert {n.recipient for n in told} == readers
    assert told.count() == len(readers)
    assert {n.link for n in told} == {reverse("bulletins:detail", args=[bulletin.pk])}

    def bulletin_mails(user):
        return [m for m in mail.outbox if m.to == [user.email] and bulletin.title in m.subject]

    [hr_mail] = bulletin_mails(world.hr)
    assert hr_mail.subject == f"案例通報已發佈：{bulletin.title}"
    [officer_mail] = bulletin_mails(world.officer)
    assert officer_mail.subject == f"Case bulletin published: {bulletin.title}"
    # A reader who chose the daily digest for it is not mailed at once.
    assert bulletin_mails(world.investigator) == []
    assert told.get(recipient=world.investigator).email == "digest"


def test_a_publication_refused_tells_no_one(closed, world):
    from notifications.models import Notification

    bulletin = _draft(world)
    services.bulletin_approve(actor=world.manager, bulletin=bulletin)
    Bulletin.objects.filter(pk=bulletin.pk).update(title="Changed behind the approval")

    with pytest.raises(InvalidState):
        services.bulletin_publish(actor=world.manager, bulletin=bulletin)

    assert not Notification.objects.filter(kind="bulletin.published").exists()
