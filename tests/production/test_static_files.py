"""With DEBUG off, static files come from collectstatic's output, under hashed names, served
by whitenoise: the login page's fields are web components that need viewflow.min.js."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

MANIFEST = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')
ROOT = Path(__file__).resolve().parents[2]
HASHED = re.compile(r"\.[0-9a-f]{12}\.(?:js|css)$")


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic once for the module, as `make install` and `make serve` run it."""
    root = tmp_path_factory.mktemp("static")
    from django.conf import settings as django_settings
    from django.test.utils import override_settings

    storages = {**django_settings.STORAGES, "staticfiles": MANIFEST}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(settings, collected):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected
    settings.STORAGES = {**settings.STORAGES, "staticfiles": MANIFEST}
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    return collected


def test_the_production_configuration_uses_hashed_static_files():
    # The suite runs with DJANGO_DEBUG=1: read the settings as production reads them.
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.STORAGES['staticfiles']['BACKEND']); print(s.MIDDLEWARE[2])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="off")
    env["DJANGO_SECRET_KEY"] = "x" * 50
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_login_page_assets_resolve_through_the_manifest_and_are_served(db, production_static):
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assets = ASSET.findall(page.content.decode())
    scripts = [a for a in assets if a.endswith(".js")]
    # The web components behind the login fields, under their hashed name.
    viewflow_js = [a for a in scripts if re.search(r"/viewflow\.min\.[0-9a-f]{12}\.js$", a)]
    assert len(viewflow_js) == 1
    assert all(HASHED.search(a) for a in assets if a.endswith((".js", ".css"))), assets
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        # Whitenoise, not Django: hashed names are cached for good, never marked no-store.
        assert "immutable" in response["Cache-Control"], asset
        assert "no-store" not in response["Cache-Control"]
        response.close()
    # Compressed copies exist and are offered to a browser that accepts them.
    gz = client.get(viewflow_js[0], HTTP_ACCEPT_ENCODING="gzip")
    assert gz["Content-Encoding"] == "gzip"
    gz.close()


def test_an_unknown_static_file_is_404_not_a_page(db, production_static):
    response = Client().get("/static/viewflow/js/nothing-here.js")
    assert response.status_code == 404
