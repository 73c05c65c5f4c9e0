"""NiFi Expression Language: ``${attr:fn(...)}`` and ``#{parameter}`` compiled to closures.

    >>> evaluate("${filename:toUpper()}", {"filename": "a.txt"})
    'A.TXT'
"""

from __future__ import annotations

from collections.abc import Mapping

from .compiled import CompiledExpression, compile
from .errors import ExpressionError
from .template import unclosed_expression

__all__ = ["CompiledExpression", "ExpressionError", "compile", "evaluate", "validate"]


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
