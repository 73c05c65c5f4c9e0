"""The public API: compile once, evaluate many times, and what a compiled expression knows."""

from __future__ import annotations

from types import MappingProxyType

import pytest

import nifi_like.expression as el
from nifi_like.expression import CompiledExpression, ExpressionError, compile, evaluate, validate
from nifi_like.expression.cli import main


def test_public_names() -> None:
    assert set(el.__all__) == {"CompiledExpression", "ExpressionError", "compile", "evaluate", "validate",
                               "substitute_parameters", "parameter_references"}


def test_parameters_are_substituted_with_nifi_escaping() -> None:
    assert el.substitute_parameters("#{a}-##{a}-###{a}", {"a": "x"}) == "x-#{a}-#x"
    assert el.parameter_references("#{a} and #{b c} ##{d}") == ["a", "b c"]
    with pytest.raises(ExpressionError, match="Parameter 'missing' is not defined"):
        el.substitute_parameters("x #{missing}", {})
    assert issubclass(ExpressionError, ValueError)


def test_compile_returns_a_reusable_expression() -> None:
    expression = compile("${filename:toUpper()}-${n:plus(1)}")
    assert isinstance(expression, CompiledExpression)
    assert expression.evaluate({"filename": "a", "n": "1"}) == "A-2"
    assert expression.evaluate({"filename": "b", "n": "41"}) == "B-42"
    assert expression.evaluate(MappingProxyType({"filename": "c"})) == "C-"


def test_literal_text() -> None:
    expression = compile("just text, $5 and a {brace}")
    assert expression.is_literal
    assert expression.evaluate({}) == "just text, $5 and a {brace}"
    assert compile("").is_literal and compile("").evaluate({}) == ""
    assert not compile("${a}").is_literal
    assert not compile("#{p}").is_literal
    assert compile("$${a}").is_literal


def test_parameter_names() -> None:
    assert compile("#{a} ${b:append(#{c})} ${#{'d e'}}").parameter_names == frozenset({"a", "c", "d e"})
    assert compile("${a}").parameter_names == frozenset()
    assert compile("##{escaped}").parameter_names == frozenset()


@pytest.mark.parametrize(("text", "names"), [
    ("${a} ${b:equals(${c})}", {"a", "b", "c"}),
    ("${'quoted name':toUpper()} ${x:append('${y}')}", {"quoted name", "x", "y"}),
    ("${anyAttribute('p', 'q'):isNull()}", {"p", "q"}),
    ("${now()}", set()),
    ("${${a}}", None),
    ("${anyMatchingAttribute('a.*'):isNull()}", None),
    ("${a:evaluateELString()}", None),
])
def test_attribute_names(text: str, names: set[str] | None) -> None:
    expected = None if names is None else frozenset(names)
    assert compile(text).attribute_names == expected


def test_parameters_in_literal_text() -> None:
    params = {"host": "example.org", "port": "8080"}
    assert evaluate("http://#{host}:#{port}/", {}, parameters=params) == "http://example.org:8080/"
    assert evaluate("##{host} ###{host} ####{host}", {}, parameters=params) == "#{host} #example.org ##{host}"
    assert evaluate("#{host} is not ${x}", {"x": "#{port}"}, parameters=params) == "example.org is not #{port}"
    assert evaluate("# {x} #x #{", {}) == "# {x} #x #{"


@pytest.mark.parametrize(("text", "expected"), [
    ("#{abc}", "xxx"), ("#{abc}/data", "xxx/data"), ("#{abc}/#{def}", "xxx/yyy"), ("#{abc", "#{abc"),
    ("#abc", "#abc"), ("##{abc}", "#{abc}"), ("###{abc}", "#xxx"), ("####{abc}", "##{abc}"),
    ("#####{abc}", "##xxx"), ("${ #{abc}:replace('xxx', 'zzz') }", "zzz"), ("##{abc/data}", "#{abc/data}"),
])
def test_user_guide_parameter_references(text: str, expected: str) -> None:
    # NiFi User Guide, "Referencing Parameters"
    assert evaluate(text, {}, parameters={"abc": "xxx", "def": "yyy"}) == expected


def test_invalid_parameter_name_is_rejected() -> None:
    with pytest.raises(ExpressionError, match="Invalid parameter name 'abc/data'") as caught:
        compile("x #{abc/data}")
    assert caught.value.position == 2


def test_parameter_values_are_not_evaluated() -> None:
    assert evaluate("#{p}", {"a": "1"}, parameters={"p": "${a}"}) == "${a}"


def test_validate() -> None:
    validate("plain")
    validate("${a:toUpper()} and #{p}")
    with pytest.raises(ExpressionError):
        validate("${a:toUpper(}")


def test_compile_is_cached_but_expressions_do_not_share_state() -> None:
    assert compile("${a}") is compile("${a}")
    expression = compile("${allMatchingAttributes('x.*'):equals('1'):not()}")
    assert expression.evaluate({"x1": "1"}) == "false"
    assert expression.evaluate({"x1": "2", "x2": "2"}) == "true"


def test_cli_prints_the_result(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["${filename:toUpper()}-#{p}-${getStateValue('s')}", "-a", "filename=a.txt", "-p", "p=v",
                 "-s", "s=st"]) == 0
    assert capsys.readouterr().out == "A.TXT-v-st\n"


def test_cli_value_may_contain_equals(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["${q}", "-a", "q=a=b"]) == 0
    assert capsys.readouterr().out == "a=b\n"


def test_cli_reports_errors_with_a_caret(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["${filename:toUpperr()}", "-a", "filename=x"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "Unknown function 'toUpperr' at position 10:\n${filename:toUpperr()}\n          ^\n"


def test_cli_rejects_malformed_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["${a}", "-a", "novalue"])
    assert caught.value.code == 2
    assert "must look like name=value" in capsys.readouterr().err


def test_evaluation_never_parses_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from nifi_like.expression import compiled, parser

    expression = compiled.compile_uncached("${a:toUpper():append(${b:substring(0, 1)})} #{p} ${a:matches('x.*')}")

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("evaluate() parsed the expression again")

    monkeypatch.setattr(parser, "tokenize", no_parsing)
    monkeypatch.setattr(parser, "compile_template", no_parsing)
    assert expression.evaluate({"a": "xy", "b": "zz"}, parameters={"p": "P"}) == "XYz P true"
    assert expression.evaluate({"a": "q"}, parameters={"p": "P"}) == "Q P false"
