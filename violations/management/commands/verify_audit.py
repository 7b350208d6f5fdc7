"""``manage.py verify_audit [--case REF] [--checkpoint FILE …] [--no-files] [--head HASH --head-seq N]``

Exit 0 and print "intact" with what was checked; exit 1 naming the first broken event,
record, file, chain or checkpoint and what is wrong with it (then how many problems there
are in all). Every signed checkpoint stored in the database and in ``LEDGER_CHECKPOINT_DIR``
is checked unless ``--checkpoint`` names the ones to use.
"""

from django.core.management.base import BaseCommand, CommandError

from violations.audit import verify
from violations.models import Case


class Command(BaseCommand):
    help = "Recompute the hash-chained audit trail and compare it with the live rows, their history, their files and the signed checkpoints."

    def add_arguments(self, parser):
        parser.add_argument(
            "--case", metavar="REF", help="check only this case's chain, rows and files"
        )
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            action="append",
            help="a signed checkpoint file to hold the ledger against (repeatable; default: "
            "every stored checkpoint)",
        )
        parser.add_argument(
            "--no-files", action="store_true", help="do not read the evidence files"
        )
        parser.add_argument(
            "--head",
            metavar="HASH",
            help="a chain head recorded earlier (e.g. in a regulator bundle): "
            "detects truncation of the newest events",
        )
        parser.add_argument(
            "--head-seq", metavar="N", type=int, help="the sequence number of that head"
        )

    def handle(
        self, *args, case=None, head=None, head_seq=None, checkpoint=None, no_files=False, **options
    ):
        if (head is None) != (head_seq is None):
            raise CommandError("--head and --head-seq go together.")
        target = None
        if case:
            target = Case.objects.filter(reference=case).first()
            if target is None:
                raise CommandError(f"No case {case}.")
        report = verify(
            case=target,
            head_seq=head_seq,
            head_hash=head,
            files=not no_files,
            progress=self._progress if self.stderr.isatty() else None,
            checkpoint_files=checkpoint,
        )
        if report.intact:
            self.stdout.write(f"intact: {report.summary()}")
            for note in report.notes:
                self.stdout.write(f"  {note}")
            return
        first = report.problems[0]
        self.stderr.write(f"BROKEN: {first}")
        if len(report.problems) > 1:
            self.stderr.write(
                f"({len(report.problems)} problems in all; checked {report.summary()})"
            )
        raise SystemExit(1)

    def _progress(self, done: int, total: int) -> None:
        if done == total or done % 20 == 0:
            width = 30
            filled = width * done // max(total, 1)
            self.stderr.write(
                f"\rfiles [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
            )
            if done == total:
                self.stderr.write("\n", ending="")
            self.stderr.flush()
