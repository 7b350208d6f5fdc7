"""One whole case in real Chromium, every step done by the person the inbox offers it to
(one click to open or claim it, one more to submit it), in English and in Traditional Chinese: a lead's conflict and replacement, a
superseded evidence item, sanctions, remediation, the review, and the appeal window running
out. Any 4xx/5xx, console error or English phrase on a Chinese page fails the walk.

Run with ``make browser-walk``: Debian's Chromium (``/usr/bin/chromium``) drives the pages,
never a browser that Playwright downloads.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from security import mfa
from tests.security.totp import authenticator_for, code_now

from .conftest import CHROMIUM

# Playwright's sync API keeps an event loop in this thread; the test's own ORM calls (the
# timers) happen between page loads, never during one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPORT = Path(__file__).resolve().parents[2] / "var" / "browser-walk.json"

# Data the walk or the demo world types: names, codes and free text are not UI strings.
DATA = [
    "Chan Tai Man",
    "Lee Siu Ming",
    "Head of Retail",
    "Head of department",
    "Relationship manager",
    "Retail Banking",
    "Operations",
    "Mis-selling",
    "Demo Bank Ltd.",
    "English",
    "SHA-256",
    "HKMA",
]
# Two or more English words in a row on a Chinese page: a string nobody translated.
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ '’-]+[A-Za-z]{2,})+")


# The words a person sees on the page, without icon ligatures (Material icons are words in
# an icon font); collapsed details stay unread, as on the screen.
TEXT_OF_PAGE = """() => {
  if (!document.body) return "";
  const hide = document.createElement("style");
  hide.textContent = ".material-icons, [class*=icon] { display: none !important; }";
  document.head.appendChild(hide);
  const text = document.body.innerText;
  hide.remove();
  return text;
}"""
# An English function word standing alone ("1-10 of 25"): part of a sentence nobody translated.
ENGLISH_WORD = re.compile(r"(?<![A-Za-z])(?:of|the|and|with|for|from|to|by|is|are|not)(?![A-Za-z])")


class Walk:
    def __init__(self, browser, base_url, lang, world, typed):
        self.browser = browser
        self.base = base_url
        self.lang = lang
        self.world = world
        self.typed = typed  # every free text the walk enters
        self.contexts = {}
        self.loads = 0
        self.submissions = 0
        self.problems: list[str] = []
        self.trail: list[str] = []  # every page shown, in order

    # --- people -----------------------------------------------------------------------------

    def page_of(self, username):
        """The signed-in page of ``username`` (one browser context each, signed in once)."""
        if username not in self.contexts:
            context = self.browser.new_context(locale=self.lang)
            context.add_cookies([{"name": "django_language", "value": self.lang, "url": self.base}])
            page = context.new_page()
            page.set_default_timeout(20_000)
            self._watch(page)
            self.contexts[username] = page
            device = self.authenticator(username)
            self.go(page, "/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", "pw")
            self.submit(page, page.locator("form button[type=submit]").first)
            if device is not None:  # the code, after the password
                assert "/accounts/second-factor/verify/" in page.url, page.url
                page.fill("input[name=token]", code_now(device))
                self.submit(page, page.locator("form button[type=submit]").first)
        return self.contexts[username]

    def authenticator(self, username):
        """Approvers, case managers and auditors have an authenticator app (set up before)."""
        user = get_user_model().objects.get(username=username)
        return authenticator_for(user) if mfa.second_factor_required(user) else None

    def _watch(self, page):
        def on_response(response):
            if response.status >= 400:
                self.problems.append(f"{response.status} {response.url}")
            request = response.request
            shown = request.resource_type in ("document", "fetch") and (
                response.headers.get("content-type", "").startswith("text/html")
            )
            # A page the person is shown, loaded whole or by Turbo; a redirect is not one.
            if shown and not 300 <= response.status < 400:
                self.loads += 1
                self.trail.append(response.url.removeprefix(self.base))

        def on_console(message):
            if message.type == "error":
                self.problems.append(f"console error on {page.url}: {message.text}")

        page.on("response", on_response)
        page.on("console", on_console)
        page.on(
            "pageerror",
            lambda error: self.problems.append(f"page error on {page.url}: {error.stack}"),
        )

    def inspect(self, page):
        """After each arrival: a Chinese page shows no English phrase but typed data."""
        page.wait_for_load_state()
        if self.lang == "en":
            return
        text = page.evaluate(TEXT_OF_PAGE)
        for known in sorted([*DATA, *self.typed], key=len, reverse=True):
            text = text.replace(known, " ")
        for match in [*ENGLISH_RUN.finditer(text), *ENGLISH_WORD.finditer(text)]:
            around = text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " | ")
            self.problems.append(f"untranslated on {page.url}: {match.group()!r} in {around!r}")

    # --- moves ------------------------------------------------------------------------------

    def go(self, page, path):
        page.goto(self.base + path)
        self.inspect(page)

    def submit(self, page, button=None):
        self.submissions += 1
        with page.expect_navigation():
            (button or page.locator("form.acc-form button[type=submit]").last).click()
        self.inspect(page)

    def open_task(self, username, reference, step):
        """Open ``step`` of the case in one click: from the page the person is on (their
        inbox after logging in or after a step that took the case out of their sight, or
        the case page), else from their inbox. "Open" for a task they hold, "Claim and
        open" for one waiting in the queue."""
        page = self.page_of(username)
        for where in (None, "/work/case/inbox/"):
            if where is not None:
                self.go(page, where)
            action = page.locator(
                f"tr:has-text('{reference}') [data-step='{step}'], .acc-card [data-step='{step}']"
            )
            if action.count():
                if action.first.evaluate("e => e.tagName") == "BUTTON":
                    self.submit(page, action.first)
                else:
                    action.first.click()
                    page.wait_for_url(re.compile(f"/{step}/\\d+/execute/"))
                    self.inspect(page)
                assert re.search(f"/{step}/\\d+/execute/", page.url), page.url
                return page
        raise AssertionError(f"{username} is offered no {step} task of {reference}")

    def text(self, page, name, value):
        self.typed.append(value)
        page.fill(f"[name={name}]", value)


def _walk(browser, base_url, lang, world, tmp_path):
    from sanctions.models import SanctionKind
    from violations.models import Case, ViolationCategory

    # Reference data the institution keeps in its own words, and notices as they were sent.
    typed: list[str] = [
        *ViolationCategory.objects.values_list("name", flat=True),
        *SanctionKind.objects.values_list("name", flat=True),
    ]
    walk = Walk(browser, base_url, lang, world, typed)
    title = f"Unsuitable fund sold ({lang})"
    typed += [title, world.subject.staff_number]

    # The reporter files the report.
    page = walk.page_of("reporter")
    walk.go(page, "/work/case/report/")
    page.select_option("[name=source]", "staff_report")
    page.select_option("[name=category]", str(world.category.pk))
    walk.text(page, "title", title)
    walk.text(page, "description", "Sold a high-risk fund to a retiree")
    occurred = timezone.localtime() - dt.timedelta(days=3)
    page.fill("[name=occurred_at]", occurred.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("[name=department]", str(world.dept.pk))
    page.select_option("[name=subjects]", [str(world.subject.pk)])
    walk.submit(page)
    case = Case.objects.get(title=title)
    ref = case.reference
    typed.append(ref)

    # The compliance officer verifies.
    page = walk.open_task("officer", ref, "verify")
    page.check("[name=outcome][value=proceed]")
    walk.text(page, "first_evidence", "Call recording located")
    walk.submit(page)

    # The case manager sets up the team.
    page = walk.open_task("manager", ref, "form_team")
    page.select_option("[name=lead]", str(world.investigator.pk))
    page.select_option("[name=members]", [str(world.investigator2.pk)])
    walk.submit(page)

    # The lead declares a conflict; the member declares none.
    page = walk.page_of("investigator")
    walk.go(page, "/cases/declarations/")
    page.check("[name=has_conflict][value=yes]")
    walk.text(page, "statement", "The subject is my cousin")
    walk.submit(page, page.locator(f"form[action*='{ref}'] button[type=submit]"))
    page = walk.page_of("investigator2")
    walk.go(page, "/cases/declarations/")
    page.check("[name=has_conflict][value=no]")
    walk.submit(page, page.locator(f"form[action*='{ref}'] button[type=submit]"))

    # The case manager replaces the lead from the queue.
    page = walk.open_task("manager", ref, "replace_lead")
    page.select_option("[name=new_lead]", str(world.investigator2.pk))
    walk.text(page, "reason", "Lead declared a conflict")
    walk.submit(page)

    # The new lead gathers evidence on the case page, supersedes it, and reports.
    page = walk.page_of("investigator2")
    walk.go(page, case.get_absolute_url())
    first = tmp_path / "e1.txt"
    first.write_text("call transcript, first draft")
    page.locator("details:has(form[action$='/evidence/']) summary").click()
    page.select_option("form[action$='/evidence/'] [name=kind]", index=0)
    walk.text(page, "description", "Call transcript")
    page.set_input_files("form[action$='/evidence/'] [name=file]", str(first))
    walk.submit(page, page.locator("form[action$='/evidence/'] button"))
    corrected = tmp_path / "e2.txt"
    corrected.write_text("call transcript, corrected")
    typed += [first.name, corrected.name]
    page.locator("details:has(form[action$='/supersede/']) summary").first.click()
    form = page.locator("form[action$='/supersede/']").first
    form.locator("[name=file]").set_input_files(str(corrected))
    typed.append("Wrong recording date in the first transcript")
    form.locator("[name=reason]").fill("Wrong recording date in the first transcript")
    walk.submit(page, form.locator("button"))
    assert case.evidence.filter(superseded_by__isnull=False).count() == 1

    page = walk.open_task("investigator2", ref, "investigate")
    walk.text(page, "summary", "Reviewed the call")
    walk.text(page, "conclusion", "Mis-sold")
    walk.submit(page)

    page = walk.open_task("investigator2", ref, "find_facts")
    page.check("[name=established][value=yes]")
    walk.text(page, "nature", "Mis-selling of a high-risk product")
    page.select_option("[name=severity]", "general")
    page.select_option(f"[name=resp_{world.subject.pk}]", "direct")
    for box in ("facts_clear", "evidence_conclusive", "characterization_accurate"):
        page.check(f"[name={box}]")
    page.check("[name=handling_appropriate]")
    walk.submit(page)

    # Sanctions: proposal, the persons heard, approval, execution.
    page = walk.open_task("officer", ref, "propose")
    rp = case.findings.get().responsible.get()
    page.select_option(f"[name=p{rp.pk}_0_type]", "warning")
    page.select_option(f"[name=p{rp.pk}_0_form]", "written")
    walk.text(page, f"p{rp.pk}_0_justification", "Exceptional circumstances")
    walk.text(page, "justification", "In line with precedent")
    walk.submit(page)

    page = walk.open_task("officer", ref, "defence")
    page.check(f"[name=d{world.subject.pk}_outcome][value=statement]")
    walk.text(page, f"d{world.subject.pk}_text", "I accept the findings")
    walk.submit(page)

    page = walk.open_task("depthead", ref, "approve")
    page.check("[name=decision][value=approve]")
    walk.submit(page)

    page = walk.open_task("hr", ref, "execute_sanctions")
    for field in page.locator("input[type=date]").all():
        field.fill(timezone.localdate().isoformat())
    walk.submit(page)

    # Remediation: plan, the owner's action, the review once the delay ran out.
    page = walk.open_task("officer", ref, "plan_remediation")
    page.select_option("[name=cause1_category]", index=1)
    walk.text(page, "cause1_description", "Desk did not know the suitability rules")
    page.select_option("[name=action1_kind]", index=1)
    walk.text(page, "action1_description", "Retrain the desk")
    page.select_option("[name=action1_owner]", str(world.owner.pk))
    page.fill("[name=action1_due]", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.check("[name=action1_causes][value='1']")
    walk.submit(page)

    page = walk.open_task("owner", ref, "complete_action")
    walk.text(page, "completion_note", "Training held")
    page.fill("[name=proof_link]", "https://intranet.example/training/42")
    walk.submit(page)

    # The case page says what it waits for.
    page = walk.page_of("manager")
    walk.go(page, case.get_absolute_url())
    assert page.locator(".waiting").count() == 2, page.locator(".waiting").all_inner_texts()
    _fire_timers(case, days=1)

    page = walk.open_task("reviewer", ref, "review")
    for name in ("timeliness", "pertinence", "effectiveness", "reasons"):
        walk.text(page, name, f"Fine {name}")
    page.check("[name=verdict][value=effective]")
    walk.submit(page)

    walk.go(walk.page_of("manager"), case.get_absolute_url())
    _fire_timers(case, days=11)
    case.refresh_from_db()
    assert case.is_closed
    typed.extend(case.outcome_notices.values_list("text", flat=True))
    walk.go(walk.page_of("auditor"), case.get_absolute_url())

    for page in walk.contexts.values():
        page.context.close()
    return walk


def _fire_timers(case, *, days):
    import time_machine
    from viewflow.workflow.timers import fire_due_timers

    with time_machine.travel(timezone.now() + dt.timedelta(days=days), tick=False):
        fire_due_timers()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_one_case_from_report_to_close_in_chromium(live_server, settings, tmp_path, lang):
    from playwright.sync_api import sync_playwright

    from tests.conftest import make_world

    settings.ACCOUNTABILITY = {
        **settings.ACCOUNTABILITY,
        "DEADLINE_OVERRIDES": {"review_delay": dt.timedelta(hours=12)},
    }
    world = make_world()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            walk = _walk(browser, live_server.url, lang, world, tmp_path)
        finally:
            browser.close()

    REPORT.parent.mkdir(exist_ok=True)
    measured = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    measured[lang] = {
        "page_loads": walk.loads,
        "form_submissions": walk.submissions,
        "pages": walk.trail,
    }
    REPORT.write_text(json.dumps(measured, indent=2))
    assert walk.problems == [], "\n".join(walk.problems)
