from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Decision, SanctionType

DATE = forms.DateInput(attrs={"type": "date"})
LINES_PER_PERSON = 2


class ProposalForm(forms.Form):
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = []
        finding = case.findings.order_by("-round").first() if case else None
        for rp in finding.responsible.select_related("employee") if finding else []:
            lines = []
            for i in range(LINES_PER_PERSON):
                p = f"p{rp.pk}_{i}_"
                self.fields[p + "type"] = forms.ChoiceField(
                    label=_("%(name)s — sanction %(n)d") % {"name": rp.employee.name, "n": i + 1},
                    choices=[("", "—"), *SanctionType.choices], required=False)
                self.fields[p + "detail"] = forms.CharField(
                    label=_("Detail (oral/written; from → to; authorities)"), required=False, max_length=300)
                self.fields[p + "amount"] = forms.DecimalField(label=_("Amount"), required=False,
                                                               min_value=0, decimal_places=2)
                self.fields[p + "start"] = forms.DateField(label=_("From"), required=False, widget=DATE)
                self.fields[p + "end"] = forms.DateField(label=_("Until"), required=False, widget=DATE)
                lines.append(p)
            self.people.append((rp, lines))

    def items(self):
        from .services import SanctionItem

        out = []
        for rp, lines in self.people:
            for p in lines:
                d = self.cleaned_data
                if d.get(p + "type"):
                    out.append(SanctionItem(responsible=rp, sanction_type=d[p + "type"],
                                            detail=d.get(p + "detail") or "", amount=d.get(p + "amount"),
                                            period_start=d.get(p + "start"), period_end=d.get(p + "end")))
        return out


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason (required to reject or return)"), widget=forms.Textarea,
                             required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)


class ExecutionForm(forms.Form):
    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import approved_proposal

        self.items = []
        proposal = approved_proposal(case) if case else None
        for item in proposal.items.select_related("employee") if proposal else []:
            self.fields[f"i{item.pk}_date"] = forms.DateField(
                label=_("%(name)s — %(sanction)s: effective date")
                % {"name": item.employee.name, "sanction": item.get_sanction_type_display()},
                widget=DATE)
            self.fields[f"i{item.pk}_note"] = forms.CharField(label=_("Note"), required=False)
            self.items.append(item)

    def executions(self):
        d = self.cleaned_data
        return {i.pk: (d[f"i{i.pk}_date"], d.get(f"i{i.pk}_note") or "") for i in self.items}
