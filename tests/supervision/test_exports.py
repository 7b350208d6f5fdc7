"""Bad input, who may open what, the XLSX and the PDF of the dashboard."""

import hashlib
import io
import subprocess

import pytest
from django.conf import settings
from openpyxl import load_workbook

from ledger.chain import SYSTEM_CHAIN
from ledger.models import AuditEvent
from reports.supervision.exports import HEADER_ROW
from tests.supervision.conftest import client_for, figure

PERIOD = "from=2026-09-01&to=2026-11-20"


@pytest.mark.parametrize(
    "query",
    [
        "from=yesterday",
        "from=2026-13-01",
        "from=2026-11-01&to=2026-10-01",  # the end before the start
        "from=1900-01-01&to=2026-11-20",  # beyond the trend's ceiling
        "department=999999999",
        "department=abc",
        "category=-1",
        "severity=apocalyptic",
        "source=nonsense",
        "person=NOBODY",
        "open_at=31/12/2026",
    ],
)
def test_bad_filters_are_form_errors(world, query):
    manager = client_for(world.manager)
    for url in (
        "/supervision/",
        "/supervision/export/summary.csv",
        "/supervision/export.xlsx",
        "/supervision/export.pdf",
    ):
        response = manager.get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        assert b'role="alert"' in response.content
    # The case list keeps the list and says what was wrong (a long period is fine there).
    response = manager.get(f"/cases/?{query}")
    assert response.status_code == 200
    assert (b'role="alert"' in response.content) is not query.startswith("from=1900")


def test_an_unknown_table_is_not_found(world):
    assert client_for(world.manager).get("/supervision/export/nothing.csv").status_code == 404


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("manager", 200),
        ("auditor", 200),
        ("senior", 200),
        ("officer", 403),
        ("reporter", 403),
        ("investigator", 403),
    ],
)
def test_who_opens_the_dashboard_and_its_downloads(world, user, status):
    client = client_for(getattr(world, user))
    for url in (
        "/supervision/",
        "/supervision/export/summary.csv",
        "/supervision/export.xlsx",
        "/supervision/export.pdf",
    ):
        assert client.get(url).status_code == status, url


def test_the_workbook_has_the_pages_numbers(spread, world, today):
    manager = client_for(world.manager)
    body = manager.get(f"/supervision/?{PERIOD}").content.decode()
    _href, total = figure(body, "total")
    response = manager.get(f"/supervision/export.xlsx?{PERIOD}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    summary = {
        row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    }
    assert summary["Cases"] == total == 5
    assert summary["Closed"] == 3
    trend = list(wb["Monthly trend"].iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert [row[:4] for row in trend] == [
        ("2026-09", 2, 2, 0),
        ("2026-10", 2, 0, 2),
        ("2026-11", 1, 1, 2),
    ]
    assert {ws.title for ws in wb.worksheets} >= {"By department", "Repeat offenders"}


def test_every_download_is_on_the_system_chain_with_its_hash(spread, world, today):
    manager = client_for(world.manager)
    before = AuditEvent.objects.filter(action="dashboard.exported").count()
    refused = manager.get("/supervision/export.xlsx?from=yesterday")
    assert refused.status_code == 400
    downloads = {
        "csv": manager.get(f"/supervision/export/repeat_offenders.csv?{PERIOD}"),
        "xlsx": manager.get(f"/supervision/export.xlsx?{PERIOD}"),
        "pdf": manager.get(f"/supervision/export.pdf?{PERIOD}"),
    }

    events = list(AuditEvent.objects.filter(action="dashboard.exported").order_by("pk")[before:])
    # The refused one left nothing; each download one event, on the system chain.
    assert [e.payload["format"] for e in events] == ["csv", "xlsx", "pdf"]
    for event in events:
        response = downloads[event.payload["format"]]
        assert event.chain.key == SYSTEM_CHAIN
        assert event.actor == world.manager
        assert event.payload["sha256"] == hashlib.sha256(response.content).hexdigest()
        assert event.payload["filters"] == {"from": "2026-09-01", "to": "2026-11-20"}
    assert events[0].payload["tables"] == ["repeat_offenders"]
    assert "summary" in events[1].payload["tables"]
    # The auditor sees them on the desk.
    desk = client_for(world.auditor).get("/audit/security/?action=dashboard.exported")
    assert desk.status_code == 200
    assert len(desk.context["entries"]) == 3


@pytest.mark.parametrize("lang", ["en", "zh-hant", "zh-hans"])
def test_the_pdf_embeds_its_fonts_and_draws_the_charts(spread, world, today, tmp_path, lang):
    from tests.reports.conftest import pdf_text

    manager = client_for(world.manager)
    manager.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = manager.get(f"/supervision/export.pdf?{PERIOD}")
    assert response.status_code == 200
    pdf = response.content
    text = pdf_text(pdf)
    title = {"en": "Supervision dashboard", "zh-hant": "監督", "zh-hans": "监督"}[lang]
    assert title in text
    assert "2026-10" in text  # the charts' month axis and the trend table
    path = tmp_path / "d.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    for row in rows:
        assert row.split()[-5:-2] == ["yes", "yes", "yes"], fonts  # embedded subset
