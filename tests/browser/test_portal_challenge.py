"""The portal's proof of work in real Chromium: pow.js solves the challenge before the form
goes out, showing its "preparing" note, and the server accepts the solution once.

Runs with the browser walk (``ACCOUNTABILITY_BROWSER_WALK=1``), on Debian's Chromium.
"""

from __future__ import annotations

import os
import time

import pytest
from django.contrib.staticfiles.views import serve
from django.http import HttpResponse
from django.template import Context, Template
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from security import portal_guard

from .conftest import CHROMIUM

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FORM = Template(
    "{% load portal_guard %}<!doctype html><html><body>"
    '<form method="post" action="/form/"><input name="text" value="hello">'
    "{% portal_challenge %}<button type=submit>Send</button></form></body></html>"
)
seen: list[dict] = []


@csrf_exempt
def form(request):
    if request.method == "POST":
        data = request.POST.dict()
        seen.append(data)
        verdict = "accepted" if portal_guard.challenge_passed(request.POST) else "refused"
        return HttpResponse(f"<p id=verdict>{verdict}</p>")
    return HttpResponse(FORM.render(Context()))


def no_icon(request):
    return HttpResponse(status=204)


urlpatterns = [
    path("form/", form),
    path("favicon.ico", no_icon),
    re_path(r"^static/(?P<path>.*)$", serve, {"insecure": True}),
]


# Transactional with the initial data restored, as the other browser tests: a live server's
# test must not leave the database as the next one does not expect it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chromium_solves_the_challenge_before_sending(live_server, settings):
    from playwright.sync_api import sync_playwright

    settings.ROOT_URLCONF = __name__
    settings.PORTAL_POW_DIFFICULTY = 16
    seen.clear()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(live_server.url + "/form/")
        # Sent at once, before the work is done: the note shows, then the form goes by itself.
        started = time.monotonic()
        page.click("button[type=submit]")
        page.wait_for_selector("#verdict", timeout=120_000)
        elapsed = time.monotonic() - started
        assert page.inner_text("#verdict") == "accepted"
        assert errors == []
        browser.close()
    assert len(seen) == 1
    assert seen[0]["text"] == "hello"
    assert seen[0]["pow_solution"].isdigit()
    # Replaying what the browser sent is refused.
    assert portal_guard.challenge_check(seen[0]["pow_challenge"], seen[0]["pow_solution"]) is False
    print(f"solved and sent in {elapsed:.1f} s")


# Transactional with the initial data restored, as the other browser tests: a live server's
# test must not leave the database as the next one does not expect it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_preparing_note_shows_while_the_work_is_not_done(live_server, settings):
    from playwright.sync_api import sync_playwright

    settings.ROOT_URLCONF = __name__
    # Out of reach in a test's time: the form must wait, saying so.
    settings.PORTAL_POW_DIFFICULTY = 40
    seen.clear()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(live_server.url + "/form/", wait_until="domcontentloaded")
        # The page stays usable while the work runs: a person can type.
        started = time.monotonic()
        page.fill("input[name=text]", "typed while the browser works")
        typing = time.monotonic() - started
        page.click("button[type=submit]")
        status = page.locator("[data-pow-status]")
        status.wait_for(state="visible", timeout=5_000)
        assert status.inner_text() == "Preparing to send… this takes a few seconds."
        page.wait_for_timeout(1000)
        assert "/form/" in page.url
        assert page.locator("#verdict").count() == 0
        browser.close()
    assert typing < 5
    assert seen == []
