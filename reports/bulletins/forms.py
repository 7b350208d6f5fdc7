from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SUMMARY_MAX, TITLE_MAX


class DraftForm(forms.Form):
    period_start = forms.DateField(
        label=_("Closed from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Closed to"), widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        required=False,
        help_text=_("Left empty: the period names the bulletin."),
    )


class EntryForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        max_length=SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        strip=True,
    )
    included = forms.BooleanField(label=_("In the bulletin"), required=False)


class TitleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
