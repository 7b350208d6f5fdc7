"""Reading case-file PDFs back in tests: the text of each page without its running header and
footer, the fonts, and case files with free text replaced."""

from __future__ import annotations

import dataclasses
import io
import re

import pypdf

# What ``CaseDoc._decorate`` draws before a page's content, in extraction order: on the
# cover the footer and the page number, on later pages the two header halves as well.
_DECORATION_LINES = {0: 2}
_DECORATION_LINE = 4
_PAGE_NUMBER = re.compile(r"Page \d+ of \d+|第 \d+ [頁页]，共 \d+ [頁页]")


def page_bodies(data: bytes) -> list[str]:
    """Each page's text without the header and footer lines."""
    bodies = []
    for index, page in enumerate(pypdf.PdfReader(io.BytesIO(data)).pages):
        lines = page.extract_text().splitlines()
        skip = _DECORATION_LINES.get(index, _DECORATION_LINE)
        assert _PAGE_NUMBER.search(lines[skip - 1]), lines[:skip]  # the decoration ends here
        bodies.append("\n".join(lines[skip:]))
    return bodies


def squeeze(text: str) -> str:
    """Text without any whitespace: line wraps move, the characters and their order stay."""
    return "".join(text.split())


def body_text(data: bytes) -> str:
    """The file's text as read on, page after page, without whitespace."""
    return squeeze("".join(page_bodies(data)))


def with_description(casefile, text: str):
    return dataclasses.replace(
        casefile, summary=dataclasses.replace(casefile.summary, description=text)
    )


def font_files(data: bytes) -> dict[str, str]:
    """Every font the file's pages and forms use: base name -> the key of its embedded font
    program (FontFile2 is TrueType), or "" when it is not embedded."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    found: dict[str, str] = {}

    def visit(resources) -> None:
        resources = resources.get_object() if resources else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            fonts = [font]
            if "/DescendantFonts" in font:
                fonts = [f.get_object() for f in font["/DescendantFonts"]]
            for f in fonts:
                descriptor = f.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor else {}
                program = next(
                    (k for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor), ""
                )
                found[str(font["/BaseFont"])] = program
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if "/Resources" in xobject:
                visit(xobject["/Resources"])

    for page in reader.pages:
        visit(page.get("/Resources"))
    return found
