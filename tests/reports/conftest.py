"""A case walked all the way to close (customer involved, major severity, senior approval),
a signing key in a temporary directory, and helpers to read PDFs and bundles."""

import io
import zipfile

import pypdf
import pytest

from violations.models import Stage


def walk_to_close(walk, world, *, anonymous=False):
    case = walk.report(customer=True, anonymous=anonymous)
    walk.verify(case)
    walk.form_team(case)
    walk.investigate(case)
    walk.find_facts(case, severity="major")
    walk.propose(case, sanction="demotion", detail="Transfer to back office")
    walk.decide(case, approver=world.senior)
    walk.execute(case)
    walk.feedback(case)
    walk.notify_regulator(case)
    walk.plan(case, actions=1)
    walk.complete_actions(case)
    walk.fire_timers(case)
    walk.review(case)
    case = walk.refresh(case)
    assert case.stage == Stage.CLOSED
    return case


@pytest.fixture
def closed_case(walk, world):
    return walk_to_close(walk, world)


@pytest.fixture
def signing_key(settings, tmp_path):
    from reports import signing

    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "SIGNING_KEY_PATH": str(tmp_path / "keys" / "signing.pem"),
    }
    key = signing.generate()
    public = tmp_path / "public.pem"
    public.write_bytes(signing.public_pem(key))
    return public


def pdf_text(data: bytes) -> str:
    """All text of the PDF, with runs of whitespace (line wraps) folded to one space."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_outline(data: bytes) -> list[str]:
    return [item.title for item in pypdf.PdfReader(io.BytesIO(data)).outline]


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}
