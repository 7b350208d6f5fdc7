from django.core.management.base import BaseCommand

from violations.services.escalation import overdue_escalate


class Command(BaseCommand):
    help = "Escalate overdue stages and acknowledgements to the case managers (safe to re-run; run from cron)."

    def handle(self, *args, **options):
        done = overdue_escalate()
        for reference, what in done:
            self.stdout.write(f"{reference}: {what} overdue, escalated")
        self.stdout.write(f"{len(done)} escalation(s).")
