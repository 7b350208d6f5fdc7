"""The case-file PDF: three languages, every section, bookmarks, page numbers."""

import dataclasses
import io
import re

import pypdf
import pytest

from reports.casefile import Profile
from reports.pdf import SECTION_TITLES, SECTIONS, render_casefile_pdf, section_title
from reports.selectors import build_casefile
from tests.reports.conftest import pdf_outline, pdf_text
from violations import audit


@pytest.fixture
def casefile(closed_case, world):
    return build_casefile(closed_case, profile=Profile.INTERNAL, viewer=world.auditor)


def test_english_text_round_trip(casefile, closed_case):
    text = pdf_text(render_casefile_pdf(casefile, lang="en"))

    assert "Case file" in text
    assert closed_case.reference in text
    assert "Evidence register" in text
    assert "Four-principle attestation" in text
    assert "Demotion or transfer" in text
    assert "Madam Wong" in text


def test_traditional_chinese_text_round_trip(casefile):
    data = render_casefile_pdf(casefile, lang="zh-hant")
    text = pdf_text(data)

    for phrase in (
        "案卷",
        "證據登記冊",
        "審計鏈頭",
        "事實清楚",
        "證據確鑿",
        "定性準確",
        "處理恰當",
        "處罰及審批",
        "降級或調崗",
        "向監管部門報告",
        "重大",
    ):
        assert phrase in text, phrase
    # Traditional, not the Simplified forms a GB encoding would produce.
    assert "证据登记册" not in text
    assert "證據登記冊" in pdf_outline(data)


def test_simplified_chinese_text_round_trip(casefile):
    data = render_casefile_pdf(casefile, lang="zh-hans")
    text = pdf_text(data)

    for phrase in (
        "案卷",
        "证据登记册",
        "审计链头",
        "事实清楚",
        "证据确凿",
        "定性准确",
        "处理恰当",
        "处罚及审批",
        "降级或调岗",
        "向监管部门报告",
        "重大",
    ):
        assert phrase in text, phrase
    assert "證據登記冊" not in text


def test_language_aliases_and_unknown_language(casefile):
    assert "證據登記冊" in pdf_text(render_casefile_pdf(casefile, lang="zh-TW"))
    with pytest.raises(ValueError, match="unsupported language"):
        render_casefile_pdf(casefile, lang="fr")


def test_every_section_present_for_a_full_case(casefile, closed_case):
    data = render_casefile_pdf(casefile, lang="en")
    text = pdf_text(data)
    outline = pdf_outline(data)

    assert outline == [SECTION_TITLES["en"][k] for k in SECTIONS]
    assert len(outline) == 13
    evidence = casefile.evidence[0]
    assert evidence.sha256[:32] in text
    assert evidence.sha256[32:] in text
    assert casefile.chain.head_hash in text
    assert casefile.chain.intact is True
    assert casefile.chain.length == len(casefile.events) == audit.events_of(closed_case).count()
    # Every audit event has its row, told in a sentence; sequence numbers run 1..n.
    assert "Determined the facts (round 1): the violation is established, Major." in text
    assert "The case was closed" in text
    assert "Senior management" in text  # approval level of a demotion
    assert "HKMA" in text
    assert "REG-1" in text
    assert "1,200.00" in text  # customer redress
    assert "Retrain the desk 0" in text
    assert "Staff did not know the suitability rules" in text
    assert "No recurrence" in text  # effectiveness review
    pages = text.count("Page ")
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text
    assert "Confidential: internal use only" in text


def test_contents_and_footers_number_the_pages(casefile):
    """The cover's contents give the page each section starts on, as its bookmark does, and
    every page says "Page n of N", in a file long enough for the timeline to run over pages."""
    events = [dataclasses.replace(e, seq=n) for n, e in enumerate(casefile.events * 12, start=1)]
    data = render_casefile_pdf(dataclasses.replace(casefile, events=events), lang="en")
    reader = pypdf.PdfReader(io.BytesIO(data))

    starts = [reader.get_destination_page_number(item) + 1 for item in reader.outline]
    assert len(starts) == len(SECTIONS)
    assert starts[-1] > 10
    cover = reader.pages[0].extract_text()
    assert [int(n) for n in re.findall(r"(?:\. +)+(\d+)", cover)] == starts
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        assert f"Page {number} of {pages}" in page.extract_text()


def test_section_titles_are_in_every_language():
    for lang in ("en", "zh-hant", "zh-hans"):
        assert set(SECTION_TITLES[lang]) == set(SECTION_TITLES["en"])
    assert section_title("evidence", "zh-hant") == "證據登記冊"
    assert section_title("evidence", "zh-hans") == "证据登记册"


def test_builder_never_touches_the_database(casefile, django_assert_num_queries):
    with django_assert_num_queries(0):
        render_casefile_pdf(casefile, lang="zh-hant")


def test_casefile_reads_in_bounded_queries(closed_case, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(60):
        build_casefile(closed_case, profile=Profile.REGULATOR, viewer=world.auditor)


@pytest.mark.parametrize(
    "markup",
    [
        # text alone: made without the parser
        "2026-11-28 15:32",
        "42",
        "Chan Tai Man",
        "a1b2c3d4e5f6",
        "O'Brien (S0001) — direct",
        "x;y:z/1,2.5%",
        "—",
        # anything else: parsed
        " lead",
        "trail ",
        "two  spaces",
        "line<br/>break",
        "a &amp; b",
        "<b>bold</b>",
        "tab\there",
        "nb\xa0sp",
        '<font size="7" color="#5B6573">seq: 3</font>',
    ],
)
def test_cells_get_the_fragments_the_parser_makes(markup):
    """Cells of text alone skip the markup parser; they must get exactly what it would make."""
    from reportlab.platypus import Paragraph

    from reports.pdf.markup import Writer

    writer = Writer("en")
    for name, style in writer.styles.items():
        cell = writer.raw(markup, name)
        parsed = Paragraph(markup, style)
        assert [vars(f) for f in cell.frags] == [vars(f) for f in parsed.frags], name
        assert cell.style is style
        assert cell.text == parsed.text
