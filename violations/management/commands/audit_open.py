"""``manage.py audit_open REF SEQ FIELD``: open the salted commitment a bundle published for
a withheld field of one event of a case, as JSON a recipient checks with
``verify_bundle.py BUNDLE.zip --public-key KEY.pem --open OPENING.json``."""

import json

from django.core.management.base import BaseCommand, CommandError

from ledger.chain import opening
from violations import audit
from violations.models import Case


class Command(BaseCommand):
    help = "Print the opening (field salt and value) of one field of one audit event of a case."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="the case")
        parser.add_argument("seq", type=int, help="the event's sequence number in the case's chain")
        parser.add_argument("field", help="the field, e.g. payload or actor_name")

    def handle(self, *args, reference, seq, field, **options):
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            raise CommandError(f"No case {reference}.")
        event = audit.events_of(case).filter(seq=seq).select_related("chain").first()
        if event is None:
            raise CommandError(f"Case {reference} has no event #{seq}.")
        try:
            self.stdout.write(json.dumps(opening(event, field), ensure_ascii=False, indent=1))
        except KeyError:
            raise CommandError(
                f"Event #{seq} has no salted field {field!r} (events written before salted "
                "commitments cannot be opened)."
            ) from None
