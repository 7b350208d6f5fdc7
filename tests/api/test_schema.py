"""The published OpenAPI document: served at a stable address, and checked in so that a
change to it shows in review."""

from pathlib import Path

import yaml

from casework.api_schema import document
from tests.api.client import Caller

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_checked_in_schema_is_the_generated_one():
    assert CHECKED_IN.read_bytes() == document(), (
        "docs/openapi.yaml is out of date: run .venv/bin/python scripts/openapi_schema.py"
    )


def test_schema_is_served_at_a_stable_address_and_lists_every_error(world):
    response = Caller(world.officer).get("/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"400", "401", "403", "404", "409", "413", "429"} <= set(
                operation["responses"]
            ), (path, method)
