"""Property names NiFi used before: renamed on the way in, as NiFi's ``migrateProperties`` does.

NiFi 2 renamed many machine names ('record-reader') to the names people read ('Record Reader');
flow files written by NiFi 1.x and early 2.x still carry the old keys. A descriptor lists its old
names in ``aliases``; every flow that enters the engine (loaded, uploaded, or a REST property
change) has those keys renamed here, so the rest of the engine only knows one name per property.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any

from nifi_like.engine.registry import ProcessorRegistry

Component = dict[str, Any]


def rename_aliases(cls: Any, properties: MutableMapping[str, Any]) -> None:
    """Rename old property names to the declared ones, in place and keeping the order of keys.

    A value already set under the current name wins over one under an old name."""
    renames = {alias: d.name for d in cls.property_descriptors() for alias in d.aliases}
    if not renames or not any(key in renames for key in properties):
        return
    items = list(properties.items())
    properties.clear()
    names = {key for key, _ in items}
    for key, value in items:
        target = renames.get(key)
        if target is None:
            properties[key] = value
        elif target not in names and target not in properties:
            properties[target] = value


def migrate_groups(groups: Iterable[Component], registry: ProcessorRegistry) -> None:
    """Rename old property names of every processor and controller service in these groups
    (and the groups inside them)."""
    pending = list(groups)
    while pending:
        group = pending.pop()
        for processor in group.get("processors") or []:
            cls = registry.resolve(str(processor.get("type")))
            if cls is not None and isinstance(processor.get("properties"), dict):
                rename_aliases(cls, processor["properties"])
                _rename_descriptors(cls, processor)
        for service in group.get("controllerServices") or []:
            service_cls = registry.resolve_service(str(service.get("type")))
            if service_cls is not None and isinstance(service.get("properties"), dict):
                rename_aliases(service_cls, service["properties"])
                _rename_descriptors(service_cls, service)
        pending.extend(g for g in group.get("processGroups") or [] if isinstance(g, dict))


def migrate_document(document: MutableMapping[str, Any], registry: ProcessorRegistry) -> None:
    contents = document.get("flowContents")
    if isinstance(contents, dict):
        migrate_groups([contents], registry)


def _rename_descriptors(cls: Any, component: Component) -> None:
    """NiFi files also key ``propertyDescriptors`` by property name: keep them in step."""
    descriptors = component.get("propertyDescriptors")
    if isinstance(descriptors, dict):
        rename_aliases(cls, descriptors)
        for name, descriptor in descriptors.items():
            if isinstance(descriptor, dict) and "name" in descriptor:
                descriptor["name"] = name
