"""Shared helpers for the Expression Language tests."""

from __future__ import annotations

from collections.abc import Mapping

from nifi_like.expression import compile, evaluate


def check(text: str, attributes: Mapping[str, str], expected: str, *, state: Mapping[str, str] | None = None,
          parameters: Mapping[str, str] | None = None) -> None:
    """``text`` evaluates to ``expected``, both through evaluate() and a compiled expression."""
    assert evaluate(text, attributes, state=state, parameters=parameters) == expected
    compiled = compile(text)
    assert compiled.evaluate(attributes, state=state, parameters=parameters) == expected
    assert compiled.evaluate(attributes, state=state, parameters=parameters) == expected  # no one-shot state
