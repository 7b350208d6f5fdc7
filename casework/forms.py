"""Forms of the process pages: they validate input shape; the services hold every rule."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from violations import limits
from violations.forms import investigators

User = get_user_model()


def person_label(user) -> str:
    """A person as people know them: name and position, the login only when no staff
    record names them."""
    employee = getattr(user, "employee", None)
    if employee is None:
        return user.get_full_name() or user.get_username()
    return f"{employee.name} · {employee.position}" if employee.position else employee.name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


def _people(qs):
    return qs.select_related("employee").order_by("employee__name", "username")


class ReplaceLeadForm(forms.Form):
    new_lead = PersonChoiceField(label=_("New lead investigator"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_lead"].queryset = _people(investigators())


class TeamChangeForm(forms.Form):
    """Replace the lead or a member: who leaves, who joins, who leads, and why."""

    remove = PeopleChoiceField(
        label=_("Leaves the team"), queryset=User.objects.none(), required=False
    )
    add = PeopleChoiceField(label=_("Joins the team"), queryset=User.objects.none(), required=False)
    new_lead = PersonChoiceField(
        label=_("New lead investigator"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty to keep the present lead."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].queryset = _people(
            User.objects.filter(case_memberships__case=case, case_memberships__active=True)
        ).distinct()
        self.fields["add"].queryset = _people(investigators())
        self.fields["new_lead"].queryset = _people(investigators())

    def clean(self):
        data = super().clean()
        if not (data.get("remove") or data.get("add") or data.get("new_lead")):
            raise forms.ValidationError(_("Name who leaves, who joins or who leads."))
        return data


class AsOfForm(forms.Form):
    """The moment the case page rebuilds the record at ("the case as it was on ...")."""

    at = forms.DateTimeField(
        label=_("The case as it was on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        max_length=limits.TEXT,
        label=_("Why the case is kept whole (for example, litigation or an inquiry)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LegalHoldLiftForm(forms.Form):
    lift_reason = forms.CharField(
        max_length=limits.TEXT,
        label=_("Why the hold is lifted"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
