"""``compile``: text -> CompiledExpression, parsed once and evaluated many times."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from . import functions  # noqa: F401  (registers every function)
from .errors import EvaluationFailure, ExpressionError
from .lexer import Source
from .parser import Collector, compile_template
from .values import Env, Fn


class CompiledExpression:
    """An expression compiled into closures; ``evaluate`` never re-parses."""

    __slots__ = ("_fn", "_needs_env", "attribute_names", "is_literal", "parameter_names", "text")

    def __init__(self, text: str, fn: Fn, collector: Collector, is_literal: bool) -> None:
        self.text = text
        self._fn = fn
        self._needs_env = collector.needs_env
        self.is_literal = is_literal
        self.parameter_names: frozenset[str] = frozenset(collector.parameter_names)
        names = collector.attribute_names
        self.attribute_names: frozenset[str] | None = None if names is None else frozenset(names)

    def evaluate(self, attributes: Mapping[str, str], *, parameters: Mapping[str, str] | None = None,
                 state: Mapping[str, str] | None = None) -> str:
        """The text with every expression replaced by its value for these attributes."""
        env = _SHARED_ENV if not (self._needs_env or parameters or state) else Env(parameters, state)
        try:
            value = self._fn(attributes, env)
        except EvaluationFailure as exc:
            raise ExpressionError(exc.reason, self.text, max(exc.position, 0)) from exc
        except ExpressionError:
            raise
        except (ValueError, ArithmeticError, TypeError, LookupError, OSError) as exc:
            raise ExpressionError(f"Evaluation failed: {exc}", self.text, 0) from exc
        return "" if value is None else value

    def __repr__(self) -> str:
        return f"CompiledExpression({self.text!r})"


_SHARED_ENV = Env(None, None)  # read-only: used only when nothing needs per-call state


def compile_uncached(text: str) -> CompiledExpression:
    collector = Collector()
    node = compile_template(Source(text, text), collector, top_level=True)
    is_literal = node.is_const and not collector.parameter_names
    fn = node.fn
    if node.is_const:
        value = node.const

        def fn(a: Mapping[str, str], e: Env) -> str:
            return value  # type: ignore[no-any-return]

    return CompiledExpression(text, fn, collector, is_literal)


@functools.lru_cache(maxsize=4096)
def compile(text: str) -> CompiledExpression:
    """Parse ``text`` once; raises ExpressionError with the position of the first problem."""
    return compile_uncached(text)
