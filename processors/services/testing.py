"""ServiceTestRunner: the name controller-service tests used before TestRunner itself hosted services
(``TestRunner.add_controller_service`` / ``enable_controller_service``); kept so existing imports work."""

from __future__ import annotations

from nifi_like.testing import TestRunner

__all__ = ["ServiceTestRunner"]

ServiceTestRunner = TestRunner
