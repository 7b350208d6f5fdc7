"""Every table of the dashboard as data (:func:`tables`), and as CSV and XLSX. The page, the
downloads, the dashboard PDF and the regulator statistics all read these tables."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from violations import audit

from .figures import Bar, Dashboard


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list]


def _bars(key: str, title: str, label: str, bars: list[Bar]) -> Table:
    return Table(key, title, [label, _("Cases")], [[b.label, b.value] for b in bars])


def _pct(v: float | None):
    return "" if v is None else v


def summary_rows(d: Dashboard) -> list[list]:
    return [
        [_("Cases"), d.total],
        [_("Open"), d.open],
        [_("Closed"), d.closed],
        [_("Overdue now"), d.overdue_now],
        [_("Stages finished on time (%)"), _pct(d.stage_on_time_rate)],
        [_("Acknowledged within 24 hours (%)"), _pct(d.acknowledged_on_time_rate)],
        [_("Recurrence rate (%)"), _pct(d.recurrence_rate)],
        [_("Remediation effectiveness rate (%)"), _pct(d.effectiveness_rate)],
    ]


def tables(d: Dashboard, *, people: bool = True) -> list[Table]:
    """The dashboard's tables in page order; ``people=False`` leaves out the one naming
    people (the regulator statistics carry counts only)."""
    out = [
        Table("summary", _("Summary"), [_("Figure"), _("Value")], summary_rows(d)),
        Table(
            "trend",
            _("Monthly trend"),
            [
                _("Month"),
                _("Opened"),
                _("Closed"),
                _("Open at month end"),
                _("Mean days per stage"),
                _("Median days per stage"),
                _("Deadlines met"),
                _("Deadlines missed"),
                _("Deadlines met (%)"),
                _("Established cases"),
                _("Repeat cases"),
                _("Recurrence rate (%)"),
                _("Effectiveness reviews"),
                _("Judged effective"),
                _("Remediation effectiveness rate (%)"),
            ],
            [
                [
                    m.label,
                    m.opened,
                    m.closed,
                    m.backlog,
                    _pct(m.mean_days),
                    _pct(m.median_days),
                    m.adherence.met,
                    m.adherence.missed,
                    _pct(m.adherence.rate),
                    m.established,
                    m.repeats,
                    _pct(m.recurrence_rate),
                    m.reviews,
                    m.effective,
                    _pct(m.effectiveness_rate),
                ]
                for m in d.months
            ],
        ),
        _bars("by_stage", _("By stage"), _("Stage"), d.by_stage),
        _bars("by_category", _("By category"), _("Category"), d.by_category),
        _bars("by_department", _("By department"), _("Department"), d.by_department),
        _bars("by_severity", _("By severity"), _("Severity"), d.by_severity),
        _bars("by_source", _("By source"), _("Source"), d.by_source),
        Table(
            "stage_time",
            _("Days per stage"),
            [_("Stage"), _("Mean days"), _("Median days"), _("Stages finished")],
            [[s.label, _pct(s.mean_days), _pct(s.median_days), s.count] for s in d.days_per_stage],
        ),
        Table(
            "adherence_deadline",
            _("Deadline adherence per deadline"),
            [_("Deadline"), _("Met"), _("Missed"), _("On time (%)")],
            [[a.label, a.met, a.missed, _pct(a.rate)] for a in d.adherence_by_deadline],
        ),
        Table(
            "adherence_department",
            _("Deadline adherence per department"),
            [_("Department"), _("Met"), _("Missed"), _("On time (%)")],
            [[a.label, a.met, a.missed, _pct(a.rate)] for a in d.adherence_by_department],
        ),
    ]
    if people:
        out.append(
            Table(
                "repeat_offenders",
                _("Repeat offenders"),
                [_("Staff number"), _("Name"), _("Position"), _("Department"), _("Cases")],
                [
                    [o.staff_number, o.name, o.position, o.department, o.cases]
                    for o in d.repeat_offenders
                ],
            )
        )
    return out


def table_csv(table: Table) -> bytes:
    """One table as CSV, UTF-8 with a byte-order mark (spreadsheet programs then read the
    Chinese right)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def workbook(tables_: list[Table], *, title: str, subtitle: str) -> bytes:
    """The tables as one XLSX workbook, a sheet each, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for t in tables_:
        # Sheet names: at most 31 characters, none of []:*?/\ (openpyxl refuses them).
        name = "".join(c for c in t.title if c not in "[]:*?/\\")[:31]
        ws = wb.create_sheet(name)
        ws.append([title])
        ws.append([subtitle])
        ws.append([])
        ws.append(t.header)
        for cell in ws[4]:
            cell.font = Font(bold=True)
        for row in t.rows:
            ws.append(row)
        ws.column_dimensions["A"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEADER_ROW = 4  # where a sheet's header is; its data rows follow


def export_record(*, actor, d: Dashboard, fmt: str, keys: list[str], data: bytes) -> None:
    """Each download of the dashboard is an event on the system chain (``dashboard.exported``):
    who took which tables, under which filters, whether they name people (the repeat
    offenders), and the file's SHA-256, so a copy found later can be traced to its download."""
    with transaction.atomic():
        audit.record(
            action="dashboard.exported",
            actor=actor,
            payload={
                "format": fmt,
                "tables": keys,
                "names_people": "repeat_offenders" in keys and bool(d.repeat_offenders),
                "filters": d.filters.params(),
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        )
