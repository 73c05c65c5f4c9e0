"""Controller services at run time: one instance per service, enabled and disabled as a unit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nifi_like.api.controller_service import ConfigurationContext, ControllerService
from nifi_like.api.processor import ProcessException, PropertyValue
from nifi_like.api.properties import PropertyDescriptor


class ServiceNode:
    def __init__(self, service_id: str, name: str, group_id: str, type_name: str, service: ControllerService,
                 properties: Mapping[str, str | None], parameters: Mapping[str, str]) -> None:
        self.id = service_id
        self.name = name
        self.group_id = group_id
        self.type_name = type_name
        self.service = service
        self.properties = dict(properties)
        self.parameters = parameters
        self.state = "DISABLED"


class ServiceContext(ConfigurationContext):
    def __init__(self, node: ServiceNode, lookup: Callable[[str], Any]) -> None:
        self.identifier = node.id
        self.name = node.name
        self._node = node
        self._lookup = lookup
        self._descriptors = {d.name: d for d in type(node.service).property_descriptors()}

    def get_property(self, descriptor: PropertyDescriptor | str) -> PropertyValue:
        name = descriptor if isinstance(descriptor, str) else descriptor.name
        raw = self._node.properties.get(name)
        declared = self._descriptors.get(name)
        if raw is None and declared is not None:
            raw = declared.default
        return PropertyValue(raw, self._node.parameters, services=self._lookup)

    @property
    def properties(self) -> Mapping[str, str | None]:
        merged: dict[str, str | None] = {name: d.default for name, d in self._descriptors.items()}
        merged.update(self._node.properties)
        return merged


class ServiceDirectory:
    """The services of a flow by id; hands enabled instances to the properties that name them."""

    def __init__(self) -> None:
        self.nodes: dict[str, ServiceNode] = {}

    def instance(self, service_id: str) -> Any:
        node = self.nodes.get(service_id)
        if node is None:
            raise ProcessException(f"controller service '{service_id}' does not exist")
        if node.state != "ENABLED":
            raise ProcessException(f"controller service {node.name}[{node.id}] is not enabled")
        return node.service
