"""Which cases a person may still see, asked by the notification centre before it shows a
link into a case. The domain that owns visibility registers the answer (``casework`` does,
when the apps are ready); until then no case link is shown."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

CaseFilter = Callable[[Any, set[str]], set[str]]

_case_filter: CaseFilter | None = None


def register_case_filter(fn: CaseFilter) -> None:
    global _case_filter
    _case_filter = fn


def visible_references(user, references: Iterable[str]) -> set[str]:
    """The references among ``references`` whose case ``user`` may see now."""
    wanted = {r for r in references if r}
    if not wanted or _case_filter is None:
        return set()
    return _case_filter(user, wanted)
