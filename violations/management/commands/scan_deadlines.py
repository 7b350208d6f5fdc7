from django.core.management.base import BaseCommand

from violations.services.deadlines import deadline_scan


class Command(BaseCommand):
    help = (
        "Deadline scan: remind before deadlines, tell the holder of a breach, then the manager, "
        "then the compliance head (each once; safe to re-run and to run on several machines)."
    )

    def handle(self, *args, **options):
        result = deadline_scan()
        self.stdout.write(
            f"{result.clocks} clock(s) looked at: {result.reminded} reminder(s), "
            f"{result.breached} breach(es), {result.escalated[2]} escalation(s) to managers, "
            f"{result.escalated[3]} to the compliance head."
        )
