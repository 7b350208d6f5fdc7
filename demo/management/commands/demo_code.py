"""The current code of the demo's shared authenticator (DEBUG only: `make demo`)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the current one-time code of the demo authenticator (DEBUG only)."

    def handle(self, *args, **options):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from security import mfa

        if not settings.DEBUG:
            raise CommandError("The demo authenticator exists only in the demo (DJANGO_DEBUG on).")
        device = TOTPDevice(key=mfa.DEMO_TOTP_KEY_HEX)
        self.stdout.write(mfa.current_code(device))
