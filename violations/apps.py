from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ViolationsConfig(AppConfig):
    name = "violations"
    verbose_name = _("Violations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .services import reporter_clocks

        reporter_clocks.connect()  # an acknowledgement e-mail sent stops its clock
        from . import audit  # noqa: F401  (connects the history-row receiver)
        from .kinds import register_kinds

        register_kinds()
