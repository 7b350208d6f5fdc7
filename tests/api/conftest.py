"""The access matrix's cases, built once per module, for the API's tests too."""

from tests.violations.test_access_matrix import matrix  # noqa: F401
