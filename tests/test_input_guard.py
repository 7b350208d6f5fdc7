"""Input no page can mean answers 400 with a message, and changes nothing."""

from django.test import RequestFactory

from config.guard import InputGuardMiddleware
from violations.models import Case


def _report(world, **changes):
    return {
        "source": "staff_report",
        "category": world.category.pk,
        "title": "Unsuitable product sold",
        "description": "Sold a high-risk fund",
        "occurred_at": "2026-11-30T10:00",
        "department": world.dept.pk,
        "subjects": [world.subject.pk],
        **changes,
    }


def test_a_year_one_date_is_a_400_with_a_message_and_saves_nothing(client, world):
    client.force_login(world.reporter)

    response = client.post("/work/case/report/", _report(world, occurred_at="0001-01-01T00:00"))

    assert response.status_code == 400
    assert "Dates before 1900 are not accepted." in response.content.decode()
    assert Case.objects.count() == 0


def test_a_nul_character_is_a_400_in_a_form_and_in_a_query(client, world):
    client.force_login(world.reporter)

    posted = client.post("/work/case/report/", _report(world, title="nul\x00byte"))
    searched = client.get("/cases/", {"q": "a\x00b"})

    assert posted.status_code == 400
    assert searched.status_code == 400
    assert "NUL character" in searched.content.decode()
    assert Case.objects.count() == 0


def test_sound_input_passes_the_guard(client, world):
    client.force_login(world.reporter)

    response = client.post("/work/case/report/", _report(world))

    assert response.status_code == 302
    assert Case.objects.count() == 1


def test_an_overflow_further_in_is_a_400_not_a_500(world):
    request = RequestFactory().get("/cases/")
    request.user = world.reporter

    response = InputGuardMiddleware(lambda r: None).process_exception(
        request, OverflowError("date value out of range")
    )

    assert response.status_code == 400
