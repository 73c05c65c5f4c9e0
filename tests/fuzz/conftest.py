"""The web API fixture of the integration tests, for regressions the REST fuzz found."""

from tests.integration.web.conftest import api  # noqa: F401
