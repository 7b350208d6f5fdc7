"""A site-wide guard against input no page can mean, answered with a 400 before any view
reads it: a NUL character in a query or form field, and a date before 1900 (a year-1 date
overflowed in the time-zone conversion and answered 500). A date or number that still
overflows further in is answered the same way, never with a 500."""

from __future__ import annotations

import re

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

EARLIEST_YEAR = 1900
DATE_LIKE = re.compile(r"^\s*(\d{1,4})-\d{1,2}-\d{1,2}")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _problem(request) -> str | None:
    fields = list(request.GET.lists())
    if request.method == "POST" and request.content_type in FORM_TYPES:
        fields += list(request.POST.lists())
    for key, values in fields:
        for value in (key, *values):
            if "\x00" in value:
                return _("A field holds a NUL character, which no field accepts.")
            date = DATE_LIKE.match(value)
            if date and int(date.group(1)) < EARLIEST_YEAR:
                return _("Dates before %(year)d are not accepted.") % {"year": EARLIEST_YEAR}
    return None


def bad_request(request, problem: str):
    if request.path.startswith("/api/"):  # --- api (issue 17): the API answers in JSON ---
        return JsonResponse({"detail": problem}, status=400)
    return render(request, "400.html", {"problem": problem}, status=400)


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _problem(request)
        if problem is not None:
            return bad_request(request, problem)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            return bad_request(request, _("A date or number is out of range."))
        return None
