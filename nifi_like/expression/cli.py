"""``el 'EXPR' -a key=value [-p name=value] [-s key=value]``: evaluate an expression from a shell."""

from __future__ import annotations

import argparse
import sys

from . import ExpressionError, evaluate


def _pairs(values: list[str], what: str, parser: argparse.ArgumentParser) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"{what} '{item}' must look like name=value")
        result[key] = value
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="el", description="Evaluate a NiFi Expression Language text.")
    parser.add_argument("expression", help="text with ${...} expressions and #{...} parameter references")
    parser.add_argument("-a", "--attribute", action="append", default=[], metavar="KEY=VALUE",
                        help="a FlowFile attribute (repeatable)")
    parser.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter for #{name} references (repeatable)")
    parser.add_argument("-s", "--state", action="append", default=[], metavar="KEY=VALUE",
                        help="a state value for getStateValue() (repeatable)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Print the evaluated text (exit 0), or the error with its caret line (exit 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    attributes = _pairs(args.attribute, "Attribute", parser)
    parameters = _pairs(args.parameter, "Parameter", parser)
    state = _pairs(args.state, "State value", parser)
    try:
        result = evaluate(args.expression, attributes, parameters=parameters or None, state=state or None)
    except ExpressionError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
