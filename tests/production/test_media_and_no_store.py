"""Files go out only through views that check rights, and no page that Django makes may be
kept by a browser or a proxy cache."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from violations import services

PDF = b"%PDF-1.7\n1 0 obj\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def case(walk):
    return walk.report()


@pytest.fixture
def evidence(world, case):
    return services.evidence_add(
        case=case,
        actor=world.officer,
        kind="document",
        description="Call recording transcript",
        upload=SimpleUploadedFile("scan.pdf", PDF, "application/pdf"),
    )


def test_an_avatar_upload_keeps_the_users_pages_working(world):
    client = Client()
    client.force_login(world.officer)
    upload = SimpleUploadedFile("me.png", png(), "image/png")
    response = client.post("/accounts/profile/", {"avatar": upload})
    assert response.status_code == 200
    url = f"/media/avatars/{world.officer.pk}.png"
    for page in ("/accounts/profile/", "/work/case/", "/cases/"):
        response = client.get(page)
        assert response.status_code == 200, page
        if page != "/cases/":  # viewflow's pages show the avatar; the case list does not
            assert url in response.content.decode(), page
    avatar = client.get(url)
    assert avatar.status_code == 200
    assert avatar["Content-Type"] == "image/png"
    assert b"".join(avatar.streaming_content).startswith(b"\x89PNG")
    # Not to the world: a visitor who has not signed in is sent to log in.
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_the_media_route_serves_nothing_but_avatars(world, evidence):
    client = Client()
    client.force_login(world.manager)
    for path in (
        f"/media/{evidence.file.name}",
        "/media/avatars/../" + evidence.file.name,
        "/media/avatars/1.png.pdf",
        f"/media/avatars/{world.manager.pk}.png",  # none uploaded
    ):
        assert client.get(path).status_code == 404, path


def test_case_pages_evidence_and_api_are_no_store(world, case, evidence):
    client = Client()
    client.force_login(world.manager)
    pages = [
        f"/cases/{case.reference}/",
        f"/cases/{case.reference}/evidence/{evidence.pk}/",
        "/cases/",
        "/api/cases/",
        f"/api/cases/{case.reference}/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path
        assert "private" in response["Cache-Control"]
    # A refusal is not cached either.
    outsider = Client()
    outsider.force_login(world.outsider)
    refused = outsider.get(f"/cases/{case.reference}/evidence/{evidence.pk}/")
    assert refused.status_code == 404
    assert no_store(refused)


def test_case_file_pdf_and_bundle_are_no_store(world, walk, signing_key):
    from tests.reports.conftest import walk_to_close

    closed = walk_to_close(walk, world)
    client = Client()
    client.force_login(world.auditor)
    pdf = client.get(reverse("reports:casefile_pdf", args=[closed.reference]))
    assert pdf.status_code == 200
    assert no_store(pdf)
    bundle = client.get(reverse("reports:bundle", args=[closed.reference]), {"recipient": "HKMA"})
    assert bundle.status_code == 200
    assert no_store(bundle)
    bundle.close()


@pytest.fixture
def signing_key(settings, tmp_path):
    from tests.reports.conftest import signing_key as make_key

    return make_key.__wrapped__(settings, tmp_path)


def test_the_login_page_is_no_store(db):
    assert no_store(Client().get("/accounts/login/"))
