"""The notification centre: the list, marking read, and the preferences page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from . import kinds, services
from .access import visible_references
from .forms import PreferenceForm
from .models import Notification, Preference
from .rendering import subject_of

PAGE_SIZE = 30


def allowed_links(user, notifications) -> set[int]:
    """The notifications whose link the user may follow now: a link into a case only while
    the case is still theirs to see."""
    cases = visible_references(user, {n.case_reference for n in notifications})
    return {
        n.pk
        for n in notifications
        if n.link and (not n.case_reference or n.case_reference in cases)
    }


class NotificationListView(LoginRequiredMixin, TemplateView):
    template_name = "notifications/list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        unread_only = self.request.GET.get("unread") == "1"
        qs = Notification.objects.filter(recipient=self.request.user)
        if unread_only:
            qs = qs.filter(read_at__isnull=True)
        page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        rows = list(page.object_list)
        linked = allowed_links(self.request.user, rows)
        ctx.update(
            page=page,
            unread_only=unread_only,
            rows=[
                {
                    "n": n,
                    "subject": _subject(n),
                    "linked": n.pk in linked,
                }
                for n in rows
            ],
        )
        return ctx


def _subject(n: Notification) -> str:
    try:
        return subject_of(n)
    except LookupError:  # a kind no longer registered: say what is known
        return n.kind


class NotificationOpenView(LoginRequiredMixin, View):
    """Mark one notification read and follow its link (only while it may be followed)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        n = Notification.objects.filter(recipient=request.user, pk=pk).first()
        if n is None:
            raise Http404(_("No such notification."))
        services.notifications_mark_read(actor=request.user, ids=[n.pk])
        if n.pk in allowed_links(request.user, [n]) and url_has_allowed_host_and_scheme(
            n.link, allowed_hosts={request.get_host()}
        ):
            return redirect(n.link)
        messages.info(
            request, _("The page this notification pointed to is no longer yours to see.")
        )
        return redirect("notifications:list")


class MarkReadView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        if request.POST.get("all"):
            count = services.notifications_mark_all_read(actor=request.user)
        else:
            ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
            count = services.notifications_mark_read(actor=request.user, ids=ids)
        if count:
            messages.success(request, _("Marked as read."))
        return redirect(_back(request))


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    from django.urls import reverse

    return reverse("notifications:list")


class PreferenceView(LoginRequiredMixin, FormView):
    template_name = "notifications/preferences.html"
    form_class = PreferenceForm

    def get_initial(self):
        preference = Preference.objects.filter(user=self.request.user).first()
        if preference is None:
            return {"language": "", "digest_kinds": []}
        return {"language": preference.language, "digest_kinds": preference.digest_kinds}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["always"] = [k for k in kinds.all_kinds() if k.mandatory]
        ctx["digest_only"] = [k for k in kinds.all_kinds() if k.digest_only]
        return ctx

    def form_valid(self, form):
        services.preference_update(
            actor=self.request.user,
            language=form.cleaned_data["language"],
            digest_kinds=form.cleaned_data["digest_kinds"],
        )
        messages.success(self.request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
