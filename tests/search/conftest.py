"""The API client fixture of the API tests, for the search endpoint."""

from tests.api.conftest import api  # noqa: F401
