"""The registry of steps and the flow's graph say the same thing."""

from casework import eligibility, services
from casework.flows import CaseFlow
from casework.steps import STAGE_OF, Step
from casework.views.steps import StepView


def _human_nodes():
    return {node.name: node for node in CaseFlow.instance.nodes() if node.task_type == "HUMAN"}


def test_every_step_is_a_human_node_of_the_flow_and_nothing_else_is():
    assert set(_human_nodes()) == {step.value for step in Step}


def test_every_step_has_a_completing_service_and_a_task_page():
    assert set(services.COMPLETES) == set(Step)
    for name, node in _human_nodes().items():
        view = node.view.view_class
        assert issubclass(view, StepView), name


def test_stage_bookkeeping_and_rules_name_only_steps():
    assert set(STAGE_OF) <= set(Step)
    assert set(eligibility.RULES) == set(eligibility.EXCLUSIONS)
    assert set(eligibility.RULES) <= set(Step)


def test_a_completing_service_refuses_a_task_of_another_step(walk, world):
    import pytest

    from violations.exceptions import InvalidState

    case = walk.report()
    task = walk.task(case, "verify")
    with pytest.raises(InvalidState):
        services.team_form(task=task, actor=world.manager, lead=world.investigator, members=[])
    task.refresh_from_db()
    assert task.status == "NEW"
