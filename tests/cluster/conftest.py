"""The REST client fixture of the web tests, for the connection settings of load balancing."""

from tests.integration.web.conftest import api  # noqa: F401
