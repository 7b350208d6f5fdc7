"""Which deadline clock times a task: the one the inbox's "Due" column and the case page
show beside it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from deadlines.models import Kind
from violations.models import OPEN_STATES, Clock

from .steps import Step

# Steps timed by their own clock rather than the stage's.
STEP_CLOCK = {
    Step.DEFENCE: Kind.DEFENCE,
    Step.DECIDE_APPEAL: Kind.APPEAL_DECISION,
    Step.CUSTOMER_FEEDBACK: Kind.COMPLAINT,
    Step.NOTIFY_REGULATOR: Kind.REGULATOR_NOTICE,
    Step.COMPLETE_ACTION: Kind.CORRECTIVE_ACTION,
}


def open_clocks_by_case(case_ids: Iterable[int]) -> dict[int, list[Clock]]:
    """The open clocks of these cases in one query, soonest first."""
    found: dict[int, list[Clock]] = defaultdict(list)
    for clock in Clock.objects.filter(case_id__in=case_ids, state__in=OPEN_STATES).order_by(
        "due_at"
    ):
        found[clock.case_id].append(clock)
    return found


def clock_of_task(task, case, clocks: list[Clock]) -> Clock | None:
    """The clock that times ``task`` of ``case`` among the case's open ``clocks``."""
    name = getattr(task.flow_task, "name", "")
    kind = STEP_CLOCK.get(name) if name in Step.__members__.values() else None
    if kind == Kind.CORRECTIVE_ACTION:
        target = f"action:{(task.data or {}).get('action')}"
        return next((c for c in clocks if c.kind == kind and c.target == target), None)
    if kind is not None:
        return next((c for c in clocks if c.kind == kind), None)
    stage = f"stage.{case.stage}"
    return next((c for c in clocks if c.kind == stage), None)
