"""NiFi Expression Language: ``${attr:fn(...)}`` and ``#{parameter}`` compiled to closures.

    >>> evaluate("${filename:toUpper()}", {"filename": "a.txt"})
    'A.TXT'
"""

from __future__ import annotations

from collections.abc import Mapping

from .compiled import CompiledExpression, compile
from .errors import ExpressionError
from .template import ParameterNameError, split_parameters, unclosed_expression

__all__ = ["CompiledExpression", "ExpressionError", "compile", "evaluate", "parameter_references",
           "substitute_parameters", "validate"]


def substitute_parameters(text: str, parameters: Mapping[str, str]) -> str:
    """Replace ``#{name}`` references (``##{`` escapes one), as NiFi does in every property value."""
    out: list[str] = []
    for part, is_reference in _split(text):
        if not is_reference:
            out.append(part)
        elif part in parameters:
            out.append(parameters[part])
        else:
            raise ExpressionError(f"Parameter '{part}' is not defined", text, text.find("#{" + part))
    return "".join(out)


def parameter_references(text: str) -> list[str]:
    """The names of the parameters ``text`` references."""
    return [part for part, is_reference in _split(text) if is_reference]


def _split(text: str) -> list[tuple[str, bool]]:
    try:
        return split_parameters(text)
    except ParameterNameError as exc:
        raise ExpressionError(str(exc), text, exc.offset) from exc


def evaluate(text: str, attributes: Mapping[str, str], *, parameters: Mapping[str, str] | None = None,
             state: Mapping[str, str] | None = None) -> str:
    """Substitute every expression in ``text`` (NiFi's Query.evaluateExpressions)."""
    return compile(text).evaluate(attributes, parameters=parameters, state=state)


def validate(text: str) -> None:
    """Raise ExpressionError when ``text`` holds an invalid expression.

    Stricter than evaluation: an unescaped ``${`` that never closes is reported too
    (evaluation, like NiFi, would keep it as literal text).
    """
    compile(text)
    position = unclosed_expression(text)
    if position >= 0:
        raise ExpressionError("Expression is not closed by '}'", text, position)
