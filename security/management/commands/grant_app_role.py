"""Give the application's database role its rights (PostgreSQL), as the tables' owner.

``manage.py migrate`` does this by itself when ``DATABASE_APP_ROLE`` is set; run this after
restoring a backup or adding the role later.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from security.management.commands.migrate import owner_connection
from security.roles import grant_app_role


class Command(BaseCommand):
    help = (
        "Grant the application's PostgreSQL role read and append on the ledger, and DML elsewhere."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", nargs="?", default=settings.DATABASE_APP_ROLE)

    def handle(self, *args, role, **options):
        if not role:
            raise CommandError("Name the role, or set DATABASE_APP_ROLE.")
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are a PostgreSQL setting; this database is not.")
        with owner_connection(connection):
            for statement in grant_app_role(connection, role):
                self.stdout.write(statement)
