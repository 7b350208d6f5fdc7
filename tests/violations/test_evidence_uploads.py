"""Uploads: size, extension, declared type and real content are checked before anything is
stored; files leave only through the permission-checked download view."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ledger.models import AuditEvent
from violations import audit, services
from violations.models import Evidence
from violations.services.evidence import sanitise_name

PDF = b"%PDF-1.7\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


@pytest.fixture
def case(walk):
    return walk.report()


def files_stored():
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("scan.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPG, "image/jpeg"),
        ("notes.txt", b"plain words", "text/plain"),
    ],
)
def test_accepted_files_are_stored_with_their_hash(world, case, name, content, declared):
    item = services.evidence_add(
        case=case,
        actor=world.officer,
        kind="document",
        description="d",
        upload=SimpleUploadedFile(name, content, declared),
    )
    assert item.original_name == name
    assert item.size == len(content)
    assert item.content_type == declared


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("page.html", b"<script>alert(1)</script>", "text/html"),  # extension not allowed
        ("tool.exe", b"MZ\x90\x00", "application/octet-stream"),  # extension not allowed
        ("scan.pdf", PDF, "text/html"),  # declared type does not fit the extension
        ("scan.pdf", b"<html><script>alert(1)</script>", "application/pdf"),  # not a PDF inside
        ("photo.png", JPG, "image/png"),  # a JPEG named .png
        ("photo.jpg", b"GIF89a....", "image/jpeg"),  # not a JPEG inside
        (
            "report.docx",
            PDF,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_refused_files_leave_nothing_behind(world, case, name, content, declared):
    evidence, events = Evidence.objects.count(), AuditEvent.objects.count()
    stored = files_stored()
    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            case=case,
            actor=world.officer,
            kind="document",
            description="d",
            upload=SimpleUploadedFile(name, content, declared),
        )
    assert "file" in refused.value.message_dict
    assert Evidence.objects.count() == evidence
    assert AuditEvent.objects.count() == events
    assert files_stored() == stored


def test_too_large_files_are_refused_before_storing(world, case, settings):
    settings.ACCOUNTABILITY = {**settings.ACCOUNTABILITY, "EVIDENCE_MAX_BYTES": 1024}
    stored = files_stored()
    with pytest.raises(ValidationError):
        services.evidence_add(
            case=case,
            actor=world.officer,
            kind="document",
            description="d",
            upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, "application/pdf"),
        )
    assert Evidence.objects.filter(case=case).count() == 0
    assert files_stored() == stored


def test_upload_through_the_case_page_refuses_a_disguised_file(world, case):
    client = Client()
    client.force_login(world.officer)
    response = client.post(
        f"/cases/{case.reference}/evidence/",
        {
            "kind": "document",
            "description": "x",
            "file": SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        },
    )
    assert response.status_code == 302
    assert Evidence.objects.filter(case=case).count() == 0


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\boot.ini.txt", "boot.ini.txt"),
        ('"><img src=x onerror=alert(1)>.png', "img_src_x_onerror_alert_1_.png"),
        ("報告 2026.pdf", "報告_2026.pdf"),
        ("", "file"),
    ],
)
def test_names_are_sanitised(raw, clean):
    assert sanitise_name(raw) == clean


def test_evidence_has_no_public_url(world, case):
    # MEDIA_URL is the application's own route (config/media.py), which serves avatars only.
    assert settings.MEDIA_URL == "/media/"
    item = services.evidence_add(
        case=case,
        actor=world.officer,
        kind="document",
        description="d",
        upload=SimpleUploadedFile("scan.pdf", PDF, "application/pdf"),
    )
    client = Client()
    client.force_login(world.manager)
    assert client.get(f"/media/{item.file.name}").status_code == 404
    download = client.get(f"/cases/{case.reference}/evidence/{item.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/cases/{case.reference}/evidence/{item.pk}/").status_code == 404


def test_evidence_is_superseded_from_the_case_page_and_the_old_file_stays(world, case):
    old = services.evidence_add(
        case=case,
        actor=world.officer,
        kind="document",
        description="Scan",
        upload=SimpleUploadedFile("scan.pdf", PDF, "application/pdf"),
    )
    client = Client()
    client.force_login(world.officer)
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert f"/cases/{case.reference}/evidence/{old.pk}/supersede/" in page

    response = client.post(
        f"/cases/{case.reference}/evidence/{old.pk}/supersede/",
        {
            "reason": "The first scan missed page 2.",
            "file": SimpleUploadedFile("scan-full.pdf", PDF + b"%page 2", "application/pdf"),
        },
    )

    assert response.status_code == 302
    old.refresh_from_db()
    new = old.superseded_by
    assert new is not None
    assert new.description == "Scan"
    assert old.superseded_reason == "The first scan missed page 2."
    assert Evidence.objects.filter(case=case).count() == 2
    event = audit.events_of(case).get(action="evidence.superseded")
    assert event.payload["old"] == old.pk
    assert event.payload["new"] == new.pk
    assert audit.verify(case=case).intact


def test_superseding_needs_a_reason_and_changes_nothing_without_one(world, case):
    old = services.evidence_add(
        case=case,
        actor=world.officer,
        kind="document",
        description="Scan",
        upload=SimpleUploadedFile("scan.pdf", PDF, "application/pdf"),
    )
    client = Client()
    client.force_login(world.officer)
    events = audit.events_of(case).count()

    response = client.post(
        f"/cases/{case.reference}/evidence/{old.pk}/supersede/",
        {
            "reason": "",
            "file": SimpleUploadedFile("scan-full.pdf", PDF, "application/pdf"),
        },
    )

    assert response.status_code == 302
    old.refresh_from_db()
    assert old.superseded_by is None
    assert Evidence.objects.filter(case=case).count() == 1
    assert audit.events_of(case).count() == events
