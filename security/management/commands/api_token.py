"""Make a service account's API token from the command line (the admin does the same):
the account is created if it does not exist; the token is printed once, on stdout.

    manage.py api_token complaint-desk --scope complaint-system --name "Complaint system" \
        --by admin
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from security import tokens
from security.models import ServiceAccount


class Command(BaseCommand):
    help = "Create a service account's API token (and the account, if new); print the token."

    def add_arguments(self, parser):
        parser.add_argument("account", help="The service account's username.")
        parser.add_argument(
            "--scope", action="append", required=True, choices=sorted(tokens.SCOPES)
        )
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument("--by", required=True, help="The administrator making it.")

    def handle(self, *args, account, scope, name, by, **options):
        admin = get_user_model().objects.filter(username=by).first()
        try:
            existing = ServiceAccount.objects.filter(user__username=account).first()
            service = existing or tokens.service_account_create(username=account, actor=admin)
            _token, plaintext = tokens.api_token_create(
                account=service, name=name, scopes=scope, actor=admin
            )
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        self.stdout.write(plaintext)
