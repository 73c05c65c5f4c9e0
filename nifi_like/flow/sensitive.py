"""Which values of a flow are sensitive, and what happens to them on disk, over the API and in exports.

A property is sensitive when its PropertyDescriptor says so (``sensitive=True``, declared once on the
processor or controller service class) or when the flow's own ``propertyDescriptors`` entry marks it
sensitive (so a component whose type is not installed keeps its values protected). A parameter is
sensitive when its ``sensitive`` flag is set. As in NiFi, sensitive values are
- encrypted in the stored flow.json (``enc{...}``, see nifi_like.flow.cipher),
- shown as ``********`` by the REST API, which also reads ``********`` back as "unchanged",
- left out of exported and downloaded flow definitions.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.flow.cipher import PropertyCipher, is_encrypted
from nifi_like.flow.model import Component

MASK = "********"  # what NiFi shows instead of a sensitive value


def _components(group: Component) -> Iterator[tuple[str, Component]]:
    """Every processor and controller service of a group and its descendants."""
    for key, kind in (("processors", "PROCESSOR"), ("controllerServices", "CONTROLLER_SERVICE")):
        for component in group.get(key) or []:
            if isinstance(component, dict):
                yield kind, component
    for child in group.get("processGroups") or []:
        if isinstance(child, dict):
            yield from _components(child)


def _parameters(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    contexts = document.get("parameterContexts")
    for context in contexts.values() if isinstance(contexts, dict) else []:
        for parameter in context.get("parameters") or [] if isinstance(context, dict) else []:
            if isinstance(parameter, dict) and parameter.get("sensitive") is True:
                yield parameter


def _label(component: Component) -> str:
    return f"{str(component.get('type') or '').rsplit('.', 1)[-1]}[{component.get('name') or ''}, " \
           f"{component.get('identifier')}]"


class Sensitivity:
    """Answers which properties of a component are sensitive, from the installed types' declarations."""

    def __init__(self, registry: ProcessorRegistry) -> None:
        self.registry = registry

    def names(self, component: Component, kind: str = "PROCESSOR") -> set[str]:
        stored = component.get("propertyDescriptors")
        names = {str(name) for name, d in stored.items() if isinstance(d, dict) and d.get("sensitive") is True} \
            if isinstance(stored, dict) else set()
        type_name = str(component.get("type") or "")
        cls = self.registry.resolve_service(type_name) if kind == "CONTROLLER_SERVICE" \
            else self.registry.resolve(type_name)
        if cls is None:
            return names
        names |= {d.name for d in cls.property_descriptors() if d.sensitive}
        properties = component.get("properties")
        for name in properties if isinstance(properties, dict) else {}:
            dynamic = cls.dynamic_property_descriptor(name)
            if dynamic is not None and dynamic.sensitive:
                names.add(name)
        return names

    def _each(self, document: dict[str, Any]) -> Iterator[tuple[Component, dict[str, Any], str]]:
        """(component, its properties, name) for every sensitive property that has a value."""
        root = document.get("flowContents")
        for kind, component in _components(root) if isinstance(root, dict) else iter(()):
            properties = component.get("properties")
            if not isinstance(properties, dict):
                continue
            for name in sorted(self.names(component, kind)):
                if isinstance(properties.get(name), str):
                    yield component, properties, name

    # -- at rest ---------------------------------------------------------------------------
    def protect(self, document: dict[str, Any], cipher: PropertyCipher) -> dict[str, Any]:
        """A copy to store: every sensitive value encrypted, each such property marked sensitive in
        ``propertyDescriptors`` (NiFi's field) so the mark survives an uninstalled type."""
        stored = copy.deepcopy(document)
        for component, properties, name in self._each(stored):
            properties[name] = cipher.encrypt(properties[name])
            descriptors = component.get("propertyDescriptors")
            if not isinstance(descriptors, dict):
                descriptors = component["propertyDescriptors"] = {}
            entry = descriptors.get(name) if isinstance(descriptors.get(name), dict) else None
            descriptors[name] = {**(entry or {"name": name, "displayName": name,
                                              "identifiesControllerService": False}), "sensitive": True}
        for parameter in _parameters(stored):
            if isinstance(parameter.get("value"), str):
                parameter["value"] = cipher.encrypt(parameter["value"])
        return stored

    def reveal(self, document: dict[str, Any], cipher: PropertyCipher, source: str) -> dict[str, Any]:
        """Decrypt, in place, the sensitive values of a stored flow."""
        for component, properties, name in self._each(document):
            if is_encrypted(properties[name]):
                properties[name] = cipher.decrypt(properties[name],
                                                  f"{source}: property '{name}' of {_label(component)}")
        for parameter in _parameters(document):
            if is_encrypted(parameter.get("value")):
                parameter["value"] = cipher.decrypt(parameter["value"],
                                                    f"{source}: sensitive parameter '{parameter.get('name')}'")
        return document

    # -- leaving the engine ----------------------------------------------------------------
    def omit(self, document: dict[str, Any]) -> dict[str, Any]:
        """A copy for export: sensitive property values removed, sensitive parameter values null (as NiFi)."""
        exported = copy.deepcopy(document)
        for _, properties, name in list(self._each(exported)):
            del properties[name]
        for parameter in _parameters(exported):
            parameter["value"] = None
        return exported

    def mask(self, component: Component, values: dict[str, Any], kind: str = "PROCESSOR") -> dict[str, Any]:
        """Property values for the API: each set sensitive value shown as ``********``."""
        hidden = self.names(component, kind)
        return {name: MASK if name in hidden and value is not None else value for name, value in values.items()}


def keep_masked(current: dict[str, Any], changes: dict[str, Any], sensitive: Callable[[str], bool]) -> dict[str, Any]:
    """Changes sent by a client, minus sensitive properties sent back as the mask (meaning: unchanged)."""
    return {name: value for name, value in changes.items() if not (value == MASK and sensitive(name)
                                                                   and name in current)}
