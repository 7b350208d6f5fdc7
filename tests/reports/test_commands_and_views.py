"""CLI commands, the export views and the Export card on the case page."""

import os
import stat
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ledger.models import AuditEvent
from violations import audit


def test_signing_key_generate_refuses_to_overwrite(settings, tmp_path, capsys):
    path = tmp_path / "secret" / "keys" / "signing.pem"
    settings.ACCOUNTABILITY = {**settings.ACCOUNTABILITY, "SIGNING_KEY_PATH": str(path)}

    call_command("signing_key", "generate")
    first = capsys.readouterr().out
    assert first.startswith("-----BEGIN PUBLIC KEY-----")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    before = path.read_bytes()

    with pytest.raises(CommandError, match="already exists"):
        call_command("signing_key", "generate")
    assert path.read_bytes() == before

    call_command("signing_key", "public")
    assert capsys.readouterr().out == first
    call_command("signing_key", "generate", "--force")
    assert capsys.readouterr().out != first


def test_signing_key_public_without_key(settings, tmp_path):
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "SIGNING_KEY_PATH": str(tmp_path / "none.pem"),
    }
    with pytest.raises(CommandError, match="signing_key generate"):
        call_command("signing_key", "public")


def test_casefile_command_writes_a_pdf_and_records_a_system_export(closed_case, tmp_path):
    out = tmp_path / "file.pdf"
    call_command(
        "casefile",
        closed_case.reference,
        "-o",
        str(out),
        "--lang",
        "zh-hant",
        "--profile",
        "regulator",
        "--recipient",
        "HKMA",
    )

    assert out.read_bytes().startswith(b"%PDF")
    event = audit.events_of(closed_case).get(action="case.exported")
    assert event.actor is None
    assert event.actor_name == "system"
    assert event.payload["profile"] == "regulator"
    assert event.payload["lang"] == "zh-hant"
    assert event.payload["recipient"] == "HKMA"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["VC-0000-000000"], "No case with reference"),
        (["{ref}", "--lang", "fr"], "Unknown language"),
        (["{ref}", "--profile", "public"], "Unknown profile"),
        (["{ref}", "--actor", "ghost"], "No active user"),
        (["{ref}", "--actor", "investigator2"], "Only internal auditors and case managers"),
    ],
)
def test_casefile_command_bad_arguments(closed_case, tmp_path, args, message):
    args = [a.format(ref=closed_case.reference) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("casefile", *args, "-o", str(tmp_path / "x.pdf"))
    assert not AuditEvent.objects.filter(action="case.exported").exists()


def test_export_case_one_and_all(closed_case, world, signing_key, tmp_path, capsys):
    call_command(
        "export_case",
        closed_case.reference,
        "--out",
        str(tmp_path / "one"),
        "--actor",
        "auditor",
        "--recipient",
        "SFC",
    )
    one = tmp_path / "one" / f"{closed_case.reference}-regulator.zip"
    assert zipfile.ZipFile(one).read("manifest.sig")
    event = audit.events_of(closed_case).get(action="case.exported")
    assert event.actor == world.auditor
    assert event.payload["recipient"] == "SFC"

    call_command(
        "export_case", "--all", "--closed-since", "2000-01-01", "--out", str(tmp_path / "all")
    )
    captured = capsys.readouterr()
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [one.name]
    assert "1/1" in captured.err
    assert "1 of 1 bundles written" in captured.out
    assert audit.events_of(closed_case).filter(action="case.exported").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "either a case reference or --all"),
        (["VC-1", "--all", "--closed-since", "2020-01-01"], "either a case reference or --all"),
        (["--all"], "--all needs --closed-since"),
        (["--all", "--closed-since", "yesterday"], "is not a date"),
        (["VC-1", "--closed-since", "2020-01-01"], "--closed-since goes with --all"),
    ],
)
def test_export_case_bad_arguments(db, signing_key, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_case", *args, "--out", str(tmp_path))


def test_export_case_without_a_key(closed_case, settings, tmp_path):
    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "SIGNING_KEY_PATH": str(tmp_path / "none.pem"),
    }
    with pytest.raises(CommandError, match="No signing key"):
        call_command("export_case", closed_case.reference, "--out", str(tmp_path))


# --- views -------------------------------------------------------------------------------------


def test_auditor_downloads_pdf_and_bundle(client, closed_case, world, signing_key):
    client.force_login(world.auditor)
    ref = closed_case.reference

    pdf = client.get(reverse("reports:casefile_pdf", args=[ref]), {"lang": "zh-hans"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    bundle = client.get(reverse("reports:bundle", args=[ref]), {"recipient": "HKMA"})
    assert bundle.status_code == 200
    assert bundle["Content-Type"] == "application/zip"
    assert b"".join(bundle.streaming_content)[:2] == b"PK"

    events = audit.events_of(closed_case).filter(action="case.exported").order_by("seq")
    assert [(e.actor_id, e.payload["format"], e.payload["profile"]) for e in events] == [
        (world.auditor.pk, "pdf", "internal"),
        (world.auditor.pk, "bundle", "regulator"),
    ]


def test_manager_may_export(client, closed_case, world):
    client.force_login(world.manager)
    assert (
        client.get(reverse("reports:casefile_pdf", args=[closed_case.reference])).status_code == 200
    )


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("investigator", 403)])
def test_others_may_not_export(client, closed_case, world, who, status):
    client.force_login(getattr(world, who))
    response = client.get(reverse("reports:casefile_pdf", args=[closed_case.reference]))
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="case.exported").exists()


def test_public_key_download_needs_login(client, world, signing_key):
    url = reverse("reports:public_key")
    assert client.get(url).status_code == 302
    client.force_login(world.outsider)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == signing_key.read_bytes()


def test_export_card_only_for_those_allowed(client, closed_case, world):
    url = closed_case.get_absolute_url()
    client.force_login(world.auditor)
    page = client.get(url).content.decode()
    assert "Download case file (PDF)" in page
    assert "Export regulator bundle" in page
    assert reverse("reports:bundle", args=[closed_case.reference]) in page

    client.force_login(world.investigator)
    page = client.get(url)
    assert page.status_code == 200
    assert "Download case file (PDF)" not in page.content.decode()
