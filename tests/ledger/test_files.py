"""Evidence bytes: verification reads every file and holds it to the SHA-256 its row
records (the row's digest covers that column); a changed or missing file is named, by the
full run and the case's, and never gives a traceback, on the command line or the page."""

import io

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from ledger.models import AuditEvent
from violations import audit
from violations.models import Evidence

from .tamper import run_verify


@pytest.fixture
def evidence(case):
    return Evidence.objects.get(case=case)


def test_every_file_is_read_and_counted(case, evidence):
    code, out, _ = run_verify()

    assert code == 0
    assert out.startswith("intact: ")
    assert out.splitlines()[0].endswith(", 1 files")
    assert run_verify("--no-files")[1].splitlines()[0].endswith(" history rows")


def test_a_file_overwritten_with_other_bytes_is_named(case, evidence):
    path = default_storage.path(evidence.file.name)
    with open(path, "wb") as fh:
        fh.write(b"a different transcript")
    expected = (
        f"BROKEN: violations.evidence #{evidence.pk}: file {evidence.file.name} no longer has "
        "the SHA-256 its row records (its bytes were changed)"
    )

    for args in ((), ("--case", case.reference)):
        code, _, err = run_verify(*args)
        assert (code, err.splitlines()[0]) == (1, expected)
    assert run_verify("--no-files")[0] == 0


def test_a_deleted_file_is_named(case, evidence):
    default_storage.delete(evidence.file.name)

    for args in ((), ("--case", case.reference)):
        code, _, err = run_verify(*args)
        assert code == 1
        assert err.splitlines()[0] == (
            f"BROKEN: violations.evidence #{evidence.pk}: file {evidence.file.name} is missing"
        )


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_sees_a_progress_bar(case, evidence):
    from django.core.management import call_command

    err = _Terminal()
    call_command("verify_audit", stdout=io.StringIO(), stderr=err)

    assert "files [" in err.getvalue()
    assert "] 1/1" in err.getvalue()


def test_the_download_page_of_a_missing_file_says_so(case, evidence, world):
    default_storage.delete(evidence.file.name)
    client = Client()
    client.force_login(world.investigator)
    before = AuditEvent.objects.count()

    response = client.get(f"/cases/{case.reference}/evidence/{evidence.pk}/")

    assert response.status_code == 404
    assert "is missing from storage" in response.content.decode()
    assert AuditEvent.objects.count() == before  # no download recorded
    assert audit.verify(files=False).intact
