"""The one exception type of the Expression Language, with a caret under the error."""

from __future__ import annotations


def _caret_lines(text: str, position: int) -> str:
    """The line of ``text`` holding ``position`` and a caret line pointing at it."""
    position = max(0, min(position, len(text)))
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    if line_end < 0:
        line_end = len(text)
    line = text[line_start:line_end]
    pad = "".join("\t" if ch == "\t" else " " for ch in line[: position - line_start])
    return f"{line}\n{pad}^"


class ExpressionError(ValueError):
    """An invalid expression, or an expression that failed while being evaluated.

    ``position`` is the 0-based index into ``text`` where the problem is; the message
    ends with the offending line of ``text`` and a caret under that position.
    """

    def __init__(self, reason: str, text: str = "", position: int = 0) -> None:
        self.reason = reason
        self.text = text
        self.position = position
        if text:
            message = f"{reason} at position {position}:\n{_caret_lines(text, position)}"
        else:
            message = reason
        super().__init__(message)


class EvaluationFailure(Exception):
    """Raised inside closures; the compiled expression adds the text and position."""

    def __init__(self, reason: str, position: int = -1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position
