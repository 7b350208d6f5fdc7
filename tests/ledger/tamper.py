"""What a hostile database administrator does, as helpers: raw SQL past the application,
with the audit table's append-only trigger switched off on PostgreSQL (the test's
transaction rolls everything back)."""

from __future__ import annotations

import io
from contextlib import contextmanager

from django.apps import apps
from django.core.management import call_command
from django.db import connection

from ledger import chain as ledger_chain
from ledger.digest import history_model
from ledger.models import AuditChain, AuditEvent
from violations import audit

q = connection.ops.quote_name


@contextmanager
def raw_sql():
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE violations_auditevent DISABLE TRIGGER auditevent_append_only")
            cur.execute("ALTER TABLE violations_auditchain DISABLE TRIGGER auditchain_append_only")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        yield cur


def set_column(model, pk, column, value, cur=None):
    with raw_sql() if cur is None else _same(cur) as c:
        c.execute(
            f"UPDATE {q(model._meta.db_table)} SET {q(column)} = %s "
            f"WHERE {q(model._meta.pk.column)} = %s",
            [value, pk],
        )
        assert c.rowcount == 1


def delete_where(model, condition_sql: str, params, cur) -> int:
    cur.execute(f"DELETE FROM {q(model._meta.db_table)} WHERE {condition_sql}", params)
    return cur.rowcount


@contextmanager
def _same(cur):
    yield cur


def wipe_ledger():
    """Every audit event and chain row deleted."""
    with raw_sql() as cur:
        delete_where(AuditEvent, "1 = 1", [], cur)
        delete_where(AuditChain, "1 = 1", [], cur)


def erase_case(case, *, counter: bool = True):
    """A case gone without trace in the database: its rows in every audited table and
    their history, its events and chain, and (``counter``) its reference number handed
    back, as if never issued."""
    from violations.models import ReferenceCounter

    with raw_sql() as cur:
        scope = audit.case_scope(case)
        # Every row found before any is deleted: some are reached through others.
        found = {
            model: list(model._base_manager.filter(condition).values_list("pk", flat=True))
            for model, condition in scope.items()
        }
        for model, pks in found.items():
            if not pks:
                continue
            hist = history_model(model)
            marks = ", ".join(["%s"] * len(pks))
            for m2m in model._meta.many_to_many:
                through = m2m.remote_field.through
                column = through._meta.get_field(m2m.m2m_field_name()).column
                delete_where(through, f"{q(column)} IN ({marks})", pks, cur)
            if hist is not None:
                delete_where(hist, f"{q(model._meta.pk.attname)} IN ({marks})", pks, cur)
            delete_where(model, f"{q(model._meta.pk.column)} IN ({marks})", pks, cur)
        # Bookkeeping that is not audited but points at the case goes too (deadline clocks).
        for model in apps.get_models():
            link = next((f for f in model._meta.concrete_fields if f.name == "case"), None)
            if model not in scope and link is not None and link.related_model is type(case):
                delete_where(model, f"{q(link.column)} = %s", [case.pk], cur)
        chain = AuditChain.objects.filter(key=audit.chain_key(case)).first()
        if chain is not None:
            delete_where(AuditEvent, f"{q('chain_id')} = %s", [chain.pk], cur)
            delete_where(AuditChain, f"{q('id')} = %s", [chain.pk], cur)
        if counter:
            year = int(case.reference.split("-")[1])
            cur.execute(
                f"UPDATE {q(ReferenceCounter._meta.db_table)} SET {q('last')} = {q('last')} - 1 "
                f"WHERE {q('year')} = %s",
                [year],
            )


def rewrite_and_rehash(case, seq: int, **changes):
    """Event ``seq`` of the case's chain rewritten, and it and every later event rehashed and
    relinked, the chain row following: a chain consistent in itself."""
    key = audit.chain_key(case)
    chain = AuditChain.objects.get(key=key)
    prev = None
    with raw_sql() as cur:
        for event in AuditEvent.objects.filter(chain=chain, seq__gte=seq).order_by("seq"):
            if event.seq == seq:
                for name, value in changes.items():
                    setattr(event, name, value)
            if prev is not None:
                event.prev_hash = prev
            event.hash = ledger_chain.event_hash(event)
            for name in ("payload", "reason", "prev_hash", "hash"):
                field = AuditEvent._meta.get_field(name)
                set_column(
                    AuditEvent,
                    event.pk,
                    field.column,
                    field.get_db_prep_save(getattr(event, name), connection),
                    cur,
                )
            prev = event.hash
        set_column(AuditChain, chain.pk, "head_hash", prev, cur)


def run_verify(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()
