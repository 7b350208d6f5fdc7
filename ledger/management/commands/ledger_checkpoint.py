"""``manage.py ledger_checkpoint``: sign the head of every audit chain, store the checkpoint,
and write it to ``LEDGER_CHECKPOINT_DIR``. Meant to run on a schedule (see
docs/reliability.md); ``verify_audit`` then holds the ledger against every checkpoint."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ledger.checkpoint import checkpoint_create, file_name
from ledger.signing import SigningKeyError


class Command(BaseCommand):
    help = "Sign a checkpoint (Merkle root) of every audit chain's head and store it outside the database."

    def handle(self, *args, **options):
        try:
            cp = checkpoint_create()
        except SigningKeyError as exc:
            raise CommandError(str(exc)) from None
        where = settings.LEDGER_CHECKPOINT_DIR
        self.stdout.write(
            f"checkpoint #{cp.number}: {len(cp.chains)} chains, root {cp.root_hash}"
            + (
                f", written to {where}/{file_name(cp.number)}"
                if where
                else " (LEDGER_CHECKPOINT_DIR is not set: stored in the database only)"
            )
        )
