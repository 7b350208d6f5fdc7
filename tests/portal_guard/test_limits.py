"""Honeypot, submissions per address, and the size cap of one report."""

from datetime import timedelta

import time_machine
from django import forms
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from security import portal_guard


class ReportForm(portal_guard.HoneypotMixin, forms.Form):
    text = forms.CharField()


def test_the_honeypot_field_is_added_and_hidden_from_people():
    form = ReportForm()
    assert portal_guard.HONEYPOT_FIELD == "website"
    assert "website" in form.fields
    assert form.fields["website"].required is False
    html = Template("{% load portal_guard %}{% portal_honeypot form %}").render(
        Context({"form": form})
    )
    assert 'aria-hidden="true"' in html
    assert 'tabindex="-1"' in html
    assert 'name="website"' in html


def test_a_filled_honeypot_is_tripped_and_an_empty_one_is_not():
    assert portal_guard.honeypot_tripped({"text": "x", "website": "http://spam"}) is True
    assert portal_guard.honeypot_tripped({"text": "x", "website": "   "}) is False
    assert portal_guard.honeypot_tripped({"text": "x"}) is False
    bot = ReportForm(data={"text": "x", "website": "buy now"})
    person = ReportForm(data={"text": "x", "website": ""})
    # The field itself never fails: the bot learns nothing from the form's errors.
    assert bot.is_valid()
    assert person.is_valid()
    assert portal_guard.honeypot_tripped(bot) is True
    assert portal_guard.honeypot_tripped(person) is False
    assert portal_guard.honeypot_tripped(ReportForm()) is False


def _request(address="198.51.100.7"):
    return RequestFactory().post("/speak-up/", REMOTE_ADDR=address)


def test_submissions_are_limited_per_address_per_hour(settings):
    settings.PORTAL_SUBMISSIONS_PER_HOUR = 3
    settings.PORTAL_SUBMISSIONS_PER_DAY = 10
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert [portal_guard.submission_allowed(_request()) for _ in range(5)] == [
            True,
            True,
            True,
            False,
            False,
        ]
        # Another address is counted on its own.
        assert portal_guard.submission_allowed(_request("198.51.100.8")) is True
        traveller.shift(timedelta(minutes=61))
        assert portal_guard.submission_allowed(_request()) is True


def test_submissions_are_limited_per_address_per_day(settings):
    settings.PORTAL_SUBMISSIONS_PER_HOUR = 2
    settings.PORTAL_SUBMISSIONS_PER_DAY = 5
    allowed = []
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            allowed += [portal_guard.submission_allowed(_request()) for _ in range(2)]
            traveller.shift(timedelta(minutes=61))
        assert allowed == [True, True] * 2 + [True, False] + [False, False] * 2
        traveller.shift(timedelta(hours=20))
        assert portal_guard.submission_allowed(_request()) is True


def test_no_counter_names_the_address(settings):
    address = "203.0.113.77"
    portal_guard.submission_allowed(_request(address))
    portal_guard.code_attempt(_request(address), "1234", lambda code: None)
    keys = list(cache._cache.keys())  # the test cache is local memory
    assert keys
    assert not [key for key in keys if address in key]
    assert not [key for key in keys if "1234" in key]


def test_the_size_cap_counts_text_and_attachments_together(settings):
    settings.PORTAL_MAX_REPORT_BYTES = 1000
    factory = RequestFactory()

    def post(text, *sizes):
        files = {
            f"file{i}": SimpleUploadedFile(f"a{i}.txt", b"x" * size) for i, size in enumerate(sizes)
        }
        return factory.post("/speak-up/", {"text": text, **files})

    assert portal_guard.report_size(post("abc", 100)) == 103
    assert portal_guard.report_too_large(post("a" * 500, 500)) is False
    assert portal_guard.report_too_large(post("a" * 500, 501)) is True
    assert portal_guard.report_too_large(post("", 400, 400, 201)) is True
    # Characters count as the bytes they take.
    assert portal_guard.report_size(post("國" * 10)) == 30
