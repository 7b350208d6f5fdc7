"""The portal's forms: they check the shape of what a reporter sends; the services
(``violations.services.portal_intake``, ``mailbox``) hold every rule."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from security.portal_guard import HoneypotMixin
from violations import limits
from violations.forms import CategoryChoiceField, MultipleFileField
from violations.models import Department
from violations.services.portal_intake import ReporterType

IDENTITY_CHOICES = [
    ("anonymous", _("Stay anonymous")),
    ("named", _("Give my name and a way to reach me")),
]


class PortalReportForm(HoneypotMixin, forms.Form):
    reporter_type = forms.ChoiceField(
        label=_("Who are you?"), choices=ReporterType.choices, widget=forms.RadioSelect
    )
    whistleblowing = forms.BooleanField(
        label=_("I work here and report this as a confidential whistleblowing disclosure"),
        required=False,
    )
    identity = forms.ChoiceField(
        label=_("Your identity"),
        choices=IDENTITY_CHOICES,
        initial="anonymous",
        widget=forms.RadioSelect,
        help_text=_(
            "Either way you follow your report with the receipt code. A name and contact you "
            "leave are kept apart from the report and shown to nobody working on it without "
            "a second person's approval (a customer's name goes with the complaint)."
        ),
    )
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    contact = forms.CharField(label=_("E-mail or telephone"), max_length=200, required=False)
    category = CategoryChoiceField(label=_("What kind of wrongdoing?"))
    department = forms.ModelChoiceField(
        label=_("Department concerned"),
        queryset=Department.objects.order_by("code"),
        required=False,
        empty_label=_("I do not know"),
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What, where, and how you know. Do not put your name here if you stay anonymous."
        ),
    )
    occurred_on = forms.DateField(
        label=_("When did it happen (or start)?"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    people_involved = forms.CharField(
        label=_("People involved (optional)"),
        max_length=limits.TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Names, roles or descriptions, as you know them."),
    )
    attachments = MultipleFileField(
        label=_("Files (optional)"),
        required=False,
        help_text=_("PDF, images, documents, e-mails or recordings."),
    )

    def clean(self):
        data = super().clean()
        if data.get("identity") == "named" and not (
            (data.get("name") or "").strip() or (data.get("contact") or "").strip()
        ):
            self.add_error("name", _("Leave your name or a way to reach you, or stay anonymous."))
        day = data.get("occurred_on")
        if day is not None and day > timezone.localdate():
            self.add_error("occurred_on", _("The date cannot be in the future."))
        return data

    def occurred_at(self) -> dt.datetime:
        """The day, as the start of that day in the institution's time zone."""
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["occurred_on"], dt.time()))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
        help_text=_("The 16 digits you were given when you reported."),
    )


class ReporterMessageForm(HoneypotMixin, forms.Form):
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Your message"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(label=_("Files (optional)"), required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("attachments"):
            self.add_error("text", _("Write a message or attach a file."))
        return data
