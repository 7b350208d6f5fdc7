"""The case file's pages: headings stay with what follows them; the file describes itself
(XMP metadata, document information, language)."""

import io
from xml.etree import ElementTree

import pypdf
import pytest
from reportlab.platypus import Paragraph

from reports.casefile import Profile
from reports.pdf import render_casefile_pdf
from reports.pdf.layout import PRODUCER
from reports.pdf.markup import Writer
from reports.pdf.sections import Builder
from reports.selectors import build_casefile
from tests.reports.pdfcheck import page_bodies, with_description


@pytest.fixture
def casefile(closed_case, world):
    return build_casefile(closed_case, profile=Profile.INTERNAL, viewer=world.auditor)


def headings(casefile, lang: str) -> set[str]:
    story = Builder(casefile, lang, Writer(lang)).build()
    return {
        f.getPlainText()
        for f in story
        if isinstance(f, Paragraph) and f.style.name.split("-")[0] in ("h1", "h2")
    }


def test_no_page_ends_with_a_heading(casefile):
    """Descriptions of many lengths push every heading of the file across the foot of a
    page in turn; none is left as a page's last line."""
    orphans = []
    for lines in range(2, 120, 3):
        long = with_description(casefile, "\n".join(f"Line {n}." for n in range(lines)))
        titles = headings(long, "en")
        for number, body in enumerate(page_bodies(render_casefile_pdf(long, lang="en")), 1):
            last = body.strip().splitlines()[-1].strip()
            if last in titles:
                orphans.append((lines, number, last))
    assert orphans == []


@pytest.mark.parametrize(
    ("lang", "xmp_lang", "title"),
    [("en", "en", "Case file"), ("zh-hant", "zh-Hant", "案卷"), ("zh-hans", "zh-Hans", "案卷")],
)
def test_the_file_describes_itself(casefile, lang, xmp_lang, title):
    reader = pypdf.PdfReader(io.BytesIO(render_casefile_pdf(casefile, lang=lang)))
    reference = casefile.summary.reference

    xmp = reader.xmp_metadata
    assert xmp.dc_title == {"x-default": f"{title} {reference}"}
    assert xmp.dc_identifier == reference
    assert xmp.dc_language == [xmp_lang]
    assert xmp.dc_creator == [casefile.export.institution]
    assert xmp.pdf_producer == PRODUCER
    assert xmp.xmp_creator_tool == "Accountability"
    packet = ElementTree.fromstring(reader.trailer["/Root"]["/Metadata"].get_data())
    case = "{https://accountability.example/ns/case-file/1.0/}"
    assert packet.find(f".//{case}Reference").text == reference
    assert packet.find(f".//{case}Profile").text == "internal"
    assert packet.find(f".//{case}ChainHead").text == casefile.chain.head_hash

    assert reader.metadata.title == f"{title} {reference}"
    assert reader.metadata.producer == PRODUCER
    assert reader.trailer["/Root"]["/Lang"] == lang
