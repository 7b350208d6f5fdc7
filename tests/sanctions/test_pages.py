"""The propose and approve pages show the range, its reasons, flags and precedents."""

from casework.engine import open_task

from .conftest import to_propose

BASE = "/work/case"


def url(task, action):
    return f"{BASE}/{task.process_id}/{task.flow_task.name}/{task.pk}/{action}/"


def test_propose_and_approve_pages(walk, world, client):
    case = to_propose(walk)
    task = open_task(case, "propose")
    client.force_login(world.officer)
    assert client.post(url(task, "assign")).status_code == 302
    page = client.get(url(task, "execute")).content.decode()
    assert "Matrix range per person" in page
    assert "Default band for severity" in page
    assert "Precedents (anonymised)" in page
    walk.propose(
        case,
        sanction="demotion",
        detail="Teller → Back office",
        justification="Repeated mis-selling.",
    )
    task = open_task(case, "approve")
    client.force_login(world.senior)
    assert client.post(url(task, "assign")).status_code == 302
    page = client.get(url(task, "execute")).content.decode()
    assert "Outside the matrix range" in page
    assert "Repeated mis-selling." in page
    assert "I accept the findings." in page


def test_case_page_offers_the_appeal_form_while_the_window_is_open(walk, world):
    from django.test import Client

    from sanctions.models import Appeal

    case = walk.to_approval(walk.report())
    walk.decide(case)
    walk.execute(case, close_appeal_window=False)
    # HR files appeals and needs to see the case: the manager's rights (and so their second
    # factor) before signing in.
    world.hr.groups.add(*world.manager.groups.all())
    client = Client()
    client.force_login(world.hr)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Record an appeal on the person" in page
    response = client.post(
        f"/sanctions/cases/{case.reference}/appeal/",
        {"employee": world.subject.pk, "grounds": "Disproportionate"},
    )
    assert response.status_code == 302
    assert Appeal.objects.get().employee == world.subject
