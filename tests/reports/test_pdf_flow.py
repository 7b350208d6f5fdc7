"""Free text of any length flows over pages: nothing stored can stop a case file or a bundle.

A description of about 6,000 characters in English or 3,000 in Chinese used to raise
reportlab's LayoutError (a table row cannot split), and the download answered 500."""

import dataclasses
import io
import itertools
import string

import pypdf
import pytest
from django.db import transaction
from django.urls import reverse

from reports.casefile import Profile
from reports.pdf import render_casefile_pdf
from reports.selectors import build_casefile
from tests.reports.conftest import zip_members
from tests.reports.pdfcheck import body_text, page_bodies, squeeze, with_description
from violations import audit
from violations.models import Case

ENGLISH = " ".join(
    f"Sentence {n}: the customer said the teller refused to explain the fees." for n in range(90)
)  # 6,479 characters
CHINESE = "".join(
    f"第{n}句：客户投诉柜台职员态度恶劣，客戶投訴櫃檯職員態度惡劣。" for n in range(110)
)  # 3,000+ characters
TOKEN = "".join(itertools.islice(itertools.cycle(string.ascii_letters + string.digits), 10_000))
URL = "https://bank.example/complaints?" + "&".join(f"k{n}=v{n}" for n in range(900))
LINES = "\n".join(f"Line {n}." for n in range(600))
PARAGRAPHS = "\n\n".join(ENGLISH[i : i + 700] for i in range(0, len(ENGLISH), 700))


@pytest.fixture
def casefile(closed_case, world):
    return build_casefile(closed_case, profile=Profile.INTERNAL, viewer=world.auditor)


def test_the_regression_texts_are_as_long_as_reported():
    assert len(ENGLISH) >= 6_000
    assert len(CHINESE) >= 3_000
    assert " " not in TOKEN
    assert len(TOKEN) == 10_000
    assert " " not in URL
    assert len(URL) > 8_000


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        pytest.param(ENGLISH, "en", id="english"),
        pytest.param(CHINESE, "en", id="chinese-en"),
        pytest.param(CHINESE, "zh-hant", id="chinese-zh-hant"),
        pytest.param(CHINESE, "zh-hans", id="chinese-zh-hans"),
        pytest.param(ENGLISH + CHINESE, "zh-hant", id="mixed"),
        pytest.param(TOKEN, "en", id="token"),
        pytest.param(URL, "zh-hans", id="url"),
        pytest.param(LINES, "en", id="lines"),
        pytest.param(PARAGRAPHS, "en", id="paragraphs"),
    ],
)
def test_a_long_description_flows_over_pages_and_reads_back_whole(casefile, text, lang):
    data = render_casefile_pdf(with_description(casefile, text), lang=lang)

    # Every character, in order, across however many pages it took.
    assert squeeze(text) in body_text(data)


def test_a_description_longer_than_a_page_starts_where_the_summary_starts(casefile):
    """The row splits inside itself: the summary page is not left with a title alone."""
    text = "Opening words. " + " ".join([ENGLISH] * 3) + " Closing words."
    bodies = page_bodies(render_casefile_pdf(with_description(casefile, text), lang="en"))

    assert "Summary" in bodies[1]
    assert "Opening words." in bodies[1]
    assert "Closing words." not in bodies[1]


def test_a_stored_200000_character_description_renders(casefile):
    text = " ".join(f"w{n:06d}" for n in range(25_000))  # 199,999 characters
    assert len(text) >= 199_999
    data = render_casefile_pdf(with_description(casefile, text), lang="zh-hant")

    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 40
    read = body_text(data)
    assert squeeze(text) in read


def _words(prefix: str, n: int) -> str:
    return " ".join(f"{prefix}{i:05d}" for i in range(n))


def _in_order(words: str, text: str) -> bool:
    at = 0
    for word in words.split():
        at = text.find(word, at)
        if at < 0:
            return False
    return True


def test_long_text_in_every_kind_of_table_cell_renders(casefile):
    """Table cells hold free text too: an event's reason, an interview's summary, an evidence
    description, a decision's reason. Rows split inside themselves; every word is read back,
    in order (other cells of a split row sit between the halves, so words, not the run)."""
    reason, summary, described = _words("r", 3_000), _words("s", 3_000), _words("d", 3_000)
    events = [dataclasses.replace(casefile.events[0], reason=reason), *casefile.events[1:]]
    interviews = [dataclasses.replace(casefile.interviews[0], summary=summary)]
    evidence = [dataclasses.replace(casefile.evidence[0], description=described)]
    long = dataclasses.replace(casefile, events=events, interviews=interviews, evidence=evidence)

    text = " ".join(page_bodies(render_casefile_pdf(long, lang="en")))

    for words in (reason, summary, described):
        assert _in_order(words, text)


@pytest.mark.parametrize("text", [ENGLISH, CHINESE], ids=["english", "chinese"])
def test_a_stored_long_description_downloads_as_pdf_and_bundle(
    client, closed_case, world, signing_key, text
):
    # Stored through the audited path (as before the limits existed): exports refuse rows no
    # event vouches for.
    with transaction.atomic():
        case = Case.objects.get(pk=closed_case.pk)
        case.description = text
        audit.save(case, actor=world.officer, reason="description as first reported")
        audit.record(action="case.corrected", actor=world.officer, case=case)
    client.force_login(world.auditor)
    ref = closed_case.reference

    pdf = client.get(reverse("reports:casefile_pdf", args=[ref]), {"lang": "zh-hant"})
    assert pdf.status_code == 200
    assert squeeze(text) in body_text(pdf.content)

    bundle = client.get(reverse("reports:bundle", args=[ref]), {"recipient": "HKMA"})
    assert bundle.status_code == 200
    members = zip_members(b"".join(bundle.streaming_content))
    assert squeeze(text) in body_text(members["casefile.pdf"])
