"""nifi_like: a real-time dataflow engine. Public API for processor authors and tests."""

from nifi_like.api import *  # noqa: F403
from nifi_like.api import __all__ as _api_all

__all__ = list(_api_all)
