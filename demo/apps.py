from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data only. Nothing imports this app; it drives the other apps' services."""

    name = "demo"
    verbose_name = _("Demo data")
