"""A TestRunner that also hosts controller services, for tests and benchmarks of processors that use them.

    with ServiceTestRunner(ConvertRecord, {"Record Reader": "csv", "Record Writer": "json"}) as runner:
        runner.add_controller_service("csv", CSVReader, {"Schema Access Strategy": "infer-schema"})
        runner.add_controller_service("json", JsonRecordSetWriter)
        runner.enable_controller_service("csv")
        runner.enable_controller_service("json")

The services are real ServiceNodes in a real ServiceDirectory, enabled through a ServiceContext, as the
FlowController enables them; only the flow around them is the TestRunner's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nifi_like.api import ControllerService
from nifi_like.engine.services import ServiceContext, ServiceDirectory, ServiceNode
from nifi_like.flow.validation import property_problems
from nifi_like.testing import TestRunner

__all__ = ["ServiceTestRunner"]


class ServiceTestRunner(TestRunner):
    __test__ = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = ServiceDirectory()
        self._node.service_lookup = self.services.instance
        self.context = self._new_context()

    def add_controller_service(self, identifier: str, service: type[ControllerService],
                               properties: Mapping[str, str] | None = None) -> ControllerService:
        """Add a (disabled) service the processor's properties can name by ``identifier``."""
        self.services.nodes[identifier] = ServiceNode(identifier, identifier, "", service.type_name(), service(),
                                                      properties or {}, {})
        return self.services.nodes[identifier].service

    def enable_controller_service(self, identifier: str) -> None:
        """Validate the service's configuration and enable it; an invalid one raises AssertionError."""
        node = self.services.nodes[identifier]
        where = f"{type(node.service).__name__}[{identifier}]"
        problems = property_problems(type(node.service), node.properties, where, require=True)
        problems += [f"{where}: {reason}" for reason in node.service.custom_validate(node.properties)]
        if problems:
            raise AssertionError("the controller service is not valid:\n" + "\n".join(problems))
        node.service.on_enabled(ServiceContext(node, self.services.instance))
        node.state = "ENABLED"

    def disable_controller_service(self, identifier: str) -> None:
        node = self.services.nodes[identifier]
        node.service.on_disabled()
        node.state = "DISABLED"

    def __enter__(self) -> ServiceTestRunner:
        return self

    def close(self) -> None:
        for node in self.services.nodes.values():
            if node.state == "ENABLED":
                self.disable_controller_service(node.id)
        super().close()
