"""manage.py signing_key generate [--force] | public"""

import sys

from django.core.management.base import BaseCommand, CommandError

from reports import signing


class Command(BaseCommand):
    help = "Create the institution's Ed25519 bundle-signing key, or print its public key."
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="write a new private key to SIGNING_KEY_PATH")
        gen.add_argument("--force", action="store_true", help="replace an existing key")
        sub.add_parser("public", help="print the public key (PEM)")

    def handle(self, *args, action, force=False, **options):
        try:
            if action == "generate":
                key = signing.generate(force=force)
                self.stderr.write(f"Private key written to {signing.key_path()} (mode 600).")
                self.stderr.write(f"Public key SHA-256: {signing.fingerprint(key)}")
                self.stdout.write(signing.public_pem(key).decode("ascii"), ending="")
            else:
                self.stdout.write(signing.public_pem().decode("ascii"), ending="")
        except signing.SigningKeyError as exc:
            raise CommandError(str(exc)) from None
        sys.stdout.flush()
