"""The propose and approve pages show the range, its reasons, flags and precedents."""

from violations.workflow import open_task

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
    assert "Matrix range per person" in page and "Default band for severity" in page
    assert "Precedents (anonymised)" in page
    walk.propose(case, sanction="demotion", detail="Teller → Back office", justification="Repeated mis-selling.")
    task = open_task(case, "approve")
    client.force_login(world.senior)
    assert client.post(url(task, "assign")).status_code == 302
    page = client.get(url(task, "execute")).content.decode()
    assert "Outside the matrix range" in page and "Repeated mis-selling." in page
    assert "I accept the findings." in page
