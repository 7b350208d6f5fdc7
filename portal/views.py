"""The reporting portal's pages. No login: a reporter is known to the mailbox only by the
receipt code they typed, kept as the case's id in their session for a short while.

Nothing here reads the client's address or user agent, and nothing is logged.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from casework import services as work
from security import portal_guard as guard
from violations.exceptions import ServiceError
from violations.models import Case, MessageKind, ReporterMessage
from violations.services import mailbox
from violations.views.base import apply_validation_error

from . import forms

# Session keys: the case the mailbox shows and until when; the code to show once.
MAILBOX_KEY = "portal_mailbox"
RECEIPT_KEY = "portal_receipt"


def _no_store(response):
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    return response


def _refused(request, form) -> str:
    """The guard's answer to a submission it stops before anything is looked at: a filled
    honeypot or an unsolved challenge (one answer for both), or a report over the size cap;
    "" when it may go on."""
    if guard.honeypot_tripped(form) or not guard.challenge_passed(request.POST):
        return str(guard.REFUSAL_MESSAGE)
    if guard.report_too_large(request):
        return str(guard.TOO_LARGE_MESSAGE)
    return ""


class PortalView(View):
    """Every portal page: never cached, never framed."""

    def dispatch(self, request, *args, **kwargs):
        return _no_store(super().dispatch(request, *args, **kwargs))


class HomeView(PortalView, TemplateView):
    template_name = "portal/home.html"


class ReportView(PortalView):
    template_name = "portal/report.html"

    def get(self, request):
        return render(request, self.template_name, {"form": forms.PortalReportForm()})

    def post(self, request):
        form = forms.PortalReportForm(request.POST, request.FILES)
        if refusal := _refused(request, form):
            form.add_error(None, refusal)
        elif form.is_valid() and not guard.submission_allowed(request):
            form.add_error(None, guard.TOO_MANY_MESSAGE)
        elif form.is_valid():
            d = form.cleaned_data
            try:
                _case, code = work.portal_report(
                    reporter_type=d["reporter_type"],
                    whistleblowing=d["whistleblowing"],
                    anonymous=d["identity"] != "named",
                    name=d["name"],
                    contact=d["contact"],
                    category=d["category"],
                    department=d["department"],
                    description=d["description"],
                    occurred_at=form.occurred_at(),
                    people_involved=d["people_involved"],
                    attachments=d["attachments"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                request.session[RECEIPT_KEY] = code
                return redirect("portal:receipt")
        return render(request, self.template_name, {"form": form}, status=400)


class ReceiptView(PortalView):
    """The receipt code, once: the session gives it up as the page is drawn."""

    def get(self, request):
        code = request.session.pop(RECEIPT_KEY, "")
        return render(
            request,
            "portal/receipt.html",
            {"code": mailbox.format_code(code) if code else ""},
        )


# --- the mailbox --------------------------------------------------------------------------------


def _lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ACCOUNTABILITY["PORTAL"]["MAILBOX_SECONDS"])


def mailbox_case(request) -> Case | None:
    """The case whose mailbox this session opened, while it is still open (each request
    keeps it open a while longer)."""
    held = request.session.get(MAILBOX_KEY)
    if not isinstance(held, dict):
        return None
    try:
        until = dt.datetime.fromisoformat(held["until"])
        case = Case.objects.filter(pk=int(held["case"])).first()
    except (KeyError, TypeError, ValueError):
        case = None
    if case is None or until < timezone.now():
        request.session.pop(MAILBOX_KEY, None)
        return None
    held["until"] = (timezone.now() + _lifetime()).isoformat()
    request.session[MAILBOX_KEY] = held
    return case


def open_mailbox(request, case: Case) -> None:
    # A new session key: whoever knew the old one (a shared computer) does not follow in.
    request.session.cycle_key()
    request.session[MAILBOX_KEY] = {
        "case": case.pk,
        "until": (timezone.now() + _lifetime()).isoformat(),
    }


class MailboxOpenView(PortalView):
    template_name = "portal/mailbox_open.html"

    def get(self, request):
        if mailbox_case(request) is not None:
            return redirect("portal:mailbox")
        return render(request, self.template_name, {"form": forms.CodeForm()})

    def post(self, request):
        form = forms.CodeForm(request.POST)
        case = None
        if form.is_valid():
            # Slowed, then refused, per address and per code; a locked address and a wrong
            # code get the same None (security/portal_guard.py).
            case = guard.code_attempt(request, form.cleaned_data["code"], mailbox.case_by_receipt)
            if case is None:
                # The same words for a code that is wrong and one that is malformed.
                form.add_error("code", _("This receipt code does not open a mailbox."))
        if case is None:
            return render(request, self.template_name, {"form": form}, status=400)
        open_mailbox(request, case)
        return redirect("portal:mailbox")


class MailboxView(PortalView):
    template_name = "portal/mailbox.html"

    def dispatch(self, request, *args, **kwargs):
        self.case = mailbox_case(request)
        if self.case is None:
            return _no_store(redirect("portal:mailbox_open"))
        return super().dispatch(request, *args, **kwargs)

    def context(self, form=None) -> dict:
        messages = list(mailbox.mailbox_messages(self.case))
        questions = mailbox.open_questions(self.case)
        return {
            "case": self.case,
            "status": mailbox.reporter_status(self.case),
            "messages": messages,
            "open_questions": questions,
            "form": form or forms.ReporterMessageForm(),
            "lifetime_minutes": int(_lifetime().total_seconds() // 60),
        }

    def get(self, request):
        return render(request, self.template_name, self.context())

    def post(self, request):
        form = forms.ReporterMessageForm(request.POST, request.FILES)
        if refusal := _refused(request, form):
            form.add_error(None, refusal)
        elif form.is_valid() and not guard.submission_allowed(request):
            form.add_error(None, guard.TOO_MANY_MESSAGE)
        elif form.is_valid():
            d = form.cleaned_data
            question = None
            if d["in_reply_to"]:
                question = ReporterMessage.objects.filter(
                    case=self.case, pk=d["in_reply_to"], kind=MessageKind.QUESTION
                ).first()
                if question is None:
                    form.add_error(None, _("That question is not in this mailbox."))
            if not form.errors:
                try:
                    mailbox.reporter_message_receive(
                        case=self.case,
                        text=d["text"],
                        kind=MessageKind.ANSWER if question else MessageKind.OTHER,
                        in_reply_to=question,
                        attachments=d["attachments"],
                    )
                except ValidationError as error:
                    apply_validation_error(form, error)
                except ServiceError as error:
                    form.add_error(None, error.message)
                else:
                    return HttpResponseRedirect(reverse("portal:mailbox") + "?sent=1")
        return render(request, self.template_name, self.context(form), status=400)


class MailboxCloseView(PortalView):
    http_method_names = ["post"]

    def post(self, request):
        request.session.pop(MAILBOX_KEY, None)
        request.session.cycle_key()
        return redirect("portal:home")
