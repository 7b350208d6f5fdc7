"""What the portal's tests share: sending a report as a browser would, reading the code
off the receipt page, and looking for a string in every row of every table."""

from __future__ import annotations

import re

from django.db import connection

from security import portal_guard
from tests.portal_guard.conftest import solve

RECEIPT = re.compile(r"data-receipt-code>\s*([\d ]+?)\s*<")


def report_data(world, **overrides) -> dict:
    data = {
        "reporter_type": "outsider",
        "identity": "anonymous",
        "name": "",
        "contact": "",
        "category": world.category.pk,
        "department": "",
        "description": "The branch manager backdates suitability forms.",
        "occurred_on": "2026-11-02",
        "people_involved": "the manager of the Kowloon branch",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def solved() -> dict:
    """The challenge's two fields, solved as pow.js solves them in the browser."""
    challenge = portal_guard.challenge_new()
    return {
        portal_guard.POW_CHALLENGE_FIELD: challenge,
        portal_guard.POW_SOLUTION_FIELD: solve(challenge),
    }


def send_report(client, data, **extra):
    return client.post("/speak-up/report/", {**solved(), **data}, **extra)


def send_message(client, data):
    return client.post("/speak-up/mailbox/case/", {**solved(), **data})


def code_from(response) -> str:
    found = RECEIPT.search(response.content.decode())
    assert found, "no receipt code on the page"
    return found.group(1)


def report_and_keep_code(client, world, **overrides) -> str:
    response = send_report(client, report_data(world, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return code_from(client.get("/speak-up/receipt/"))


def open_mailbox(client, code: str):
    return client.post("/speak-up/mailbox/", {"code": code})


def rows_containing(*needles: str) -> list[tuple[str, str]]:
    """Every (table, needle) where a row of the table holds ``needle`` in any column."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(
                    bytes(v).decode("utf-8", "replace")
                    if isinstance(v, bytes | memoryview)
                    else str(v)
                    for v in row
                )
                found += [(table, n) for n in needles if n in text]
    return found
