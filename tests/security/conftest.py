"""The web API fixture of the integration tests, for the security tests that go through REST."""

from tests.integration.web.conftest import api  # noqa: F401
