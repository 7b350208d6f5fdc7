"""manage.py verify_bundle BUNDLE.zip --public-key KEY.pem [--previous OLD.zip] — needs no database."""

from django.core.management.base import BaseCommand

from tools import verify_bundle


class Command(BaseCommand):
    help = "Verify a signed case bundle offline (files, hashes, signature, audit chain)."
    # A recipient has the bundle and the key, nothing else: no checks, no database.
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("bundle")
        parser.add_argument("--public-key", required=True)
        parser.add_argument("--previous", metavar="OLD.zip")

    def handle(self, *args, bundle, public_key, previous=None, **options):
        argv = [bundle, "--public-key", public_key]
        if previous:
            argv += ["--previous", previous]
        code = verify_bundle.main(argv, out=self.stdout, err=self.stderr)
        if code:
            raise SystemExit(code)
