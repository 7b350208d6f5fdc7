"""Forms check shape only; the rules (ranges, deadlines, who may) are in the services."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from violations import limits

from .models import AppealOutcome, Decision, Defence, DefenceStatus, SanctionType

DATE = forms.DateInput(attrs={"type": "date"})
LINES_PER_PERSON = 2


def _currency_choices():
    from .describe import currency_name
    from .services.params import currencies

    return [(c, currency_name(c)) for c in currencies()]


def sanction_line_fields(form, prefix: str, label) -> None:
    """One sanction line: its kind and the parameters of every kind (the service reads the
    ones its kind takes and refuses the typed fields of another kind)."""
    from .services.params import CRITICISM_SCOPES, MAX_AUTHORITIES, NAME_LENGTH

    f = form.fields
    f[prefix + "type"] = forms.ChoiceField(
        label=label, choices=[("", "—"), *SanctionType.choices], required=False
    )
    f[prefix + "form"] = forms.ChoiceField(
        label=_("Warning: form"),
        choices=[("", "—"), ("oral", pgettext_lazy("warning", "oral")), ("written", _("written"))],
        required=False,
    )
    scope_labels = {
        "department": _("within the department"),
        "business_line": _("across the business line"),
        "institution": _("across the institution"),
    }
    f[prefix + "scope"] = forms.ChoiceField(
        label=_("Criticism: circulated"),
        choices=[("", "—"), *[(s, scope_labels[s]) for s in CRITICISM_SCOPES]],
        required=False,
    )
    f[prefix + "authorities"] = forms.CharField(
        label=_("Suspension: authorities suspended (one per line)"),
        required=False,
        max_length=MAX_AUTHORITIES * (NAME_LENGTH + 2),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    f[prefix + "start"] = forms.DateField(label=_("Suspension: from"), required=False, widget=DATE)
    f[prefix + "end"] = forms.DateField(label=_("Suspension: until"), required=False, widget=DATE)
    f[prefix + "amount"] = forms.DecimalField(
        label=_("Deduction: amount"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
    )
    f[prefix + "currency"] = forms.ChoiceField(
        label=_("Currency"), choices=_currency_choices, required=False
    )
    f[prefix + "percentage"] = forms.DecimalField(
        label=_("or percentage"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    f[prefix + "pay_period"] = forms.CharField(
        label=_("Deduction: bonus or pay period"), required=False, max_length=NAME_LENGTH
    )
    f[prefix + "change"] = forms.ChoiceField(
        label=_("Demotion or transfer"),
        choices=[("", "—"), ("demotion", _("Demotion")), ("transfer", _("Transfer"))],
        required=False,
    )
    f[prefix + "post_from"] = forms.CharField(
        label=_("From post"), required=False, max_length=NAME_LENGTH
    )
    f[prefix + "post_to"] = forms.CharField(
        label=_("To post"), required=False, max_length=NAME_LENGTH
    )
    f[prefix + "authority"] = forms.CharField(
        label=_("Referral: judicial authority"), required=False, max_length=NAME_LENGTH
    )
    f[prefix + "detail"] = forms.CharField(label=_("Remark"), required=False, max_length=300)


def sanction_line_item(data, prefix: str, rp, justification: str = ""):
    from .services import SanctionItem

    kind = data.get(prefix + "type")
    if not kind:
        return None
    get = data.get
    params = {
        SanctionType.WARNING: {"form": get(prefix + "form")},
        SanctionType.CRITICISM: {"scope": get(prefix + "scope")},
        SanctionType.SUSPENSION: {"authorities": (get(prefix + "authorities") or "").splitlines()},
        SanctionType.DEDUCTION: {
            "currency": get(prefix + "currency"),
            "percentage": get(prefix + "percentage"),
            "pay_period": get(prefix + "pay_period"),
        },
        SanctionType.DEMOTION: {
            "change": get(prefix + "change"),
            "from": get(prefix + "post_from"),
            "to": get(prefix + "post_to"),
        },
        SanctionType.JUDICIAL: {"authority": get(prefix + "authority")},
    }.get(kind, {})
    return SanctionItem(
        responsible=rp,
        sanction_type=kind,
        detail=get(prefix + "detail") or "",
        amount=get(prefix + "amount"),
        period_start=get(prefix + "start"),
        period_end=get(prefix + "end"),
        parameters={k: v for k, v in params.items() if v not in (None, "", [])},
        justification=justification,
    )


class ProposalForm(forms.Form):
    justification = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("Justification"), widget=forms.Textarea
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = []
        finding = case.findings.order_by("-round").first() if case else None
        for rp in finding.responsible.select_related("employee") if finding else []:
            name = rp.employee.name
            self.fields[f"p{rp.pk}_self_reported"] = forms.BooleanField(
                label=_("%(name)s self-reported the violation") % {"name": name}, required=False
            )
            self.fields[f"p{rp.pk}_cooperated"] = forms.BooleanField(
                label=_("%(name)s cooperated with the investigation") % {"name": name},
                required=False,
            )
            self.fields[f"p{rp.pk}_loss_repaid"] = forms.BooleanField(
                label=_("%(name)s repaid the customer's loss") % {"name": name}, required=False
            )
            lines = []
            for i in range(LINES_PER_PERSON):
                p = f"p{rp.pk}_{i}_"
                sanction_line_fields(
                    self, p, _("%(name)s — sanction %(n)d") % {"name": name, "n": i + 1}
                )
                self.fields[p + "justification"] = forms.CharField(
                    max_length=limits.LONG_TEXT,
                    label=_("Justification if outside the range"),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                lines.append(p)
            self.people.append((rp, lines))

    def items(self):
        d = self.cleaned_data
        out = []
        for rp, lines in self.people:
            for p in lines:
                item = sanction_line_item(d, p, rp, d.get(p + "justification") or "")
                if item:
                    out.append(item)
        return out

    def factors(self):
        from .services import PersonFactors

        d = self.cleaned_data
        return {
            rp.pk: PersonFactors(
                self_reported=d.get(f"p{rp.pk}_self_reported", False),
                cooperated=d.get(f"p{rp.pk}_cooperated", False),
                loss_repaid=d.get(f"p{rp.pk}_loss_repaid", False),
            )
            for rp, _lines in self.people
        }


class DefenceForm(forms.Form):
    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .policy import pending_proposal

        self.records = []
        proposal = pending_proposal(case) if case else None
        for rec in (
            proposal.defences.filter(status=DefenceStatus.PENDING).select_related("employee")
            if proposal
            else []
        ):
            self.fields[f"d{rec.employee_id}_outcome"] = forms.ChoiceField(
                label=_("%(name)s (due %(due)s)")
                % {
                    "name": rec.employee.name,
                    "due": date_format(timezone.localtime(rec.due_at), "DATETIME_FORMAT"),
                },
                choices=Defence.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"d{rec.employee_id}_text"] = forms.CharField(
                max_length=limits.LONG_TEXT,
                label=_("Statement of defence"),
                required=False,
                widget=forms.Textarea,
            )
            self.records.append(rec)

    def responses(self):
        d = self.cleaned_data
        return {
            r.employee_id: (d[f"d{r.employee_id}_outcome"], d.get(f"d{r.employee_id}_text") or "")
            for r in self.records
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        max_length=limits.TEXT,
        label=_("Reason (required to reject or return)"),
        widget=forms.Textarea,
        required=False,
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)


class ExecutionForm(forms.Form):
    def __init__(self, *args, case=None, revised=False, **kwargs):
        super().__init__(*args, **kwargs)
        from .describe import describe_sanction
        from .services.execution import to_execute

        self.items = list(to_execute(case, revised=revised)) if case else []
        for item in self.items:
            self.fields[f"i{item.pk}_date"] = forms.DateField(
                label=_("%(name)s — %(sanction)s: effective date")
                % {"name": item.employee.name, "sanction": item.get_sanction_type_display()},
                help_text=" · ".join(f"{k}: {v}" for k, v in describe_sanction(item)),
                widget=DATE,
            )
            if item.sanction_type == SanctionType.JUDICIAL:
                self.fields[f"i{item.pk}_reference"] = forms.CharField(
                    max_length=limits.REFERENCE, label=_("Referral reference")
                )
            self.fields[f"i{item.pk}_note"] = forms.CharField(
                max_length=limits.TEXT, label=_("Note"), required=False
            )

    def executions(self):
        d = self.cleaned_data
        out = {}
        for i in self.items:
            extra = {"reference": d[f"i{i.pk}_reference"]} if f"i{i.pk}_reference" in d else {}
            out[i.pk] = (d[f"i{i.pk}_date"], d.get(f"i{i.pk}_note") or "", extra)
        return out


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=AppealOutcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(max_length=limits.TEXT, label=_("Reasons"), widget=forms.Textarea)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import open_appeals

        self.appeal = open_appeals(case).select_related("employee").first() if case else None
        self.responsible = None
        if self.appeal:
            item = self.appeal.proposal.items.filter(employee=self.appeal.employee).first()
            self.responsible = item.responsible if item else None
            for i in range(LINES_PER_PERSON):
                sanction_line_fields(
                    self, f"n{i}_", _("Replacement sanction %(n)d (if modified)") % {"n": i + 1}
                )

    def items(self):
        return [
            x
            for i in range(LINES_PER_PERSON)
            if (x := sanction_line_item(self.cleaned_data, f"n{i}_", self.responsible))
        ]


class AppealFileForm(forms.Form):
    employee = forms.ChoiceField(label=_("Appellant"))
    grounds = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("Grounds of appeal"), widget=forms.Textarea
    )

    def __init__(self, *args, employees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].choices = [(e.pk, str(e)) for e in employees]


class EndSanctionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("lift", _("Lift")), ("revoke", _("Revoke"))]
    )
    reason = forms.CharField(max_length=limits.TEXT, label=_("Reason"), widget=forms.Textarea)
