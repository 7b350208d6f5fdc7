from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import KINDS


class TrailFilter(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    action = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, page: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All")), *KINDS[page].items()]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The period ends before it starts."))
        return data


class PeriodExportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput({"type": "date"}))


class CasesExportForm(forms.Form):
    cases = forms.CharField(
        label=_("Case references"),
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Separated by spaces, commas or new lines."),
    )
