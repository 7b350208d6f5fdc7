"""The run's one table, its verdicts, and the JSON file it is written to."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))
    return values[k]


def ms(seconds):
    return round(seconds * 1000, 2)


def is_write(sql: str) -> bool:
    return sql.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")


def is_savepoint(sql: str) -> bool:
    return sql.lstrip().split(" ", 1)[0].upper() in ("SAVEPOINT", "RELEASE", "ROLLBACK")


class Statements:
    """Every statement sent to the database inside the block (survives the request signals
    that reset Django's own query log)."""

    def __enter__(self):
        self.captured_queries = []
        self._wrapper = connection.execute_wrapper(self._record)
        self._wrapper.__enter__()
        return self

    def _record(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = (time.perf_counter() - t0) * 1000
            self.captured_queries.append({"sql": sql, "params": params, "ms": took})

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)

    @property
    def sql(self) -> list[str]:
        return [q["sql"] for q in self.captured_queries]


@dataclass
class Table:
    rows: list[dict] = field(default_factory=list)

    def add(self, section, item, figure, goal="", verdict=""):
        self.rows.append(
            {"section": section, "item": item, "figure": figure, "goal": goal, "result": verdict}
        )
        print(f"  {section:<11} {item:<38} {figure:<44} {goal:<22} {verdict}", flush=True)


TABLE = Table()
RESULTS: dict = {}


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def write_results(name: str) -> Path:
    """Write RESULTS, with the table, to benchmarks/results/<name>.json."""
    RESULTS["table"] = TABLE.rows
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(RESULTS, indent=2, default=str))
    return path
