"""Recursive-descent parser that compiles as it parses: text -> closures, once.

Grammar (NiFi's AttributeExpressionParser.g, plus parameter references)::

    expression := '$' '{' subject (':' NAME '(' args? ')')* '}'
    subject    := NAME | STRING | expression | PARAM | NAME '(' args? ')'
    arg        := WHOLE | DECIMAL | STRING | 'true' | 'false' | expression | PARAM
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from . import coerce, template
from .errors import EvaluationFailure, ExpressionError
from .lexer import Source, Token, tokenize
from .multi import MULTI_FUNCTIONS, build_multi
from .registry import FUNCTIONS, SUBJECTLESS, Site, Spec
from .values import LONG_MAX, LONG_MIN, Env, Kind, Typed, constant


class Collector:
    """What a compile learns about the text: names referenced and run-time needs."""

    def __init__(self) -> None:
        self.attribute_names: set[str] | None = set()
        self.parameter_names: set[str] = set()
        self.needs_env = False

    def attribute(self, name: str | None) -> None:
        if name is None:
            self.attribute_names = None
        elif self.attribute_names is not None:
            self.attribute_names.add(name)


def parameter_node(name: str, position: int, collector: Collector) -> Typed:
    collector.parameter_names.add(name)
    collector.needs_env = True

    def lookup(a: Mapping[str, str], e: Env) -> str:
        parameters = e.parameters
        if parameters is None or name not in parameters:
            raise EvaluationFailure(f"Parameter '{name}' is not defined", position)
        return parameters[name]

    return Typed(lookup, Kind.STRING)


def compile_template(source: Source, collector: Collector, *, top_level: bool) -> Typed:
    """Literal text with embedded expressions, as one STRING node."""
    parts: list[Typed] = []
    pieces = template.split(source.src, top_level=top_level)
    for piece in pieces:
        if piece.is_expression:
            node, plain = Parser(source, collector, piece.start, piece.end + 1).top()
            if plain and parts and parts[-1].is_const and parts[-1].notes.get("literal"):
                text = template.unescape_trailing(parts[-1].const)
                parts[-1] = _literal(text)
            parts.append(coerce.to_string(node))
        elif top_level:
            try:
                literal_parts = template.split_parameters(piece.literal)
            except template.ParameterNameError as exc:
                raise source.error(str(exc), piece.start + exc.offset) from exc
            for text, is_parameter in literal_parts:
                if is_parameter:
                    found = source.src.find("#{" + text + "}", piece.start)
                    position = source.at(found if found >= 0 else piece.start)
                    parts.append(parameter_node(text, position, collector))
                else:
                    parts.append(_literal(text))
        else:
            parts.append(_literal(piece.literal))
    return concatenate([p for p in parts if not (p.is_const and p.const == "")] or [constant("", Kind.STRING)])


def _literal(text: str) -> Typed:
    node = constant(text, Kind.STRING)
    node.notes["literal"] = True
    return node


def concatenate(parts: list[Typed]) -> Typed:
    if len(parts) == 1:
        return parts[0]
    if all(p.is_const for p in parts):
        return constant("".join(p.const or "" for p in parts), Kind.STRING)
    fns = tuple(p.fn for p in parts)
    if len(fns) == 2:
        first, second = fns

        def pair(a: Mapping[str, str], e: Env) -> str:
            return (first(a, e) or "") + (second(a, e) or "")

        return Typed(pair, Kind.STRING)

    def joined(a: Mapping[str, str], e: Env) -> str:
        return "".join([f(a, e) or "" for f in fns])

    return Typed(joined, Kind.STRING)


class Parser:
    """Parses one ``${...}`` found at ``source.src[start:stop]``."""

    def __init__(self, source: Source, collector: Collector, start: int, stop: int) -> None:
        self.source = source
        self.collector = collector
        self.tokens = tokenize(source, start, stop)
        self.index = 0

    # ---- token helpers ----
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def expect(self, kind: str, what: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            found = "end of expression" if token.kind == "EOF" else f"'{token.value}'"
            raise self.source.error(f"Expected {what} but found {found}", token.start)
        return self.take()

    # ---- grammar ----
    def top(self) -> tuple[Typed, bool]:
        node, plain = self.expression()
        token = self.peek()
        if token.kind != "EOF":
            raise self.source.error(f"Unexpected '{token.value}' after the expression", token.start)
        return node, plain

    def expression(self) -> tuple[Typed, bool]:
        """Returns the node and whether it is a plain attribute reference."""
        self.expect("$", "'${'")
        self.expect("{", "'{' after '$'")
        multi, subject, plain = self.subject()
        if multi is not None:
            node = self.multi_chain(*multi)
            self.expect("}", "'}' to close the expression")
            return node, False
        assert subject is not None
        while self.peek().kind == ":":
            plain = False
            colon = self.take()
            subject = self.call(subject, colon)
        self.expect("}", "':' and a function, or '}' to close the expression")
        return subject, plain

    def subject(self) -> tuple[tuple[Token, list[Typed]] | None, Typed | None, bool]:
        token = self.peek()
        if token.kind == "$":
            nested, _ = self.expression()
            self.collector.attribute(None)
            return None, dynamic_attribute(coerce.to_string(nested)), True
        if token.kind == "STRING":
            self.take()
            name = self.string_node(token)
            if name.is_const:
                self.collector.attribute(name.const)
                return None, attribute(name.const), True
            self.collector.attribute(None)
            return None, dynamic_attribute(name), True
        if token.kind == "PARAM":
            self.take()
            return None, parameter_node(token.value, self.source.at(token.start), self.collector), False
        if token.kind == "NAME" and self.peek(1).kind == "(":
            self.take()
            self.take()
            args = self.arguments()
            if token.value in MULTI_FUNCTIONS:
                return (token, args), None, False
            spec = SUBJECTLESS.get(token.value)
            if spec is None:
                reason = (f"Function '{token.value}' needs a subject, as in ${{attr:{token.value}(...)}}"
                          if token.value in FUNCTIONS else f"Unknown function '{token.value}'")
                raise self.source.error(reason, token.start)
            return None, self.apply(spec, None, args, token), False
        if token.kind == "NAME":
            self.take()
            self.collector.attribute(token.value)
            return None, attribute(token.value), True
        found = "end of expression" if token.kind == "EOF" else f"'{token.value}'"
        raise self.source.error(f"Expected an attribute name or a function but found {found}", token.start)

    def call(self, subject: Typed, colon: Token) -> Typed:
        name = self.expect("NAME", "a function name after ':'")
        spec = FUNCTIONS.get(name.value)
        if spec is None:
            reason = (f"Function '{name.value}' does not take a subject" if name.value in SUBJECTLESS
                      or name.value in MULTI_FUNCTIONS else f"Unknown function '{name.value}'")
            raise self.source.error(reason, colon.start)
        self.expect("(", f"'(' after '{name.value}'")
        args = self.arguments()
        if spec.reducing and self.peek().kind != "}":
            raise self.source.error(
                f"'{name.value}' reduces values and must be the last function of the expression",
                self.peek().start)
        return self.apply(spec, subject, args, name)

    def apply(self, spec: Spec, subject: Typed | None, args: list[Typed], name: Token) -> Typed:
        count = len(args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            raise self.source.error(f"Function '{spec.name}' takes {_arity(spec)} but {count} "
                                    f"{'was' if count == 1 else 'were'} given", name.start)
        site = Site(spec.name, self.source, name.start)
        try:
            node = spec.build(subject, args, site)
        except coerce.CoercionError as exc:
            raise site.error(f"{spec.name}(): {exc}") from exc
        except (ValueError, re.error) as exc:
            if isinstance(exc, ExpressionError):
                raise
            raise site.error(f"{spec.name}(): {exc}") from exc
        if node.notes.get("dynamic_attributes"):
            self.collector.attribute(None)
        if node.notes.get("needs_env"):
            self.collector.needs_env = True
        node.reducing = spec.reducing
        return node

    def arguments(self) -> list[Typed]:
        args: list[Typed] = []
        if self.peek().kind == ")":
            self.take()
            return args
        while True:
            args.append(self.argument())
            token = self.take()
            if token.kind == ")":
                return args
            if token.kind != ",":
                found = "end of expression" if token.kind == "EOF" else f"'{token.value}'"
                raise self.source.error(f"Expected ',' or ')' but found {found}", token.start)

    def argument(self) -> Typed:
        token = self.peek()
        if token.kind == "$":
            return self.expression()[0]
        self.take()
        if token.kind == "WHOLE":
            value = int(token.value)
            if not LONG_MIN <= value <= LONG_MAX:
                raise self.source.error(f"Number {token.value} does not fit in a Java long", token.start)
            return constant(value, Kind.WHOLE)
        if token.kind == "DECIMAL":
            return constant(float(token.value), Kind.DECIMAL)
        if token.kind == "STRING":
            return self.string_node(token)
        if token.kind == "PARAM":
            return parameter_node(token.value, self.source.at(token.start), self.collector)
        if token.kind == "NAME" and token.value in ("true", "false"):
            return constant(token.value == "true", Kind.BOOLEAN)
        found = "end of expression" if token.kind == "EOF" else f"'{token.value}'"
        hint = " (nested functions need ${...})" if token.kind == "NAME" else ""
        raise self.source.error(f"Expected an argument but found {found}{hint}", token.start)

    def string_node(self, token: Token) -> Typed:
        """A string literal; ``${...}`` inside it is evaluated, as NiFi does."""
        if "${" not in token.value:
            return constant(token.value, Kind.STRING)
        assert token.positions is not None
        positions = tuple(self.source.at(i) for i in token.positions)
        inner = Source(self.source.text, token.value, positions)
        return compile_template(inner, self.collector, top_level=False)

    def multi_chain(self, function: Token, args: list[Typed]) -> Typed:
        """``${anyAttribute(...):f():g()}``: the chain runs once per value, then reduces."""
        self.collector.needs_env = True
        current = Typed(lambda a, e: e.current, Kind.STRING)
        chain = current
        while self.peek().kind == ":":
            colon = self.take()
            chain = self.call(chain, colon)
        return build_multi(function.value, args, chain, Site(function.value, self.source, function.start),
                           self.collector)


def _arity(spec: Spec) -> str:
    if spec.max_args is None:
        return f"at least {spec.min_args} argument{'s' if spec.min_args != 1 else ''}"
    if spec.min_args == spec.max_args:
        return f"{spec.min_args} argument{'s' if spec.min_args != 1 else ''}"
    return f"{spec.min_args} to {spec.max_args} arguments"


def attribute(name: str) -> Typed:
    def get(a: Mapping[str, str], e: Env) -> str | None:
        return a.get(name)

    return Typed(get, Kind.STRING)


def dynamic_attribute(name: Typed) -> Typed:
    name_fn: Callable[[Mapping[str, str], Env], Any] = name.fn

    def get(a: Mapping[str, str], e: Env) -> str | None:
        key = name_fn(a, e)
        return None if key is None else a.get(key)

    return Typed(get, Kind.STRING)
