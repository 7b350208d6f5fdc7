"""The published case.json schema describes exactly what the case file exports."""

import dataclasses
import json
import typing
from pathlib import Path

from reports import casefile as cf

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "case-schema-v2.json").read_text()
)


def _exported(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.metadata.get("export", True)]


def _records(cls, seen=None) -> dict[str, type]:
    """Every dataclass reachable from ``cls`` through its exported fields."""
    seen = {} if seen is None else seen
    hints = typing.get_type_hints(cls)
    for name in _exported(cls):
        for arg in [hints[name], *typing.get_args(hints[name])]:
            for inner in [arg, *typing.get_args(arg)]:
                if dataclasses.is_dataclass(inner) and inner.__name__ not in seen:
                    seen[inner.__name__] = inner
                    _records(inner, seen)
    return seen


def test_schema_version_and_id_match_the_code():
    assert SCHEMA["$id"] == cf.SCHEMA_ID
    assert SCHEMA["properties"]["schema_version"] == {"const": cf.SCHEMA_VERSION}
    assert cf.SCHEMA_VERSION == "2.2"


def test_every_record_and_field_is_in_the_schema_and_nothing_else():
    top = [k for k in _exported(cf.CaseFile) if k != "events"]  # events go to events.json
    assert list(SCHEMA["properties"]) == ["$schema", "schema_version", *top]
    records = _records(cf.CaseFile)
    records.pop("ChainEvent")
    assert set(SCHEMA["$defs"]) == set(records)
    for name, cls in records.items():
        definition = SCHEMA["$defs"][name]
        assert list(definition["properties"]) == _exported(cls), name
        assert definition["required"] == _exported(cls), name
        assert definition["additionalProperties"] is False, name
