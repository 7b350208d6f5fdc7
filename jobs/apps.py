from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """The scheduled jobs and the one command that runs them (``manage.py run_jobs``)."""

    name = "jobs"
    verbose_name = _("Scheduled jobs")
    default_auto_field = "django.db.models.BigAutoField"
