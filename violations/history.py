"""django-simple-history, without its per-access cost.

simple_history's ``Model.history`` descriptor builds a new manager class on every access
(``Manager.from_queryset`` inspects the queryset class each time): about 0.3 ms, paid on
every save of a tracked record because the history row is written through it. The
descriptor below builds the class once per model and is otherwise the same.
"""

from __future__ import annotations

from django.apps import apps
from simple_history.manager import HistoryDescriptor


class OnceHistoryDescriptor(HistoryDescriptor):
    def __get__(self, instance, owner):
        manager_class = self.__dict__.get("_built")
        if manager_class is None:
            manager_class = self._built = self.manager_class.from_queryset(self.queryset_class)
        return manager_class(self.model, instance)


def build_history_managers_once() -> None:
    for model in apps.get_models():
        name = getattr(model._meta, "simple_history_manager_attribute", None)
        descriptor = model.__dict__.get(name) if name else None
        if type(descriptor) is HistoryDescriptor:
            setattr(model, name, OnceHistoryDescriptor(
                descriptor.model, manager=descriptor.manager_class,
                queryset=descriptor.queryset_class))
