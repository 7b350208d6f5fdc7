"""Redaction profiles: withheld values appear nowhere in the PDF or the bundle."""

import io

import pytest
from django.db import transaction

from reports import services
from reports.casefile import Profile
from reports.pdf import render_casefile_pdf
from reports.selectors import build_casefile
from tests.reports.conftest import pdf_text, walk_to_close, zip_members
from violations import audit


def _everything(pdf: bytes, bundle: bytes | None = None) -> list[str]:
    """Every place a value could hide: PDF bytes, PDF text, every file of the bundle."""
    places = [pdf.decode("latin-1"), pdf_text(pdf)]
    if bundle is not None:
        for name, data in zip_members(bundle).items():
            places.append(name)
            places.append(data.decode("utf-8", errors="replace"))
            if name.endswith(".pdf"):
                places.append(pdf_text(data))
    return places


@pytest.fixture
def named_reporter(world):
    world.reporter.username = "tipster.mei"
    world.reporter.first_name, world.reporter.last_name = "Mei", "Tipster"
    world.reporter.save()
    return world.reporter


def _bundle(case, profile):
    buf = io.BytesIO()
    services.bundle_export(case=case, actor=None, dest=buf, profile=profile)
    return buf.getvalue()


def test_internal_profile_shows_what_the_viewer_may_see(named_reporter, walk, world):
    case = walk_to_close(walk, world)
    text = pdf_text(
        render_casefile_pdf(
            build_casefile(case, profile=Profile.INTERNAL, viewer=world.auditor), lang="en"
        )
    )

    # People by name and role, never by login.
    assert "Mei Tipster, Reporter" in text
    assert "tipster.mei" not in text
    assert "Madam Wong" in text
    assert "Chan Tai Man" in text


def test_anonymous_reporter_is_withheld_everywhere(named_reporter, walk, world, signing_key):
    case = walk_to_close(walk, world, anonymous=True)
    for profile in Profile:
        pdf = render_casefile_pdf(
            build_casefile(case, profile=profile, viewer=world.auditor), lang="en"
        )
        for place in _everything(pdf, _bundle(case, profile)):
            assert "tipster.mei" not in place
            assert "Mei Tipster" not in place


def test_regulator_profile_withholds_the_reporter_and_customer_contact(
    named_reporter, walk, world, signing_key
):
    case = walk_to_close(walk, world)
    case.customer_contact = "+852 9123 4567"
    with transaction.atomic():  # recorded, or the export refuses a case that does not verify
        audit.save(case, actor=world.manager, reason="contact", update_fields=["customer_contact"])
        audit.record(action="case.updated", actor=world.manager, case=case)
    casefile = build_casefile(case, profile=Profile.REGULATOR, viewer=world.auditor)
    pdf = render_casefile_pdf(casefile, lang="en")
    bundle = _bundle(case, Profile.REGULATOR)

    assert casefile.parties.reporter_withheld is True
    for place in _everything(pdf, bundle):
        assert "tipster.mei" not in place
        assert "+852 9123 4567" not in place
    # The regulator still sees the affected customer and the subjects.
    assert "Madam Wong" in pdf_text(pdf)
    assert "Chan Tai Man" in pdf_text(pdf)


def test_bulletin_profile_is_fully_anonymised(named_reporter, walk, world, signing_key):
    case = walk_to_close(walk, world)
    casefile = build_casefile(case, profile=Profile.BULLETIN, viewer=world.auditor)
    pdf = render_casefile_pdf(casefile, lang="en")
    bundle = _bundle(case, Profile.BULLETIN)
    withheld = [
        "tipster.mei",
        "Madam Wong",
        "Chan Tai Man",
        world.subject.staff_number,
        "investigator2",
        "depthead",
    ]

    for place in _everything(pdf, bundle):
        for value in withheld:
            assert value not in place, value
    text = pdf_text(pdf)
    assert "Person A" in text
    assert "Customer" in text
    assert "Staff 1" in text
    # Evidence files may name people: the register keeps hashes, the bundle leaves files out.
    assert not [n for n in zip_members(bundle) if n.startswith("evidence/")]
    assert casefile.evidence[0].sha256 in zip_members(bundle)["case.json"].decode()


def test_redacted_events_still_link_and_the_bundle_verifies(
    named_reporter, walk, world, signing_key, tmp_path
):
    from tools import verify_bundle

    case = walk_to_close(walk, world)
    path = tmp_path / "b.zip"
    path.write_bytes(_bundle(case, Profile.BULLETIN))

    report = verify_bundle.verify(str(path), signing_key.read_bytes())
    assert report.redacted_events > 0
    assert report.events == audit.events_of(case).count() - 1  # the export itself came after
