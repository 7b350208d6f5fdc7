"""The case file as PDF (reportlab). Takes a :class:`CaseFile`, returns bytes; no database.

``fonts`` registers the fonts, ``markup`` makes paragraph markup and styles, ``layout`` is
the document template (pages, header and footer, contents, bookmarks), ``sections`` builds
the story section by section.
"""

from __future__ import annotations

import io

from django.utils import translation

from .. import labels as L
from ..casefile import CaseFile
from .fonts import register_fonts
from .layout import CaseDoc
from .markup import Writer
from .sections import SECTION_TITLES, SECTIONS, Builder, section_title

__all__ = ["SECTIONS", "SECTION_TITLES", "render_casefile_pdf", "section_title"]


def render_casefile_pdf(casefile: CaseFile, *, lang: str) -> bytes:
    """Render the case file in ``lang`` (en, zh-hant, zh-hans). Touches no database."""
    lang = L.normalise_language(lang)
    register_fonts()
    buf = io.BytesIO()
    with translation.override(lang):
        writer = Writer(lang)
        doc = CaseDoc(
            buf,
            casefile=casefile,
            writer=writer,
            title=f"{L.text('case_file')} {casefile.summary.reference}",
            author=casefile.export.institution,
            subject=L.text(f"class_{casefile.export.profile}"),
            creator="Accountability",
            lang=lang,
        )
        story = Builder(casefile, lang, writer).build()
        doc.build(story)
    return buf.getvalue()
