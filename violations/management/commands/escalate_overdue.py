from violations.management.commands.scan_deadlines import Command as ScanDeadlines


class Command(ScanDeadlines):
    help = "Old name of scan_deadlines (the deadline scan), kept for existing cron entries."
