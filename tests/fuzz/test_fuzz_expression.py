"""Fuzz of the Expression Language: on any text, compile and evaluate raise only ExpressionError.

Bounded by default (FUZZ_EXAMPLES, 300); a timed run: FUZZ_SECONDS=300 (make fuzz).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nifi_like.expression import ExpressionError, compile
from nifi_like.expression.registry import FUNCTIONS, SUBJECTLESS
from tests.fuzz.budget import needs_budget, run_for_budget

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ATTRIBUTES = {"filename": "a.txt", "n": "42", "f": "3.5", "json": '{"a": [1, {"b": "c"}]}', "empty": "",
              "date": "2026-11-23T14:22:07Z", "csv": "a,b,,c", "uuid": "0b6e7c52-5e0c-4a1e-9d5e-8a7f6f3c2b1a"}
NAMES = sorted(FUNCTIONS) + sorted(SUBJECTLESS)

# Pieces of the language, so that most examples get past the lexer into parsing and evaluation.
TOKENS = st.one_of(
    st.sampled_from(["${", "}", ":", "(", ")", ",", "'", '"', "#{", "$$", "\\", " ", "\n", "${literal(",
                     "$", "{", "'a'", '"b"', "'\\''", "1", "-1", "0", "2.5", "true", "false", "null"]),
    st.sampled_from(sorted(ATTRIBUTES) + ["missing", "a b", "'quoted attr'"]),
    st.sampled_from(NAMES).map(lambda name: f":{name}("),
    st.sampled_from(NAMES),
    st.integers(-10**6, 10**6).map(str),
    st.text(max_size=4),
)
EXPRESSION_TEXT = st.one_of(st.text(max_size=80), st.lists(TOKENS, max_size=25).map("".join))


TRIED = [0]


def _compile_and_evaluate(text: str) -> None:
    TRIED[0] += 1
    try:
        compiled = compile(text)
        compiled.evaluate(ATTRIBUTES, parameters={"p": "v", "n": "7"}, state={"s": "1"})
    except ExpressionError:
        pass


@FUZZ
@given(EXPRESSION_TEXT)
def test_expression_language_raises_only_expression_error(text: str) -> None:
    _compile_and_evaluate(text)


@FUZZ
@given(st.sampled_from(NAMES), st.lists(st.one_of(st.sampled_from(["'x'", "1", "-3", "'${'", "''", "0.5",
                                                                   "${n}", "'[a-z'", "'$.a'"]),
                                                  st.text(max_size=6).map(repr)), max_size=4))
def test_every_function_with_odd_arguments_raises_only_expression_error(name: str, args: list[str]) -> None:
    subject = "" if name in SUBJECTLESS and name not in FUNCTIONS else "json:"
    _compile_and_evaluate("${" + subject + name + "(" + ", ".join(args) + ")}")


@needs_budget
def test_expression_language_for_the_fuzz_budget() -> None:
    run_for_budget("expression language", [test_expression_language_raises_only_expression_error,
                                           test_every_function_with_odd_arguments_raises_only_expression_error],
                   lambda: TRIED[0])
