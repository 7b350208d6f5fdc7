"""The case filters the case list and the supervision dashboard share.

A dashboard figure links to the case list with the same query string, and both narrow the
cases with :func:`apply`, so the list shows exactly the cases the figure counts (before the
reader's need-to-know, which the list applies on top). The form reads the query string and
turns bad values into form errors, never an exception.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deadlines.models import WINDOWS

from .models import (
    Case,
    Clock,
    ClockState,
    Department,
    Employee,
    ResponsiblePerson,
    Severity,
    Source,
    Stage,
    ViolationCategory,
)

STATUS_CHOICES = [("open", _("Open")), ("closed", _("Closed"))]


@dataclass(frozen=True)
class CaseFilter:
    """What narrows the cases; every field empty means every case.

    ``reported_from``/``reported_to`` and ``closed_from``/``closed_to`` are local dates, both
    ends included; ``open_at`` keeps the cases open at the end of that day (the backlog);
    ``department`` and ``category`` include the departments and categories below them;
    ``person`` keeps the cases with an established finding naming that employee responsible.
    """

    reported_from: dt.date | None = None
    reported_to: dt.date | None = None
    closed_from: dt.date | None = None
    closed_to: dt.date | None = None
    open_at: dt.date | None = None
    department: int | None = None
    category: int | None = None
    severity: str = ""
    source: str = ""
    stage: str = ""
    status: str = ""
    overdue: bool = False
    person: str = ""  # staff number

    # The query-string names, shared by the form, the links and the exports.
    PARAMS = {
        "reported_from": "from",
        "reported_to": "to",
        "closed_from": "closed_from",
        "closed_to": "closed_to",
        "open_at": "open_at",
        "department": "department",
        "category": "category",
        "severity": "severity",
        "source": "source",
        "stage": "stage",
        "status": "status",
        "overdue": "overdue",
        "person": "person",
    }

    def with_(self, **changes) -> CaseFilter:
        return replace(self, **changes)

    def params(self) -> dict[str, str]:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, "", False):
                continue
            out[self.PARAMS[f.name]] = "1" if value is True else str(value)
        return out

    def query(self) -> str:
        return urlencode(self.params())

    @property
    def empty(self) -> bool:
        return not self.params()


def start_of(day: dt.date) -> dt.datetime:
    """The first moment of a local day, aware."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def subtree(model, pk: int) -> set[int]:
    """``pk`` and every row below it in a tree of ``parent`` links (departments, categories:
    small tables an institution keeps), in one query."""
    rows = list(model.objects.values_list("pk", "parent_id"))
    children: dict[int, list[int]] = {}
    for child, parent in rows:
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found, todo = {pk}, [pk]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def overdue_clocks(now: dt.datetime) -> QuerySet[Clock]:
    """Running clocks of work someone owes, past due (windows and waits are nobody's
    lateness)."""
    return Clock.objects.filter(state=ClockState.RUNNING, due_at__lt=now).exclude(kind__in=WINDOWS)


def apply(qs: QuerySet[Case], f: CaseFilter, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """``qs`` narrowed by ``f``: ranges on indexed columns (aware bounds, no per-row date
    casts), the trees resolved to ids first."""
    if f.reported_from:
        qs = qs.filter(reported_at__gte=start_of(f.reported_from))
    if f.reported_to:
        qs = qs.filter(reported_at__lt=start_of(f.reported_to + dt.timedelta(days=1)))
    if f.closed_from:
        qs = qs.filter(closed_at__gte=start_of(f.closed_from))
    if f.closed_to:
        qs = qs.filter(closed_at__lt=start_of(f.closed_to + dt.timedelta(days=1)))
    if f.open_at:
        end = start_of(f.open_at + dt.timedelta(days=1))
        qs = qs.filter(Q(reported_at__lt=end), Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    if f.department:
        qs = qs.filter(department_id__in=subtree(Department, f.department))
    if f.category:
        qs = qs.filter(category_id__in=subtree(ViolationCategory, f.category))
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.status == "open":
        qs = qs.exclude(stage=Stage.CLOSED)
    elif f.status == "closed":
        qs = qs.filter(stage=Stage.CLOSED)
    if f.overdue:
        now = now or timezone.now()
        qs = qs.filter(Exists(overdue_clocks(now).filter(case=OuterRef("pk"))))
    if f.person:
        qs = qs.filter(
            Exists(
                ResponsiblePerson.objects.filter(
                    finding__case=OuterRef("pk"),
                    finding__established=True,
                    employee__staff_number=f.person,
                )
            )
        )
    return qs


class CaseFilterForm(forms.Form):
    """The filters as a GET form. Field names are the query-string names
    (:attr:`CaseFilter.PARAMS`); ``from`` is a Python keyword, so it is added by name."""

    to = forms.DateField(label=_("Reported to"), required=False)
    closed_from = forms.DateField(label=_("Closed from"), required=False)
    closed_to = forms.DateField(label=_("Closed to"), required=False)
    open_at = forms.DateField(label=_("Open at the end of"), required=False)
    department = forms.TypedChoiceField(
        label=_("Department (with those below it)"), required=False, coerce=int, empty_value=None
    )
    category = forms.TypedChoiceField(
        label=_("Category (with those below it)"), required=False, coerce=int, empty_value=None
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", "—"), *Severity.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", "—"), *Source.choices]
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", "—"), *Stage.choices])
    status = forms.ChoiceField(
        label=_("Open or closed"), required=False, choices=[("", "—"), *STATUS_CHOICES]
    )
    overdue = forms.BooleanField(label=_("Overdue now"), required=False)
    person = forms.CharField(label=_("Responsible person (staff number)"), required=False)

    # Shown on the dashboard; the others come from a figure's link.
    MAIN = ("from", "to", "department", "category", "severity", "source")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "from": forms.DateField(label=_("Reported from"), required=False),
            **self.fields,
        }
        self.fields["department"].choices = [
            ("", "—"),
            *((d.pk, str(d)) for d in Department.objects.order_by("code")),
        ]
        self.fields["category"].choices = [
            ("", "—"),
            *((c.pk, c.name) for c in ViolationCategory.objects.order_by("code")),
        ]

    def clean_person(self):
        value = self.cleaned_data["person"].strip()
        if value and not Employee.objects.filter(staff_number=value).exists():
            raise forms.ValidationError(_("No employee has that staff number."))
        return value

    def clean(self):
        data = super().clean()
        for lo, hi in (("from", "to"), ("closed_from", "closed_to")):
            if data.get(lo) and data.get(hi) and data[lo] > data[hi]:
                self.add_error(hi, _("The end of the period comes before its start."))
        return data

    def case_filter(self, **defaults) -> CaseFilter:
        """The filter the valid fields give (call after ``is_valid()``); ``defaults`` fill
        the fields the query string leaves empty."""
        data = getattr(self, "cleaned_data", {})
        values = {}
        for name, param in CaseFilter.PARAMS.items():
            value = data.get(param)
            if value in (None, "", False) or param in self.errors:
                value = defaults.get(name, getattr(CaseFilter, name, None))
            values[name] = value
        return CaseFilter(**values)
