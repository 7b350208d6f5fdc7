"""Forms validate input shape only; every business rule is in the services."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from . import limits, policy
from .models import (
    TEAM_KINDS,
    Case,
    Department,
    Employee,
    EvidenceKind,
    MessageKind,
    ResponsibilityType,
    Severity,
    Source,
    VerificationOutcome,
    ViolationCategory,
)

User = get_user_model()
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class CategoryChoiceIterator(forms.models.ModelChoiceIterator):
    """Categories grouped under their parent (an optgroup per top-level category with
    sub-categories), in the catalogue's order, each named in the reader's language. The
    parent itself comes first in its group, for a report whose sub-category is not known."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        categories = list(self.queryset.select_related("parent").order_by("code"))
        children: dict[int, list[ViolationCategory]] = {}
        for c in categories:
            if c.parent_id is not None:
                children.setdefault(c.parent_id, []).append(c)
        chosen = {c.pk for c in categories}
        groups: list[ViolationCategory] = [c for c in categories if c.parent_id is None]
        # A sub-category whose parent is no longer offered still sits under its name.
        groups += sorted(
            {c.parent for c in categories if c.parent_id and c.parent_id not in chosen},
            key=lambda p: p.code,
        )
        for parent in sorted(groups, key=lambda p: p.code):
            kids = children.get(parent.pk, [])
            if not kids:
                yield self.choice(parent)
                continue
            options = [self.choice(c) for c in kids]
            if parent.pk in chosen:
                options.insert(
                    0,
                    (
                        self.choice(parent)[0],
                        _("%(category)s, not further specified") % {"category": parent.name},
                    ),
                )
            yield (parent.name, options)


class CategoryChoiceField(forms.ModelChoiceField):
    """A violation category, chosen from the active ones grouped by parent."""

    iterator = CategoryChoiceIterator

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", ViolationCategory.objects.filter(active=True))
        super().__init__(**kwargs)


class SubjectsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.staff_number} · {obj.department.name}"


class ReportForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    category = CategoryChoiceField(label=_("Violation category"))
    title = forms.CharField(label=_("Short title"), max_length=200)
    description = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("What happened"), widget=forms.Textarea
    )
    occurred_at = forms.DateTimeField(label=_("When it happened"), widget=DATETIME)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    subjects = SubjectsField(
        label=_("Subject employee(s)"),
        queryset=Employee.objects.select_related("department").order_by("department__code", "name"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one person."),
    )
    customer_involved = forms.BooleanField(label=_("A customer is affected"), required=False)
    customer_name = forms.CharField(label=_("Customer name"), max_length=200, required=False)
    customer_reference = forms.CharField(
        label=_("Customer reference"), max_length=100, required=False
    )
    customer_contact = forms.CharField(label=_("Customer contact"), max_length=200, required=False)
    is_anonymous = forms.BooleanField(
        label=_("Keep my identity from the case team"), required=False
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    give_receipt = forms.BooleanField(
        label=_("Give the customer a receipt code"),
        required=False,
        help_text=_(
            "For a complaint received by telephone or at the counter: the code is shown to you "
            "once, to hand to the customer, who follows the complaint in the reporting "
            "portal's mailbox."
        ),
    )


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=VerificationOutcome.choices, widget=forms.RadioSelect
    )
    first_evidence = forms.CharField(
        max_length=limits.LONG_TEXT,
        label=_("First evidence gathered"),
        widget=forms.Textarea,
        required=False,
    )
    reason = forms.CharField(
        max_length=limits.TEXT,
        label=_("Reason (required to dismiss or mark duplicate)"),
        widget=forms.Textarea,
        required=False,
    )
    duplicate_of = forms.ModelChoiceField(
        label=_("Duplicate of"),
        required=False,
        queryset=Case.objects.none(),
        to_field_name="reference",
    )
    subjects = SubjectsField(
        label=_("Subject employee(s)"),
        required=False,
        queryset=Employee.objects.select_related("department").order_by("department__code", "name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Who the case is about. A report from the portal names people in words only: "
            "choose them here before the case proceeds."
        ),
    )

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None and not self.is_bound:
            self.initial.setdefault("subjects", list(case.subjects.all()))
        # Only the cases the verifier may see, never one they are party to; a reference
        # outside them is "not one of the choices", whether it exists or not.
        if case is not None:
            self.fields["duplicate_of"].queryset = policy.duplicate_candidates(user, case)


class ReporterMessageForm(forms.Form):
    """The case team writes to the reporter's mailbox."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in TEAM_KINDS],
        initial=MessageKind.QUESTION,
    )
    text = forms.CharField(
        label=_("Message to the reporter"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The reporter reads it in the portal's mailbox with the receipt code. Name no "
            "subject, witness or finding: write what the reporter may know."
        ),
    )


def investigators():
    return (
        User.objects.filter(is_active=True, groups__permissions__codename="investigate_case")
        .distinct()
        .order_by("username")
    )


class TeamForm(forms.Form):
    lead = forms.ModelChoiceField(label=_("Lead investigator"), queryset=User.objects.none())
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=User.objects.none(), required=False
    )
    note = forms.CharField(
        max_length=limits.TEXT, label=_("Note"), widget=forms.Textarea, required=False
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = investigators()
        self.fields["members"].queryset = investigators()


class InvestigationReportForm(forms.Form):
    summary = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("Summary of the investigation"), widget=forms.Textarea
    )
    conclusion = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("Conclusion"), widget=forms.Textarea
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)


class FactsForm(forms.Form):
    established = forms.TypedChoiceField(
        label=_("Is the violation established?"),
        choices=[("yes", _("Established")), ("no", _("Not established"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    category = CategoryChoiceField(label=_("Category"))
    nature = forms.CharField(
        max_length=limits.LONG_TEXT,
        label=_("Nature (characterization) or why not established"),
        widget=forms.Textarea,
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", "—"), *Severity.choices], required=False
    )
    customer_loss = forms.DecimalField(
        label=_("Customer loss"), min_value=0, initial=0, max_digits=14, decimal_places=2
    )
    legal_matter = forms.BooleanField(label=_("A legal matter is involved"), required=False)
    facts_clear = forms.BooleanField(label=_("Facts are clear (事實清楚)"), required=False)
    evidence_conclusive = forms.BooleanField(
        label=_("Evidence is conclusive (證據確鑿)"), required=False
    )
    characterization_accurate = forms.BooleanField(
        label=_("Characterization is accurate (定性準確)"), required=False
    )
    handling_appropriate = forms.BooleanField(
        label=_("Handling is appropriate (處理恰當)"), required=False
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.responsible_fields = []
        employees = Employee.objects.all()
        if case is not None:
            self.fields["category"].initial = case.category_id
            employees = case.subjects.all()
            for emp in case.subjects.select_related("line_manager"):
                for e in filter(None, [emp.line_manager]):
                    employees = employees | Employee.objects.filter(pk=e.pk)
        for emp in employees.distinct().order_by("staff_number"):
            name = f"resp_{emp.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("Responsibility of %(name)s") % {"name": emp},
                choices=[("", _("Not responsible")), *ResponsibilityType.choices],
                required=False,
            )
            self.responsible_fields.append((name, emp))

    def responsible(self):
        return [
            (emp, self.cleaned_data[name])
            for name, emp in self.responsible_fields
            if self.cleaned_data.get(name)
        ]


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    description = forms.CharField(label=_("Description"), max_length=500)
    file = forms.FileField(label=_("File"))


class SupersedeForm(forms.Form):
    file = forms.FileField(label=_("Corrected file"))
    reason = forms.CharField(
        max_length=limits.TEXT, label=_("Why it is superseded"), widget=forms.Textarea
    )


class InterviewForm(forms.Form):
    interviewee = forms.CharField(label=_("Interviewee"), max_length=200)
    held_at = forms.DateTimeField(label=_("Held at"), widget=DATETIME)
    summary = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("Summary"), widget=forms.Textarea
    )


class RecordReviewForm(forms.Form):
    record = forms.CharField(label=_("Record reviewed"), max_length=300)
    findings = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("Findings"), widget=forms.Textarea
    )


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Conflict of interest"),
        choices=[
            ("no", _("I have no conflict of interest with this case")),
            ("yes", _("I have a conflict of interest")),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        max_length=limits.LONG_TEXT, label=_("Statement"), widget=forms.Textarea, required=False
    )


class AcknowledgeForm(forms.Form):
    message = forms.CharField(
        max_length=limits.TEXT,
        label=_("Message to the reporter"),
        widget=forms.Textarea,
        required=False,
    )


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(
        label=_("Reassign to"), queryset=User.objects.filter(is_active=True)
    )
    reason = forms.CharField(max_length=limits.TEXT, label=_("Reason"), widget=forms.Textarea)


class CaseCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=limits.TEXT, label=_("Why the case is cancelled"), widget=forms.Textarea
    )


class UnmaskRequestForm(forms.Form):
    reason = forms.CharField(
        max_length=limits.TEXT,
        label=_("Why the reporter's identity is needed"),
        widget=forms.Textarea,
    )


class UnmaskDecisionForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    reason = forms.CharField(
        max_length=limits.TEXT, label=_("Reason"), widget=forms.Textarea, required=False
    )
