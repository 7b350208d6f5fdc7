"""Issue 19's "done when", in real Chromium and in Traditional Chinese: an anonymous outsider
reports with an attachment and keeps the receipt code; the officer asks a question; the
reporter answers in the mailbox; the case closes; the reporter reads the final feedback.
Nowhere in the database or the case file is the reporter's address or user agent.

The officer's and the flow's steps go through the services (the case page's form is tested
over HTTP in tests/portal/); the reporter's side is the browser's. Run with
``make browser-walk`` (ACCOUNTABILITY_BROWSER_WALK=1): Debian's Chromium drives the pages.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from .conftest import CHROMIUM

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AGENT = "Mozilla/5.0 (X11; Linux x86_64) PortalWalk/19.0"
FORWARDED = "198.51.100.23"  # a client's own X-Forwarded-For, which nobody should believe


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_anonymous_outsider_follows_a_report_to_its_feedback(live_server, settings, tmp_path):
    from playwright.sync_api import sync_playwright

    from reports.casefile import casefile_document
    from reports.selectors.casefile import build_casefile
    from tests.conftest import make_world
    from tests.portal.helpers import rows_containing
    from tests.walk import Walker
    from violations import audit, services
    from violations.models import Case, MessageKind

    settings.PORTAL_POW_DIFFICULTY = 8
    settings.PORTAL_CODE_MIN_SECONDS = 0
    world = make_world()
    walk = Walker(world)
    attachment = tmp_path / "收據.pdf"
    attachment.write_bytes(b"%PDF-1.4 receipt of the backdated form\n")
    problems: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(
                locale="zh-TW", user_agent=AGENT, extra_http_headers={"X-Forwarded-For": FORWARDED}
            )
            context.add_cookies(
                [{"name": "django_language", "value": "zh-hant", "url": live_server.url}]
            )
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.on(
                "console",
                lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
            )

            # The report, in Traditional Chinese, anonymous, with a file.
            page.goto(f"{live_server.url}/speak-up/")
            assert "提交報告" in page.content()
            page.click("a[href='/speak-up/report/']")
            page.check("input[name=reporter_type][value=outsider]")
            page.check("input[name=identity][value=anonymous]")
            page.select_option("select[name=category]", str(world.category.pk))
            page.fill("textarea[name=description]", "分行經理倒填客戶的適合性評估表格。")
            page.fill("input[name=occurred_on]", "2026-11-02")
            page.fill("textarea[name=people_involved]", "九龍分行經理")
            page.set_input_files("input[name=attachments]", str(attachment))
            page.click("form.pt-form button[type=submit]")
            page.wait_for_url("**/speak-up/receipt/")
            assert "只會顯示這一次" in page.content()
            code = page.locator("[data-receipt-code]").inner_text().strip()
            assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code), code

            case = Case.objects.get()
            assert case.evidence.get().original_name == "收據.pdf"

            # The officer asks (from the case page's form, here through its service).
            services.reporter_message_send(
                case=case,
                actor=world.officer,
                kind=MessageKind.QUESTION,
                text="表格是哪一天倒填的？",
            )

            # The reporter opens the mailbox with the code and answers.
            page.goto(f"{live_server.url}/speak-up/mailbox/")
            page.fill("input[name=code]", code)
            page.click("form.pt-form button[type=submit]")
            page.wait_for_url("**/speak-up/mailbox/case/")
            assert "表格是哪一天倒填的？" in page.content()
            assert code.replace(" ", "") not in page.url
            page.fill("textarea[name=text]", "十一月二日上午。")
            page.click("form.pt-form button[type=submit]")
            page.wait_for_url("**/speak-up/mailbox/case/?sent=1")
            assert "你的訊息已送出。" in page.content()

            # The case closes (dismissed at verification), and the case manager, who still sees
            # a closed case, gives the final feedback.
            walk.verify(case, outcome="dismiss", reason="Referred to the branch's own review.")
            services.reporter_message_send(
                case=case,
                actor=world.manager,
                kind=MessageKind.FEEDBACK_FINAL,
                text="感謝你的報告。我們已完成處理並採取適當跟進。",
            )

            page.goto(f"{live_server.url}/speak-up/mailbox/case/")
            text = page.content()
            assert 'data-status="closed"' in text
            assert "已結案" in text
            assert "感謝你的報告。我們已完成處理並採取適當跟進。" in text
            assert "十一月二日上午。" in text
            for secret in (world.officer.get_username(), case.reference):
                assert secret not in page.inner_text("main"), secret
            context.close()
        finally:
            browser.close()

    assert problems == []
    case = Case.objects.get()
    assert case.stage == "closed"
    assert audit.verify(case=case).problems == []
    assert rows_containing(AGENT, "PortalWalk", FORWARDED) == []
    for profile in ("internal", "regulator"):
        document = json.dumps(
            casefile_document(build_casefile(case, profile=profile, viewer=world.manager)),
            ensure_ascii=False,
        )
        assert AGENT not in document
        assert FORWARDED not in document
        assert "十一月二日上午。" in document
