"""``manage.py verify_audit [--case REF] [--head HASH --head-seq N]``

Exit 0 and print "intact" with what was checked; exit 1 naming the first broken event or
record and what is wrong with it (then how many problems there are in all).
"""

from django.core.management.base import BaseCommand, CommandError

from violations.audit import verify
from violations.models import Case


class Command(BaseCommand):
    help = "Recompute the hash-chained audit trail and compare it with the live rows and their history."

    def add_arguments(self, parser):
        parser.add_argument(
            "--case", metavar="REF", help="check only this case's chain and records"
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

    def handle(self, *args, case=None, head=None, head_seq=None, **options):
        if (head is None) != (head_seq is None):
            raise CommandError("--head and --head-seq go together.")
        target = None
        if case:
            target = Case.objects.filter(reference=case).first()
            if target is None:
                raise CommandError(f"No case {case}.")
        report = verify(case=target, head_seq=head_seq, head_hash=head)
        if report.intact:
            self.stdout.write(f"intact: {report.summary()}")
            return
        first = report.problems[0]
        self.stderr.write(f"BROKEN: {first}")
        if len(report.problems) > 1:
            self.stderr.write(
                f"({len(report.problems)} problems in all; checked {report.summary()})"
            )
        raise SystemExit(1)
