"""People by name and position in drop-downs; dates in one format, without microseconds."""

import re

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import now

from casework import services as work


def test_the_reassign_drop_down_names_people_by_name_and_position(client, walk, world):
    case = walk.report()
    client.force_login(world.manager)

    page = client.get(case.get_absolute_url()).content.decode()

    assert ">Head of Retail · Head of department</option>" in page


def test_a_defence_deadline_under_a_form_label_has_no_microseconds(client, walk, world):
    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    walk.investigate(case)
    walk.find_facts(case)
    walk.propose(case, defence=False)
    task = walk.task(case, "defence")
    work.task_claim(task=task, actor=world.officer)
    client.force_login(world.officer)

    page = client.get(
        reverse("work:case:defence:execute", args=[case.process_id, task.pk])
    ).content.decode()

    assert re.search(r"Chan Tai Man \(due \d{4}-\d\d-\d\d \d\d:\d\d\)", page)
    assert "+00:00" not in page


def test_one_date_format_in_every_language():
    moment = now()
    shown = set()
    for lang in ("en", "zh-hant", "zh-hans"):
        with translation.override(lang):
            shown.add(date_format(moment, "DATETIME_FORMAT"))
    assert len(shown) == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", shown.pop())


def test_the_case_page_names_people_and_shows_no_plan_round_on_a_first_plan(client, walk, world):
    from violations.models import Employee

    Employee.objects.create(
        staff_number="W0100",
        name="Wong Ka Yan",
        department=world.dept,
        position="Compliance officer",
        user=world.officer,
    )
    case = walk.to_approval(walk.report())
    walk.decide(case)
    walk.execute(case)
    walk.plan(case)
    client.force_login(world.manager)

    page = client.get(case.get_absolute_url()).content.decode()

    assert "Wong Ka Yan · Compliance officer" in page  # verified by, proposed by
    assert ">officer<" not in page
    assert "<li>[1]" not in page  # root causes
    assert "<td>[1]" not in page  # corrective actions
    assert "Staff did not know the suitability rules" in page
