"""Supervision and evaluation (監督與評估): the dashboard's figures (:mod:`.figures`), its
charts (:mod:`.charts`), exports (:mod:`.exports`, :mod:`.pdf`) and the regulator
statistics (:mod:`.regulator`). The case bulletin is a publication of its own:
:mod:`reports.bulletins`."""

from .figures import Adherence, Bar, Dashboard, adherence, dashboard

__all__ = ["Adherence", "Bar", "Dashboard", "adherence", "dashboard"]
