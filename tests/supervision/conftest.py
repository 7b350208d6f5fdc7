"""A small organisation of cases spread over departments (a branch below Retail Banking),
categories (a sub-category), sources, stages and months; a signing key."""

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from casework import services as work
from tests.reports.conftest import signing_key  # noqa: F401 (a fixture)
from tests.reports.test_supervision import closed_case
from violations.models import Department, ViolationCategory

HKT = ZoneInfo("Asia/Hong_Kong")
TODAY = dt.datetime(2026, 11, 20, 10, tzinfo=HKT)


def report(world, *, department=None, category=None, source="staff_report", subjects=None):
    return work.case_report(
        actor=world.reporter,
        source=source,
        category=category or world.category,
        title="Unsuitable product sold",
        description="Sold a high-risk fund to a retiree.",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        department=department or world.dept,
        subjects=subjects or [world.subject],
        customer_involved=source == "customer_complaint",
        customer_name="Madam Wong" if source == "customer_complaint" else "",
    )


@pytest.fixture
def spread(walk, world):
    """Cases in September, October and November 2026 (today is 20 November):

    * September: two cases of Retail Banking walked to close in September (established,
      general severity, the same subject: a repeat);
    * October: one case of the branch below Retail Banking in the sub-category, one of
      Operations from a customer complaint;
    * November: one case of Operations, dismissed at verification (which closes it).
    """
    branch = Department.objects.create(
        code="RB-01", name_en="Tsim Sha Tsui Branch", name_zh_hant="尖沙咀分行",
        name_zh_hans="尖沙咀分行", parent=world.dept,
    )  # fmt: skip
    sub = ViolationCategory.objects.create(
        code="MS-FUND", name_en="Fund mis-selling", name_zh_hant="基金不當銷售",
        name_zh_hans="基金不当销售", parent=world.category,
    )  # fmt: skip
    cases = {}
    with time_machine.travel(dt.datetime(2026, 9, 3, 10, tzinfo=HKT), tick=False):
        cases["sep1"] = closed_case(walk, world)
    with time_machine.travel(dt.datetime(2026, 9, 10, 10, tzinfo=HKT), tick=False):
        cases["sep2"] = closed_case(walk, world)
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, tzinfo=HKT), tick=False):
        cases["oct_branch"] = report(world, department=branch, category=sub)
        cases["oct_ops"] = report(world, department=world.other_dept, source="customer_complaint")
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=HKT), tick=False):
        cases["nov_ops"] = report(world, department=world.other_dept)
        walk.verify(cases["nov_ops"], outcome="dismiss", reason="No basis")
    return {"branch": branch, "sub": sub, **cases}


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


CASE_LINK = re.compile(r'<a href="(/cases/\?[^"]*)"[^>]*>(\d+)</a>')


def case_links(body: str) -> list[tuple[str, int]]:
    """Every number on the page that links to the case list, with its link."""
    return [(html.unescape(href), int(n)) for href, n in CASE_LINK.findall(body)]


def figure(body: str, name: str) -> tuple[str, int]:
    m = re.search(rf'<a href="([^"]*)" data-figure="{name}"[^>]*>(\d+)</a>', body)
    assert m, name
    return html.unescape(m.group(1)), int(m.group(2))


def listed(client: Client, href: str) -> int:
    body = client.get(href).content.decode()
    m = re.search(r'id="case-count" data-count="(\d+)"', body)
    assert m, href
    return int(m.group(1))


def csv_rows(content) -> list[list[str]]:
    """The rows of a CSV download (a response, streamed or not, or its bytes)."""
    import csv
    import io

    if hasattr(content, "streaming_content"):
        content = b"".join(
            c if isinstance(c, bytes) else c.encode() for c in content.streaming_content
        )
    elif hasattr(content, "content"):
        content = content.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
