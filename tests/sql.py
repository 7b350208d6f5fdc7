"""The SQL a piece of code sends, for tests that count or inspect statements."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def statements(fn) -> list[str]:
    """Every statement ``fn()`` sends on the default connection, in order."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]
