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


def test_for_each_split_is_pinned_to_the_viewflow_split_it_restates():
    """``ForEachSplitActivation.activate`` restates viewflow 2.4's ``SplitActivation``
    with items per branch (its ``Split.Next`` ignores a ``data_source``). An upgrade that
    changes either must be read against ``casework/flows.py`` before this pin is renewed."""
    import hashlib
    import inspect

    from viewflow.workflow.nodes.split import Split, SplitActivation

    def digest(obj) -> str:
        return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()

    assert (
        digest(SplitActivation)
        == "06e877014a87ffeb5611fb41f8c7933bcda189d104c786bbd16b55d65fa1ee5e"
    )
    assert digest(Split.Next) == "5b7f9292cab1acf4fd2ac3d07305a62da42f500149b7b5aded8bc5740fefc92c"


def test_the_plan_opens_one_task_per_corrective_action_for_its_owner(walk, world):
    from casework.engine import open_tasks

    case = walk.report()
    walk.to_approval(case)
    walk.decide(case)
    walk.execute(case)
    walk.plan(case, actions=3)

    tasks = list(open_tasks(case, "complete_action"))
    actions = sorted(case.corrective_actions.values_list("pk", flat=True))
    assert sorted(t.data["action"] for t in tasks) == actions
    assert len(actions) == 3
    assert {t.owner_id for t in tasks} == {world.owner.pk}


def test_a_new_lead_takes_over_the_open_investigation(walk, world):
    from casework import services as work
    from casework.engine import open_task
    from violations import audit

    case = walk.report()
    walk.verify(case)
    walk.form_team(case)
    assert open_task(case, "investigate").owner == world.investigator

    work.team_change(
        case=case, actor=world.manager, new_lead=world.investigator2, reason="Lead on leave"
    )

    assert open_task(case, "investigate").owner == world.investigator2
    actions = list(audit.events_of(case).values_list("action", flat=True))
    assert actions[-2:] == ["team.changed", "task.reassigned"]
    moved = audit.events_of(case).get(action="task.reassigned")
    assert moved.payload["from"] == "investigator"
    assert moved.payload["to"] == "investigator2"
    assert moved.reason == "Lead on leave"
    assert audit.verify(case=case).intact
