"""Typed sanction parameters: the form's fields, the pages and the case file in words, and
older free text read into the fields."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone, translation

from casework.engine import open_task
from reports.casefile import Profile, casefile_document
from reports.pdf import render_casefile_pdf
from reports.selectors import build_casefile
from sanctions.describe import describe
from sanctions.models import ProposedSanction
from sanctions.services.legacy import sanction_parameters_structure, structured
from violations import audit

from ..remediation.helpers import task_url
from ..reports.conftest import walk_to_close
from .conftest import snapshot, to_propose


def propose_page(walk, world, client, case):
    task = open_task(case, "propose")
    assert client.post(task_url(task, "assign")).status_code == 302
    return task


def test_the_form_takes_one_authority_per_line_and_an_amount_with_its_currency(walk, world, client):
    case = to_propose(walk, severity="serious")
    rp = case.findings.get().responsible.get()
    client.force_login(world.officer)
    task = propose_page(walk, world, client, case)
    page = client.get(task_url(task)).content.decode()
    assert f'name="p{rp.pk}_0_authorities"' in page
    assert "HKD — Hong Kong Dollar" in page
    start = timezone.localdate()
    response = client.post(
        task_url(task),
        {
            f"p{rp.pk}_0_type": "suspension",
            f"p{rp.pk}_0_authorities": "FX trading, spot and forward\r\nWealth products",
            f"p{rp.pk}_0_start": start.isoformat(),
            f"p{rp.pk}_0_end": (start + dt.timedelta(days=90)).isoformat(),
            f"p{rp.pk}_0_currency": "HKD",
            f"p{rp.pk}_1_type": "deduction",
            f"p{rp.pk}_1_amount": "20000.50",
            f"p{rp.pk}_1_currency": "USD",
            f"p{rp.pk}_1_pay_period": "2026 annual bonus",
            "justification": "Per the matrix.",
        },
    )
    assert response.status_code == 302
    rows = {s.sanction_type: s for s in ProposedSanction.objects.filter(proposal__case=case)}
    assert rows["suspension"].parameters == {
        "authorities": ["FX trading, spot and forward", "Wealth products"]
    }
    assert (rows["suspension"].period_start, rows["suspension"].amount) == (start, None)
    assert rows["deduction"].parameters == {"currency": "USD", "pay_period": "2026 annual bonus"}
    assert rows["deduction"].amount == Decimal("20000.50")


def test_the_form_shows_what_is_missing_and_nothing_is_proposed(walk, world, client):
    case = to_propose(walk, severity="serious")
    rp = case.findings.get().responsible.get()
    client.force_login(world.officer)
    task = propose_page(walk, world, client, case)
    before = snapshot(walk, case)
    start = timezone.localdate()
    response = client.post(
        task_url(task),
        {
            f"p{rp.pk}_0_type": "suspension",
            f"p{rp.pk}_0_authorities": "FX trading",
            f"p{rp.pk}_0_start": start.isoformat(),
            f"p{rp.pk}_0_end": (start - dt.timedelta(days=1)).isoformat(),
            "justification": "Per the matrix.",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == [f"{world.subject.name}: the suspension must end after it starts."]
    assert snapshot(walk, case) == before


def test_the_approval_page_describes_the_parameters_in_words(walk, world, client):
    case = to_propose(walk, severity="serious")
    walk.propose(
        case,
        sanction="suspension",
        parameters={"authorities": ["FX trading", "Wealth products"]},
        period_start=timezone.localdate(),
        period_end=timezone.localdate() + dt.timedelta(days=30),
    )
    task = open_task(case, "approve")
    client.force_login(world.manager)
    assert client.post(task_url(task, "assign")).status_code == 302
    page = client.get(task_url(task)).content.decode()
    assert "Authorities suspended:</span> FX trading; Wealth products" in page
    assert "authorities:" not in page
    assert "[&#x27;" not in page


def test_words_in_each_language():
    params = {"currency": "HKD", "pay_period": "2026 annual bonus"}
    with translation.override("en"):
        assert describe("deduction", params, amount=Decimal("20000")) == [
            ("Amount", "HK$20,000.00"),
            ("Pay period", "2026 annual bonus"),
        ]
    with translation.override("zh-hant"):
        assert describe("deduction", params, amount=Decimal("20000"))[0] == (
            "金額",
            "HK$20,000.00",
        )
        assert describe("warning", {"form": "oral"}) == [("形式", "口頭")]
        # Older rows: the authorities as one string, the period copied into parameters.
        assert describe(
            "suspension", {"authorities": "FX, Wealth", "start": "2026-02-01", "end": "2026-03-01"}
        )[0] == ("暫停的權限", "FX; Wealth")


def test_case_file_pdf_in_traditional_chinese_names_the_parameters(walk, world):
    case = walk.report(customer=True)
    walk.verify(case)
    walk.form_team(case)
    walk.investigate(case)
    walk.find_facts(case, severity="major")
    walk.propose(
        case,
        sanction="demotion",
        parameters={"change": "transfer", "from": "客戶經理", "to": "後勤主任"},
    )
    casefile = build_casefile(walk.refresh(case), profile=Profile.INTERNAL, viewer=world.auditor)
    import subprocess

    pdf = render_casefile_pdf(casefile, lang="zh-hant")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    flat = "".join(text.split())
    for words in ("更改:調崗", "原崗位:客戶經理", "新崗位:後勤主任"):
        assert words in flat
    item = casefile_document(casefile)["sanctions"][0]["items"][0]
    assert item["parameters"] == {"change": "transfer", "from": "客戶經理", "to": "後勤主任"}
    assert item["currency"] == ""


@pytest.mark.parametrize(
    ("kind", "detail", "parameters", "amount", "expected", "kept"),
    [
        ("warning", "Written", {"form": "Written"}, None, {"form": "written"}, ""),
        ("warning", "loud", {"form": "loud"}, None, {}, "loud"),
        (
            "criticism",
            "business line",
            {"scope": "business line"},
            None,
            {"scope": "business_line"},
            "",
        ),
        ("criticism", "branch-wide", {"scope": "branch-wide"}, None, {}, "branch-wide"),
        (
            "suspension",
            "FX trading；理財產品、Margin",
            {"authorities": ["FX trading；理財產品、Margin"], "start": "2026-02-01"},
            None,
            {"authorities": ["FX trading", "理財產品", "Margin"]},
            "",
        ),
        (
            "deduction",
            "",
            {"amount": "500", "percentage": None, "period": "2026 bonus"},
            Decimal("500"),
            {"currency": "HKD", "pay_period": "2026 bonus"},
            "",
        ),
        (
            "demotion",
            "Teller → Back office",
            {"change": "demotion", "from": "", "to": "", "description": "Teller → Back office"},
            None,
            {"change": "demotion", "from": "Teller", "to": "Back office"},
            "",
        ),
        (
            "demotion",
            "Transfer to back office",
            {"change": "transfer", "from": "", "to": ""},
            None,
            {"change": "transfer"},
            "Transfer to back office",
        ),
        ("judicial", "Police", {"authority": "Police"}, None, {"authority": "Police"}, ""),
    ],
)
def test_older_free_text_is_read_into_the_fields_or_kept(
    kind, detail, parameters, amount, expected, kept
):
    assert structured(kind, detail, parameters, amount) == (expected, kept)


def test_the_migration_rewrites_older_rows_on_the_record(walk, world):
    case = walk_to_close(walk, world)
    item = ProposedSanction.objects.get(proposal__case=case)
    # As an older proposal stored it, through the audited save of its day.
    item.detail = "Relationship manager → Teller"
    item.parameters = {"change": "demotion", "from": "", "to": "", "description": "x"}
    with transaction.atomic():
        audit.save(item, actor=None, reason="older shape", update_fields=["detail", "parameters"])
        audit.record(action="test.older_shape", actor=None, case=case, payload={})

    assert sanction_parameters_structure() == 1
    item.refresh_from_db()
    assert (item.parameters["from"], item.parameters["to"], item.detail) == (
        "Relationship manager",
        "Teller",
        "",
    )
    assert audit.events_of(case).filter(action="sanctions.parameters_structured").count() == 1
    assert audit.verify(case=case).intact
    assert sanction_parameters_structure() == 0  # safe to re-run
