"""Fuzz of the flow JSON loader: any file gives a FlowError or a list of problems, never a crash.

parse_flow_json, then the flow model and flow_problems with the real ProcessorRegistry, as the
engine does at start. Bounded by default (FUZZ_EXAMPLES, 300); a timed run: FUZZ_SECONDS=300 (make fuzz).
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nifi_like.engine.registry import ProcessorRegistry
from nifi_like.flow.errors import FlowError
from nifi_like.flow.model import Flow
from nifi_like.flow.store import parse_flow_json
from nifi_like.flow.validation import flow_problems
from tests.fuzz.budget import needs_budget, run_for_budget
from tests.support.flows import connection, flow, processor

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
REGISTRY = ProcessorRegistry()

_GEN = processor("gen", "org.apache.nifi.processors.standard.GenerateFlowFile", {"Batch Size": "2"},
                 identifier="11111111-0000-0000-0000-000000000001")
_ROUTE = processor("route", "RouteOnAttribute", {"big": "${fileSize:gt(10)}"},
                   identifier="11111111-0000-0000-0000-000000000002", auto_terminate=("big", "unmatched"))
VALID = flow([_GEN, _ROUTE], [connection(_GEN, _ROUTE, ["success"], identifier="22222222-0000-0000-0000-000000000001")],
             processGroups=[{"identifier": "33333333-0000-0000-0000-000000000001", "name": "child",
                             "funnels": [{"identifier": "44444444-0000-0000-0000-000000000001"}]}])

JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False)
                    | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=12)


TRIED = [0]


def load(text: str | bytes) -> list[str]:
    """What the engine does with a flow file: parse, index, validate. Returns the problems."""
    TRIED[0] += 1
    try:
        document = parse_flow_json(text, "fuzz.json")
    except FlowError as exc:
        return exc.problems
    return flow_problems(Flow(copy.deepcopy(document)), REGISTRY)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += _paths(child, (*prefix, index))
    return out


PATHS = [p for p in _paths(VALID) if p]


@st.composite
def mutated_flows(draw: st.DrawFn) -> str:
    """The valid flow with a few of its values (at any depth) replaced by arbitrary JSON."""
    document = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = draw(JSON)
        except (KeyError, IndexError, TypeError):  # an earlier mutation removed this path
            continue
    return json.dumps(document)


def test_the_valid_flow_has_no_problems() -> None:
    assert load(json.dumps(VALID)) == []


@FUZZ
@given(st.one_of(st.text(max_size=200), JSON.map(json.dumps)))
def test_arbitrary_text_gives_flow_error_or_problems(text: str) -> None:
    assert all(isinstance(problem, str) for problem in load(text))


@FUZZ
@given(st.integers(0, len(json.dumps(VALID))))
def test_truncated_flow_gives_flow_error(cut: int) -> None:
    text = json.dumps(VALID)
    if cut < len(text):
        with pytest.raises(FlowError):
            TRIED[0] += 1
            parse_flow_json(text[:cut], "fuzz.json")


@settings(FUZZ)
@given(mutated_flows())
def test_mutated_flow_gives_problems_not_a_crash(text: str) -> None:
    assert all(isinstance(problem, str) for problem in load(text))


@needs_budget
def test_flow_loader_for_the_fuzz_budget() -> None:
    run_for_budget("flow JSON loader", [test_arbitrary_text_gives_flow_error_or_problems,
                                        test_truncated_flow_gives_flow_error,
                                        test_mutated_flow_gives_problems_not_a_crash], lambda: TRIED[0])
