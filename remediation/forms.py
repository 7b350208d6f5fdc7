from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from violations import limits
from violations.forms import DATETIME
from violations.models import Department, Employee

from .models import ActionKind, RootCause, RootCauseCategory, Verdict

DATE = forms.DateInput(attrs={"type": "date"})
CAUSES = 3
ACTIONS = 3


def owners():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename="complete_action")
        .distinct()
        .order_by("username")
    )


class PlanForm(forms.Form):
    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, CAUSES + 1):
            self.fields[f"cause{i}_category"] = forms.ChoiceField(
                label=_("Root cause %(n)d") % {"n": i},
                choices=[("", "—"), *RootCauseCategory.choices],
                required=False,
            )
            self.fields[f"cause{i}_description"] = forms.CharField(
                max_length=limits.LONG_TEXT,
                label=_("Description"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        choices = [(str(i), _("Root cause %(n)d") % {"n": i}) for i in range(1, CAUSES + 1)]
        for i in range(1, ACTIONS + 1):
            self.fields[f"action{i}_kind"] = forms.ChoiceField(
                label=_("Corrective action %(n)d") % {"n": i},
                choices=[("", "—"), *ActionKind.choices],
                required=False,
            )
            self.fields[f"action{i}_description"] = forms.CharField(
                max_length=limits.LONG_TEXT, label=_("Description"), required=False
            )
            self.fields[f"action{i}_owner"] = forms.ModelChoiceField(
                label=_("Owner"), queryset=owners(), required=False
            )
            self.fields[f"action{i}_due"] = forms.DateField(
                label=_("Due date"), required=False, widget=DATE
            )
            self.fields[f"action{i}_causes"] = forms.MultipleChoiceField(
                label=_("Addresses"),
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def plan(self):
        from .services import ActionSpec, CauseSpec

        d = self.cleaned_data
        causes, index = [], {}
        for i in range(1, CAUSES + 1):
            if d.get(f"cause{i}_category"):
                index[str(i)] = len(causes)
                causes.append(
                    CauseSpec(d[f"cause{i}_category"], d.get(f"cause{i}_description") or "")
                )
        actions, errors = [], {}
        for i in range(1, ACTIONS + 1):
            if not d.get(f"action{i}_kind"):
                continue
            if not d.get(f"action{i}_owner") or not d.get(f"action{i}_due"):
                errors[f"action{i}_owner"] = [_("An action needs an owner and a due date.")]
                continue
            actions.append(
                ActionSpec(
                    kind=d[f"action{i}_kind"],
                    description=d.get(f"action{i}_description") or "",
                    owner=d[f"action{i}_owner"],
                    due_date=d[f"action{i}_due"],
                    causes=[index[c] for c in d.get(f"action{i}_causes", []) if c in index],
                )
            )
        return causes, actions, errors


class CompleteActionForm(forms.Form):
    completion_note = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("What was done"), widget=forms.Textarea
    )
    proof = forms.FileField(label=_("Proof (file)"), required=False)
    proof_link = forms.URLField(label=_("Proof (link)"), required=False, assume_scheme="https")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)


class CustomerFeedbackForm(forms.Form):
    channel = forms.CharField(label=_("Channel"), max_length=100)
    notified_at = forms.DateTimeField(label=_("Outcome notified at"), widget=DATETIME)
    notice_summary = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("Content of the notice"), widget=forms.Textarea
    )
    apology = forms.BooleanField(label=_("Apology made"), required=False)
    compensation = forms.DecimalField(
        label=_("Compensation"), min_value=0, initial=0, decimal_places=2
    )
    compensation_paid_on = forms.DateField(
        label=_("Compensation paid on"), required=False, widget=DATE
    )
    customer_response = forms.CharField(
        max_length=limits.LONG_TEXT,
        label=_("Customer's response"),
        widget=forms.Textarea,
        required=False,
    )
    satisfaction = forms.IntegerField(
        label=_("Satisfaction (1–5)"), min_value=1, max_value=5, required=False
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)


class RegulatorForm(forms.Form):
    regulator = forms.CharField(label=_("Regulator"), max_length=200)
    notified_at = forms.DateTimeField(label=_("Notified at"), widget=DATETIME)
    reference_number = forms.CharField(label=_("Reference number"), max_length=100)
    summary = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("Summary"), widget=forms.Textarea
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)


class ReviewForm(forms.Form):
    timeliness = forms.CharField(
        max_length=limits.LONG_TEXT,
        label=_("Timeliness: were measures taken promptly?"),
        widget=forms.Textarea,
    )
    pertinence = forms.CharField(
        max_length=limits.LONG_TEXT,
        label=_("Pertinence: do they address the root causes?"),
        widget=forms.Textarea,
    )
    effectiveness = forms.CharField(
        max_length=limits.LONG_TEXT,
        label=_("Effectiveness: recurrence and satisfaction"),
        widget=forms.Textarea,
    )
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("Reasons"), widget=forms.Textarea
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)


class CancelActionForm(forms.Form):
    reason = forms.CharField(
        max_length=limits.TEXT,
        label=_("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ComplaintExtendForm(forms.Form):
    limit_days = forms.IntegerField(
        label=_("New limit (days from the report)"), min_value=1, required=False
    )
    reason = forms.CharField(
        max_length=limits.TEXT,
        label=_("Why the complaint is complex"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CustomerInformationRequestForm(forms.Form):
    question = forms.CharField(
        max_length=limits.TEXT,
        label=_("What the customer is asked for"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    channel = forms.CharField(label=_("How the customer was asked"), max_length=100)


class CustomerInformationAnswerForm(forms.Form):
    answer = forms.CharField(
        max_length=limits.TEXT,
        label=_("The customer's answer"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TrainingForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    trainer = forms.CharField(label=_("Trainer"), max_length=200)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"), queryset=Employee.objects.none()
    )
    root_causes = forms.ModelMultipleChoiceField(
        label=_("Root causes it answers"),
        queryset=RootCause.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        max_length=limits.TEXT,
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    due_date = forms.DateField(label=_("To be completed by"), widget=DATE, required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = Employee.objects.select_related("department").order_by(
            "name"
        )
        if case is not None:
            self.fields["root_causes"].queryset = RootCause.objects.filter(case=case)


class TrainingRegisterFilter(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department (with those below it)"),
        queryset=Department.objects.order_by("code"),
        required=False,
    )
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class TrainingCompletionForm(forms.Form):
    completed = forms.TypedChoiceField(
        label=_("Completed"),
        choices=[("1", _("Completed")), ("0", _("Not completed"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("Reason"), max_length=limits.TEXT, required=False)
