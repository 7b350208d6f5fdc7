"""Two SQL expressions the ORM lacks, for the figures to be computed by the database on both
PostgreSQL and SQLite: the seconds between two moments, and the median."""

from __future__ import annotations

import statistics

from django.db.models import Aggregate, FloatField, Func


class SecondsBetween(Func):
    """``end - start`` in seconds, as a float."""

    arity = 2
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL
        return super().as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores datetimes as ISO text in UTC there; julianday() reads them.
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return (
            f"((julianday({end_sql}) - julianday({start_sql})) * 86400.0)",
            (*end_params, *start_params),
        )

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)


class _SQLiteMedian:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value) -> None:
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> float | None:
        return statistics.median(self.values) if self.values else None


class Median(Aggregate):
    """The median of a numeric expression: PostgreSQL's ordered-set aggregate
    ``percentile_cont(0.5)``; on SQLite, which has none, an aggregate function registered on
    the connection (SQLite calls it row by row inside the query, as it does Django's own
    date functions)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    output_field = FloatField()
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def as_sqlite(self, compiler, connection, **extra):
        connection.ensure_connection()
        connection.connection.create_aggregate("acc_median", 1, _SQLiteMedian)
        return super().as_sql(
            compiler,
            connection,
            function="acc_median",
            template="%(function)s(%(expressions)s)",
            **extra,
        )
