"""Setting and lifting a legal hold from the case page (a case manager, with a reason)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from violations.services.retention import legal_hold_lift, legal_hold_set
from violations.views.cases import CaseActionView

from .. import forms


class LegalHoldSetView(CaseActionView):
    form_class = forms.LegalHoldForm
    success_message = _("The case is on legal hold: its personal data will not be erased.")

    def perform(self, form):
        return legal_hold_set(
            case=self.case, actor=self.request.user, reason=form.cleaned_data["reason"]
        )


class LegalHoldLiftView(CaseActionView):
    form_class = forms.LegalHoldLiftForm
    success_message = _("The legal hold is lifted.")

    def perform(self, form):
        return legal_hold_lift(
            case=self.case, actor=self.request.user, reason=form.cleaned_data["lift_reason"]
        )
