"""The dashboard (and the regulator statistics) as PDF, with the case file's machinery: its
one embedded font family (``reports.pdf.fonts``), its markup (``Writer``) and page numbering
(``CaseCanvas``); the trend charts drawn by reportlab's own chart module from the same
series as the page (:func:`.charts.trend_charts`). Touches no database."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Spacer,
    Table,
    TableStyle,
)

from .. import labels as L
from ..pdf.fonts import SANS, register_fonts
from ..pdf.layout import FootedDoc
from ..pdf.markup import RULE, SHADE, Writer
from . import charts
from .exports import tables
from .figures import Dashboard


def _table(w: Writer, header, rows, width) -> Table:
    data = [[w.p(h, "head") for h in header]] + [[w.p(v) for v in row] for row in rows]
    if not rows:
        data.append([w.p(_("None."))] + [w.p("")] * (len(header) - 1))
    n = len(header)
    first = min(60 * mm, width * 0.4) if n > 2 else width * 0.6
    cols = [first] + [(width - first) / (n - 1)] * (n - 1)
    return Table(
        data,
        colWidths=cols,
        repeatRows=1,
        style=TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), SANS),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        ),
    )


def render_pdf(
    d: Dashboard, *, lang: str, title: str, subtitle: str, institution: str, people: bool = True
) -> bytes:
    """The figures of ``d`` in ``lang``: summary, trend charts, every table. ``d`` must
    have been computed in the same language (its labels are)."""
    lang = L.normalise_language(lang)
    register_fonts()
    buf = io.BytesIO()
    with translation.override(lang):
        w = Writer(lang)
        doc = FootedDoc(
            buf,
            footer=w.raw(f"{w.mk(institution)} · {w.mk(title)}", "header"),
            title=title,
            author=institution,
            subject=title,
            creator="Accountability",
            lang=lang,
        )
        width = doc.width
        story: list = [w.p(title, "h1"), w.p(subtitle, "subtitle"), Spacer(1, 4 * mm)]
        all_tables = tables(d, people=people)
        summary, rest = all_tables[0], all_tables[1:]
        story.append(_table(w, summary.header, summary.rows, width))
        for chart in charts.trend_charts(d):
            story.append(
                KeepTogether(
                    [
                        w.p(chart.title, "h2"),
                        charts.drawing(chart, width=width, height=55 * mm, font=SANS),
                    ]
                )
            )
        for t in rest:
            story += [w.p(t.title, "h2"), _table(w, t.header, t.rows, width)]
        doc.build(story)
    return buf.getvalue()
