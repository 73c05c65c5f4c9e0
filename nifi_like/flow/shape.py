"""The JSON shape of a flow definition, checked before the flow is indexed or validated.

Everything later (the flow model, validation, the engine) may then rely on the types: lists
of objects, string identifiers, string-valued properties.
"""

from __future__ import annotations

from typing import Any

from nifi_like.flow.model import CONNECTION_DEFAULTS, GROUP_LISTS, PORT_DEFAULTS, PROCESSOR_DEFAULTS

_STRING_LISTS = ("selectedRelationships", "autoTerminatedRelationships", "prioritizers", "retriedRelationships")
_OBJECTS = ("source", "destination", "position", "style", "propertyDescriptors", "variables")
#: Fields whose default is a string must hold a string (the defaults declare the types once).
_STRING_FIELDS = {key for defaults in (PROCESSOR_DEFAULTS, CONNECTION_DEFAULTS, PORT_DEFAULTS)
                  for key, value in defaults.items() if isinstance(value, str)} | {"identifier", "name", "type"}


def shape_problems(document: dict[str, Any]) -> list[str]:
    """Values of the wrong JSON type, each named by its path in the document."""
    problems: list[str] = []
    _group(document["flowContents"], "flowContents", problems, root=True)
    for name in ("parameterContexts", "externalControllerServices", "parameterProviders"):
        if not isinstance(document.get(name, {}), dict):
            problems.append(f"'{name}' is not a JSON object")
    return problems


def _group(group: Any, where: str, problems: list[str], *, root: bool = False) -> None:
    if not isinstance(group, dict):
        problems.append(f"{where} is not a JSON object")
        return
    if not isinstance(group.get("identifier"), str) and not (root and "identifier" not in group):
        problems.append(f"{where}.identifier is not a string")
    for list_name in GROUP_LISTS:
        items = group.get(list_name, [])
        if not isinstance(items, list):
            problems.append(f"{where}.{list_name} is not a JSON array")
            continue
        for index, item in enumerate(items):
            path = f"{where}.{list_name}[{index}]"
            if list_name == "processGroups":
                _group(item, path, problems)
            else:
                _component(item, path, problems)


def _component(component: Any, where: str, problems: list[str]) -> None:
    if not isinstance(component, dict):
        problems.append(f"{where} is not a JSON object")
        return
    for key in sorted(_STRING_FIELDS):
        if key in component and not isinstance(component[key], str):
            problems.append(f"{where}.{key} is not a string")
    properties = component.get("properties", {})
    if not isinstance(properties, dict):
        problems.append(f"{where}.properties is not a JSON object")
    else:
        for name, value in properties.items():
            if value is not None and not isinstance(value, str):
                problems.append(f"{where}.properties['{name}'] is not a string or null")
    for key in _STRING_LISTS:
        values = component.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            problems.append(f"{where}.{key} is not an array of strings")
    for key in _OBJECTS:
        if key in component and not isinstance(component[key], dict):
            problems.append(f"{where}.{key} is not a JSON object")
