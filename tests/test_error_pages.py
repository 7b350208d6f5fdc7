"""A lost race or a refused step gives a page that says nothing changed, not a bare 403."""

from django.test import Client

from casework.engine import open_task


def test_claiming_a_task_someone_else_took_explains_itself(walk, world):
    from tests.violations.factories import UserFactory

    other = UserFactory(username="officer2", roles=["Compliance officer"])
    case = walk.report()
    task = open_task(case, "verify")
    first, second = Client(), Client()
    first.force_login(world.officer)
    second.force_login(other)
    url = f"/work/case/{task.process_id}/verify/{task.pk}/assign/"
    assert first.post(url).status_code == 302
    response = second.post(url)
    assert response.status_code == 403
    assert "Nothing was changed" in response.content.decode()
    task.refresh_from_db()
    assert task.owner == world.officer


def test_unknown_case_is_a_friendly_404(world):
    client = Client()
    client.force_login(world.manager)
    response = client.get("/cases/VC-1999-999999/")
    assert response.status_code == 404
    assert "nothing here that you may see" in response.content.decode()
