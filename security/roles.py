"""The application's PostgreSQL role: everything it needs, and nothing that rewrites the
ledger.

The tables belong to the owner role that runs the migrations (``DATABASE_OWNER_URL``); the
application connects as another role (``DATABASE_URL``, named in ``DATABASE_APP_ROLE``),
which may read and write the application's tables but only read and append to the ledger's:
no UPDATE or DELETE of an event, no TRUNCATE, no DDL (so no ``DISABLE TRIGGER``: only an
owner may alter a table), and, being no superuser, no ``session_replication_role``.
A chain head is updated on every append, so the role may update its two head columns; the
``auditchain_append_only`` trigger lets an update only move the head one event forward.
"""

from __future__ import annotations

from django.apps import apps

# Columns of the chain head that an append moves forward.
CHAIN_HEAD_COLUMNS = ("length", "head_hash")


def ledger_tables() -> list[str]:
    return sorted(m._meta.db_table for m in apps.get_app_config("ledger").get_models())


def app_role_grants(role: str, *, schema: str, quote) -> list[str]:
    """The statements, in order, that give ``role`` its rights over ``schema``."""
    from ledger.models import AuditChain

    r, sch = quote(role), quote(schema)
    statements = [
        f"GRANT USAGE ON SCHEMA {sch} TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {sch} TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO {r}",
        # The application never migrates.
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON django_migrations FROM {r}",
    ]
    for table in ledger_tables():
        statements += [
            f"REVOKE ALL ON {quote(table)} FROM {r}",
            f"GRANT SELECT, INSERT ON {quote(table)} TO {r}",
        ]
    columns = ", ".join(quote(c) for c in CHAIN_HEAD_COLUMNS)
    statements.append(f"GRANT UPDATE ({columns}) ON {quote(AuditChain._meta.db_table)} TO {r}")
    return statements


def grant_app_role(connection, role: str) -> list[str]:
    """Apply :func:`app_role_grants` on ``connection``, connected as the tables' owner.
    Returns what it ran. PostgreSQL only."""
    if connection.vendor != "postgresql":
        raise ValueError("database roles are a PostgreSQL setting")
    with connection.cursor() as cur:
        cur.execute("SELECT current_schema()")
        schema = cur.fetchone()[0]
        ran = app_role_grants(role, schema=schema, quote=connection.ops.quote_name)
        for statement in ran:
            cur.execute(statement)
    return ran
