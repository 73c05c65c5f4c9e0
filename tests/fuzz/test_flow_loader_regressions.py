"""Flow files of the wrong JSON shape, found by the loader fuzz: each must be refused with a
FlowError naming the bad value, not crash the loader with a TypeError/KeyError/AttributeError.

The shape check (nifi_like/flow/shape.py, called by parse_flow_json) refuses them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from nifi_like.flow.errors import FlowError
from tests.fuzz.test_fuzz_flow_loader import load

PROCESSOR = {"identifier": "p", "type": "GenerateFlowFile"}
CONNECTION = {"identifier": "c", "source": {"id": "p", "type": "PROCESSOR"},
              "destination": {"id": "p", "type": "PROCESSOR"}, "selectedRelationships": ["success"]}
CRASHES: dict[str, dict[str, Any]] = {
    "processor-not-an-object": {"processors": [1]},
    "processors-null": {"processors": None},
    "identifier-a-list": {"processors": [{**PROCESSOR, "identifier": ["p"]}]},
    "group-identifier-a-list": {"identifier": [1], "processors": []},
    "child-group-without-identifier": {"processGroups": [{"name": "child"}]},
    "properties-a-number": {"processors": [{**PROCESSOR, "properties": 5}]},
    "scheduled-state-a-list": {"processors": [{**PROCESSOR, "scheduledState": ["RUNNING"]}]},
    "relationships-a-boolean": {"processors": [PROCESSOR], "connections": [{**CONNECTION,
                                                                            "selectedRelationships": True}]},
}


@pytest.mark.parametrize("contents", list(CRASHES.values()), ids=list(CRASHES))
def test_wrongly_typed_flow_is_refused_with_a_flow_error(contents: dict[str, Any]) -> None:
    text = json.dumps({"flowContents": contents})
    try:
        problems = load(text)
    except FlowError as exc:  # load() turns a FlowError into its problems; this is for clarity
        problems = exc.problems
    assert problems, "a wrongly typed flow must be refused"
    assert all(isinstance(problem, str) for problem in problems)
