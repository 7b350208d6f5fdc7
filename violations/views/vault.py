"""The reporter identity vault on the case page: ask, decide, and (once approved) look."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache

from .. import forms, services
from ..exceptions import ServiceError
from ..models import UnmaskRequest
from .cases import CaseActionView, visible_case_or_404


class UnmaskRequestView(CaseActionView):
    form_class = forms.UnmaskRequestForm
    success_message = _("Your request to unmask the reporter awaits a second person's approval.")

    def perform(self, form):
        return services.reporter_unmask_request(
            case=self.case, actor=self.request.user, reason=form.cleaned_data["reason"]
        )


class UnmaskDecideView(CaseActionView):
    form_class = forms.UnmaskDecisionForm
    success_message = _("Decision recorded.")

    def perform(self, form):
        d = form.cleaned_data
        item = UnmaskRequest.objects.filter(case=self.case, pk=d["request"]).first()
        if item is None:
            raise Http404(_("No such request."))
        return services.reporter_unmask_decide(
            unmask_request=item,
            actor=self.request.user,
            approve=d["decision"] == "approve",
            reason=d["reason"],
        )


@method_decorator(never_cache, name="dispatch")
class IdentityRevealView(LoginRequiredMixin, View):
    """POST only, so a prefetch or a crawler never counts as (or causes) a logged look."""

    http_method_names = ["post"]

    def post(self, request, reference):
        case = visible_case_or_404(request.user, reference)
        try:
            identity = services.reporter_identity_view(case=case, actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect(case.get_absolute_url())
        return render(
            request, "violations/reporter_identity.html", {"case": case, "identity": identity}
        )
