"""The browser walk runs on demand (``make browser-walk``, its own block in ``.ci/run``):
it needs Chromium, and one walk is worth running once per CI, not in every suite run."""

import os

import pytest

CHROMIUM = os.environ.get("ACCOUNTABILITY_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("ACCOUNTABILITY_BROWSER_WALK") == "1":
        return
    skip = pytest.mark.skip(reason="browser walk: set ACCOUNTABILITY_BROWSER_WALK=1")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture
def live_server():
    """pytest-django's live server, on the walk's own port, with a media URL: the project
    serves media through views only (``MEDIA_URL = None``), which Django's live-server
    media handler cannot parse."""
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    address = os.environ.get("ACCOUNTABILITY_WALK_ADDRESS", "127.0.0.1:8107")
    with override_settings(MEDIA_URL="/never-served-media/"):
        server = LiveServer(address)
        try:
            yield server
        finally:
            server.stop()
