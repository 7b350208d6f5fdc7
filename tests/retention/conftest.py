from tests.reports.conftest import signing_key  # noqa: F401  (the same key fixture)
