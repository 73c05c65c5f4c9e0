"""The web server: NiFi's REST API at /nifi-api, login, and the canvas."""

from nifi_like.web.app import create_app, serve
from nifi_like.web.auth import set_single_user_credentials

__all__ = ["create_app", "serve", "set_single_user_credentials"]
