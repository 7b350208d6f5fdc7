"""Property: whatever text a case holds, the case file builds and its text reads back.

Text is drawn from runs of Latin (with accents), Traditional and Simplified Chinese, CJK
punctuation, emoji, Hebrew and Arabic, control characters, spaces, tabs and newlines, with
tokens from one character to thousands without a space, in every language of the file.

"Reads back" means: the file's text, page after page without the running header and footer,
holds the description's characters in order, whitespace aside, where a control character is
printed as a space, right-to-left text as a marker naming its script ("[HEBREW TEXT]") and a
character neither face has (an emoji) as its Unicode name in brackets
(``reports.pdf.fonts.printable``): never U+FFFD.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.casefile import Profile
from reports.pdf import render_casefile_pdf
from reports.pdf.fonts import printable
from reports.selectors import build_casefile
from tests.reports.pdfcheck import body_text, squeeze, with_description

LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"()-/@#%&<>=+_éüßŁ€"
TRADITIONAL = "客戶投訴櫃檯職員態度惡劣證據確鑿處罰審批銀行監管報告調查嘅咗喺"
SIMPLIFIED = "客户投诉柜台职员态度恶劣证据确凿处罚审批银行监管报告调查"
PUNCTUATION = "，。、；：？！「」『』（）《》…—"
EMOJI = "😀👍🏦💰✅"
RTL = "שלוםעולםمرحباالعالم"
SPACE = [" ", "  ", "\n", "\n\n", "\t", "\r\n"]
CONTROL = "\x00\x07\x1b\x7f"


def _runs(alphabet: str, longest: int):
    return st.text(alphabet=alphabet, min_size=1, max_size=longest)


RUN = st.one_of(
    _runs(LATIN, 12),  # a word
    _runs(TRADITIONAL + PUNCTUATION, 40),
    _runs(SIMPLIFIED + PUNCTUATION, 40),
    _runs(TRADITIONAL + SIMPLIFIED + LATIN, 20),
    _runs(EMOJI, 5),
    _runs(RTL, 20),
    _runs(CONTROL, 2),
    st.sampled_from(SPACE),
)
# A run repeated: from a word to a token of thousands of characters without a space, or a
# page of Chinese; pieces with spaces between them or not, up to 25,000 characters.
PIECE = st.tuples(RUN, st.sampled_from([1, 1, 1, 2, 10, 100, 800])).map(lambda p: p[0] * p[1])
TEXT = st.lists(PIECE, min_size=1, max_size=40).map(lambda pieces: "".join(pieces)[:25_000])


def expected(text: str) -> str:
    """What the file should read back: controls as spaces, characters no face has by name."""
    text = re.sub(r"[\x00-\x09\x0b-\x1f\x7f]", " ", text)
    return squeeze(printable(text))


@pytest.fixture
def casefile(closed_case, world):
    return build_casefile(closed_case, profile=Profile.INTERNAL, viewer=world.auditor)


def test_every_description_builds_and_reads_back(casefile):
    # The case is built once (a function-scoped fixture); hypothesis varies only the text.
    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(text=TEXT, lang=st.sampled_from(["en", "zh-hant", "zh-hans"]))
    def check(text, lang):
        data = render_casefile_pdf(with_description(casefile, text), lang=lang)

        read = body_text(data)
        assert expected(text) in read
        assert "\ufffd" not in read

    check()


def test_what_reads_back_for_characters_the_font_lacks():
    assert expected("a👍🏽b\x00c 客\n户 שלום עולם ✅ مرحبا") == (
        "a[THUMBSUPSIGN]bc客户[HEBREWTEXT][WHITEHEAVYCHECKMARK][ARABICTEXT]"
    )
