"""Evidence in an S3-compatible bucket shared by every node (django-storages), tested against
moto's S3 server started here on 127.0.0.1:8109: uploaded through the case page, kept
private in the bucket, downloaded back only through the view that checks the case."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.production import s3
from tests.production.test_media_and_no_store import png
from violations.models import Evidence

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "accountability-evidence"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\n"


@pytest.fixture(scope="module")
def s3_server():
    with s3.local_s3_server() as endpoint:
        s3.client().create_bucket(Bucket=BUCKET)
        yield endpoint


@pytest.fixture
def bucket(settings, s3_server, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": s3.storage_options(BUCKET)}
    yield s3.client()
    listing = s3.client().list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in listing:
        s3.client().delete_object(Bucket=BUCKET, Key=item["Key"])


def test_settings_choose_the_bucket_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "o = s.STORAGES['default']; print(o['BACKEND'], o['OPTIONS']['bucket_name'], "
        "o['OPTIONS']['endpoint_url'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ACCOUNTABILITY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="on",
        ACCOUNTABILITY_S3_BUCKET="evidence",
        ACCOUNTABILITY_S3_ENDPOINT_URL="http://s3.internal:9000",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "config.storage.PrivateS3Storage",
        "evidence",
        "http://s3.internal:9000",
    ]


def test_evidence_goes_to_the_bucket_and_comes_back_through_the_case(world, walk, bucket):
    case = walk.report()
    officer = Client()
    officer.force_login(world.officer)
    response = officer.post(
        f"/cases/{case.reference}/evidence/",
        {
            "kind": "document",
            "description": "Signed suitability form",
            "file": SimpleUploadedFile("form.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    item = Evidence.objects.get(case=case, description="Signed suitability form")

    # In the bucket under its digest, not on this machine's disk, and private there.
    keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [item.file.name] == [f"evidence/{case.pk}/{item.sha256}"]
    assert bucket.get_object(Bucket=BUCKET, Key=item.file.name)["Body"].read() == PDF
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=item.file.name)["Grants"]
    assert all("AllUsers" not in str(g.get("Grantee", {})) for g in grants)
    # Its address is the application's, never the bucket's.
    assert item.file.url == f"/media/{item.file.name}"
    assert s3.ENDPOINT not in item.file.url

    # Another person who may see the case downloads it through the evidence view.
    manager = Client()
    manager.force_login(world.manager)
    download = manager.get(f"/cases/{case.reference}/evidence/{item.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "no-store" in download["Cache-Control"]
    # The media route refuses it, and someone outside the case gets nothing.
    assert manager.get(item.file.url).status_code == 404
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/cases/{case.reference}/evidence/{item.pk}/").status_code == 404


def test_an_avatar_in_the_bucket_is_served_by_the_application(world, bucket):
    client = Client()
    client.force_login(world.officer)
    upload = SimpleUploadedFile("me.png", png(), "image/png")
    assert client.post("/accounts/profile/", {"avatar": upload}).status_code == 200
    page = client.get("/accounts/profile/").content.decode()
    assert f"/media/avatars/{world.officer.pk}.png?timestamp=" in page
    avatar = client.get(f"/media/avatars/{world.officer.pk}.png")
    assert avatar.status_code == 200
    assert b"".join(avatar.streaming_content).startswith(b"\x89PNG")
