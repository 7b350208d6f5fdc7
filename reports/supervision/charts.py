"""The dashboard's trend charts: one data function (:func:`trend_charts`) feeds the page's
inline SVG (:func:`svg`) and the PDFs' reportlab drawings (:func:`drawing`), so the two show
the same series."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .figures import Dashboard

COLOURS = ["#3949ab", "#e53935", "#43a047", "#fb8c00"]


@dataclass
class Series:
    name: str
    values: list[float | None]
    links: list[str] = field(default_factory=list)  # one case-list link per point, or none


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bar" or "line"
    labels: list[str]
    series: list[Series]
    unit: str = ""

    @property
    def top(self) -> float:
        values = [v for s in self.series for v in s.values if v is not None]
        top = max(values, default=0)
        if self.unit == "%":
            return 100.0
        return _nice(top)


def _nice(top: float) -> float:
    """A round ceiling for the value axis."""
    if top <= 0:
        return 1.0
    step = 1.0
    while step * 10 < top:
        step *= 10
    for k in (1, 2, 2.5, 5, 10):
        if top <= k * step:
            return k * step
    return 10 * step


def trend_charts(d: Dashboard) -> list[Chart]:
    labels = [m.label for m in d.months]
    return [
        Chart(
            "flow",
            _("Cases opened and closed per month"),
            "bar",
            labels,
            [
                Series(_("Opened"), [m.opened for m in d.months], [m.opened_url for m in d.months]),
                Series(_("Closed"), [m.closed for m in d.months], [m.closed_url for m in d.months]),
            ],
        ),
        Chart(
            "backlog",
            _("Open cases at the end of each month"),
            "line",
            labels,
            [
                Series(
                    _("Backlog"), [m.backlog for m in d.months], [m.backlog_url for m in d.months]
                )
            ],
        ),
        Chart(
            "stage_time",
            _("Days per stage (stages finished in the month)"),
            "line",
            labels,
            [
                Series(_("Mean"), [m.mean_days for m in d.months]),
                Series(_("Median"), [m.median_days for m in d.months]),
            ],
        ),
        Chart(
            "rates",
            _("Deadlines met, recurrence and remediation effectiveness"),
            "line",
            labels,
            [
                Series(_("Deadlines met"), [m.adherence.rate for m in d.months]),
                Series(_("Recurrence rate"), [m.recurrence_rate for m in d.months]),
                Series(
                    _("Remediation effectiveness rate"), [m.effectiveness_rate for m in d.months]
                ),
            ],
            unit="%",
        ),
    ]


# --- the page: inline SVG, no script ---

W, H = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 40


def _fmt(v: float | None, unit: str = "") -> str:
    if v is None:
        return "—"
    text = f"{v:g}" if isinstance(v, float) else str(v)
    return f"{text}{unit}"


def svg(chart: Chart) -> SafeString:
    """The chart as an SVG element: every bar and point a link to the cases it counts (when
    it counts cases), with its value as a tooltip; a legend and a caption per series."""
    n = max(len(chart.labels), 1)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    top = chart.top
    step = plot_w / n

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * (v / top)

    out = [
        f'<svg viewBox="0 0 {W} {H + 18 * len(chart.series)}" width="100%" role="img" '
        f'aria-label="{escape(chart.title)}" class="acc-chart" data-chart="{chart.key}">'
    ]
    for frac in (0, 0.5, 1):
        yy = y(top * frac)
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 4}" y="{yy + 4:.1f}" font-size="10" text-anchor="end">'
            f"{escape(_fmt(round(top * frac, 1), chart.unit))}</text>"
        )
    every = max(1, n // 12)
    for i, label in enumerate(chart.labels):
        if i % every == 0:
            x = LEFT + step * (i + 0.5)
            out.append(
                f'<text x="{x:.1f}" y="{H - BOTTOM + 14}" font-size="10" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    k = max(len(chart.series), 1)
    for si, s in enumerate(chart.series):
        colour = COLOURS[si % len(COLOURS)]
        points = []
        for i, v in enumerate(s.values):
            if v is None:
                points.append(None)
                continue
            tip = f"{escape(s.name)} {escape(chart.labels[i])}: {escape(_fmt(v, chart.unit))}"
            if chart.kind == "bar":
                bw = step * 0.8 / k
                x = LEFT + step * i + step * 0.1 + bw * si
                shape = (
                    f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{bw:.1f}" '
                    f'height="{TOP + plot_h - y(v):.1f}" fill="{colour}"><title>{tip}</title></rect>'
                )
            else:
                x = LEFT + step * (i + 0.5)
                points.append((x, y(v)))
                shape = (
                    f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                    f"<title>{tip}</title></circle>"
                )
            link = s.links[i] if i < len(s.links) else ""
            out.append(f'<a href="{escape(link)}">{shape}</a>' if link else shape)
        if chart.kind == "line":
            run: list[str] = []
            for p in [*points, None]:
                if p is None:
                    if len(run) > 1:
                        out.append(
                            f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                            f'points="{" ".join(run)}"/>'
                        )
                    run = []
                else:
                    run.append(f"{p[0]:.1f},{p[1]:.1f}")
        ly = H + 18 * si + 4
        out.append(
            f'<rect x="{LEFT}" y="{ly}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{LEFT + 14}" y="{ly + 9}" font-size="11">{escape(s.name)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))


# --- the PDFs: reportlab's own chart module ---


def _runs(values: list[float | None]) -> list[list[tuple[float, float]]]:
    """A line's stretches of months with a value, each at least two points long (a lone
    point is drawn as a zero-length line, with its marker)."""
    runs: list[list[tuple[float, float]]] = []
    run: list[tuple[float, float]] = []
    for i, v in enumerate([*values, None]):
        if v is None:
            if run:
                runs.append(run if len(run) > 1 else run * 2)
            run = []
        else:
            run.append((float(i), float(v)))
    return runs


def drawing(chart: Chart, *, width: float, height: float, font: str):
    """The chart as a reportlab Drawing (``reportlab.graphics.charts``): a grouped vertical
    bar chart (``barcharts``) or a line plot over the months (``lineplots``), with a
    legend."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.graphics.widgets.markers import makeMarker
    from reportlab.lib import colors

    legend_h = 14 * len(chart.series)
    d = Drawing(width, height + legend_h)
    # The drawing's own default face is Helvetica, which would be named (unembedded) in the
    # file even if no text used it: the file's one family instead.
    d.initialFontName = font
    n = len(chart.labels)
    slanted = n > 6
    palette = [colors.HexColor(COLOURS[i % len(COLOURS)]) for i in range(len(chart.series))]
    if chart.kind == "bar":
        plot = VerticalBarChart()
        plot.data = [tuple(0 if v is None else v for v in s.values) for s in chart.series]
        plot.categoryAxis.categoryNames = list(chart.labels)
        axis, values = plot.categoryAxis, plot.valueAxis
        for i, colour in enumerate(palette):
            plot.bars[i].fillColor = colour
    else:
        plot = LinePlot()
        data, colour_of = [], []
        for i, s in enumerate(chart.series):
            for run in _runs(s.values):
                data.append(run)
                colour_of.append(palette[i])
        if not data:  # nothing to draw: an empty axis frame
            data, colour_of = [[(0.0, 0.0), (0.0, 0.0)]], [colors.white]
        plot.data = data
        for i, colour in enumerate(colour_of):
            plot.lines[i].strokeColor = colour
            plot.lines[i].strokeWidth = 1.5
            plot.lines[i].symbol = makeMarker("FilledCircle", size=3, fillColor=colour)
        axis, values = plot.xValueAxis, plot.yValueAxis
        axis.valueMin, axis.valueMax = -0.5, max(n, 1) - 0.5
        axis.valueStep = max(1, n // 12)
        axis.labelTextFormat = lambda x: chart.labels[round(x)] if 0 <= x < n else ""
    plot.x, plot.y = 36, 30 + legend_h
    plot.width, plot.height = width - 46, height - 40
    axis.labels.fontName = font
    axis.labels.fontSize = 7
    axis.labels.angle = 45 if slanted else 0
    axis.labels.boxAnchor = "ne" if slanted else "n"
    values.valueMin = 0
    values.valueMax = chart.top
    values.valueStep = chart.top / 2
    values.labels.fontName = font
    values.labels.fontSize = 7
    d.add(plot)
    if chart.unit:
        d.add(String(4, height + legend_h - 8, chart.unit, fontName=font, fontSize=7))
    legend = Legend()
    legend.x, legend.y = 36, legend_h
    legend.fontName = font
    legend.fontSize = 8
    legend.alignment = "right"
    legend.colorNamePairs = list(zip(palette, [s.name for s in chart.series], strict=True))
    d.add(legend)
    return d
