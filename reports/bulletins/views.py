"""Bulletin pages: the published list and each bulletin for staff, the draft for its drafters
and approvers, the PDF. Every change goes through :mod:`reports.bulletins.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View

from violations.exceptions import ServiceError

from ..labels import normalise_language
from . import services
from .forms import DraftForm, EntryForm, TitleForm
from .models import Bulletin, BulletinEntry, BulletinStatus
from .pdf import render_bulletin_pdf
from .selectors import bulletin_view


class ReaderMixin(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return services.can_read(self.request.user)


def _readable(user, pk: int) -> Bulletin:
    """A published bulletin for any reader; a draft only for its drafters and approvers
    (the same 404 otherwise, whether it exists or not)."""
    bulletin = Bulletin.objects.filter(pk=pk).first()
    if bulletin is None:
        raise Http404(_("No such bulletin."))
    if bulletin.status != BulletinStatus.PUBLISHED and not services.can_see_draft(user):
        raise Http404(_("No such bulletin."))
    return bulletin


class BulletinListView(ReaderMixin, View):
    def get(self, request):
        user = request.user
        drafts = (
            Bulletin.objects.exclude(status=BulletinStatus.PUBLISHED).select_related("drafted_by")
            if services.can_see_draft(user)
            else Bulletin.objects.none()
        )
        return render(
            request,
            "reports/bulletins/list.html",
            {
                "published": services.published(),
                "drafts": drafts,
                "can_draft": services.can_draft(user),
                "form": DraftForm(),
            },
        )


class BulletinDraftView(ReaderMixin, View):
    def test_func(self):
        return services.can_draft(self.request.user)

    def get(self, request):
        return render(request, "reports/bulletins/new.html", {"form": DraftForm()})

    def post(self, request):
        form = DraftForm(request.POST)
        if form.is_valid():
            try:
                bulletin = services.bulletin_draft(actor=request.user, **form.cleaned_data)
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Draft made: read and edit each entry."))
                return redirect(bulletin)
        return render(request, "reports/bulletins/new.html", {"form": form}, status=400)


class BulletinDetailView(ReaderMixin, View):
    def get(self, request, pk):
        bulletin = _readable(request.user, pk)
        return self.page(request, bulletin)

    def page(self, request, bulletin, *, forms=None, title_form=None, status=200):
        user = request.user
        draft = bulletin.status != BulletinStatus.PUBLISHED
        view = bulletin_view(bulletin, drafts=draft)
        editable = draft and services.can_draft(user)
        forms = forms or {}
        entries = [
            (
                e,
                forms.get(e.pk)
                or EntryForm(initial={"summary": e.raw_summary, "included": e.included}),
            )
            for e in view.entries
        ]
        return render(
            request,
            "reports/bulletins/detail.html",
            {
                "bulletin": bulletin,
                "view": view,
                "entries": entries,
                "editable": editable,
                "title_form": title_form or TitleForm(initial={"title": bulletin.title}),
                "can_approve": draft and services.can_approve(user),
                "writer": user.pk in services.writers(bulletin) if draft else False,
            },
            status=status,
        )


class EntryEditView(ReaderMixin, View):
    def test_func(self):
        return services.can_draft(self.request.user)

    def post(self, request, pk, entry_pk):
        bulletin = _readable(request.user, pk)
        entry = get_object_or_404(BulletinEntry, pk=entry_pk, bulletin=bulletin)
        form = EntryForm(request.POST)
        if form.is_valid():
            try:
                services.bulletin_entry_edit(actor=request.user, entry=entry, **form.cleaned_data)
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Entry saved."))
                return redirect(f"{bulletin.get_absolute_url()}#entry-{entry.pk}")
        return BulletinDetailView().page(request, bulletin, forms={entry.pk: form}, status=400)


class TitleEditView(ReaderMixin, View):
    def test_func(self):
        return services.can_draft(self.request.user)

    def post(self, request, pk):
        bulletin = _readable(request.user, pk)
        form = TitleForm(request.POST)
        if form.is_valid():
            try:
                services.bulletin_retitle(
                    actor=request.user, bulletin=bulletin, title=form.cleaned_data["title"]
                )
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Title saved."))
                return redirect(bulletin)
        return BulletinDetailView().page(request, bulletin, title_form=form, status=400)


class _DecisionView(ReaderMixin, View):
    service = None
    done = ""

    def test_func(self):
        return services.can_approve(self.request.user)

    def post(self, request, pk):
        bulletin = _readable(request.user, pk)
        try:
            type(self).service(actor=request.user, bulletin=bulletin)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, self.done)
        return redirect(bulletin)


class ApproveView(_DecisionView):
    service = services.bulletin_approve
    done = _("Approved: this text, and no other, may now be published.")


class PublishView(_DecisionView):
    service = services.bulletin_publish
    done = _("Published: every member of staff can read it.")


class BulletinPdfView(ReaderMixin, View):
    def get(self, request, pk):
        bulletin = _readable(request.user, pk)
        if bulletin.status != BulletinStatus.PUBLISHED:
            raise Http404(_("Only a published bulletin is printed."))
        try:
            lang = normalise_language(request.GET.get("lang") or translation.get_language())
        except ValueError:
            raise Http404(_("Unknown language.")) from None
        with translation.override(lang):
            pdf = render_bulletin_pdf(bulletin_view(bulletin), lang=lang)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="bulletin-{bulletin.pk}-{lang}.pdf"'
        )
        return response
