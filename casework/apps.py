from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    """The process: the flow's graph, the task pages, the case page and the step API."""

    name = "casework"
    verbose_name = _("Case work")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notifications.access import register_case_filter

        register_case_filter(visible_references)


def visible_references(user, references: set[str]) -> set[str]:
    """The notification centre's question: which of these cases may ``user`` still see?"""
    from violations import policy
    from violations.models import Case

    visible = policy.visible_cases(user, Case.objects.filter(reference__in=references))
    return set(visible.values_list("reference", flat=True))
