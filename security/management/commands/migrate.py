"""``migrate`` as the tables' owner.

When ``DATABASE_OWNER_URL`` is set, migrations connect with it instead of ``DATABASE_URL`` (the
application's role, which owns nothing), and at the end the application's role named in
``DATABASE_APP_ROLE`` is granted its rights (:mod:`security.roles`). Without it, Django's
``migrate`` runs unchanged.
"""

from contextlib import contextmanager

import environ
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections

from security.roles import grant_app_role

CREDENTIALS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


@contextmanager
def owner_connection(connection):
    """``connection`` logged in as the owner for the duration, when an owner is configured."""
    url = settings.DATABASE_OWNER_URL
    if not url:
        yield connection
        return
    owner = environ.Env.db_url_config(url)
    if (owner.get("NAME"), owner.get("HOST")) != (
        connection.settings_dict["NAME"],
        connection.settings_dict["HOST"],
    ):
        raise CommandError("DATABASE_OWNER_URL must name the same database as DATABASE_URL.")
    saved = {k: connection.settings_dict.get(k) for k in CREDENTIALS}
    connection.close()
    connection.settings_dict.update({k: owner.get(k, saved[k]) for k in CREDENTIALS})
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict.update(saved)


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if options["database"] != DEFAULT_DB_ALIAS or connection.vendor != "postgresql":
            return super().handle(*args, **options)
        with owner_connection(connection):
            super().handle(*args, **options)
            if settings.DATABASE_APP_ROLE:
                grant_app_role(connection, settings.DATABASE_APP_ROLE)
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Granted the application role {settings.DATABASE_APP_ROLE}.")
