from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SanctionsConfig(AppConfig):
    name = "sanctions"
    verbose_name = _("Sanctions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from violations.policy import register_task_rule

        from .policy import appeal_task_rule, approval_task_rule

        register_task_rule("approve", approval_task_rule)
        register_task_rule("decide_appeal", appeal_task_rule)
