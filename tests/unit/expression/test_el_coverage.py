"""Every registered function is exercised by at least one expression in these tests."""

from __future__ import annotations

import re
from pathlib import Path

from nifi_like.expression import compiled  # noqa: F401  (registers every function)
from nifi_like.expression.multi import MULTI_FUNCTIONS
from nifi_like.expression.registry import FUNCTIONS, SUBJECTLESS


def test_every_function_appears_in_a_test_expression() -> None:
    here = Path(__file__).parent
    sources = "".join(path.read_text() for path in here.glob("test_*.py") if path.name != Path(__file__).name)
    # a call inside an expression, or a name fed to a parametrized "${v:" + name + "()}" template
    used = set(re.findall(r"\b([A-Za-z][A-Za-z0-9]*)\(", sources)) | set(re.findall(r'"([A-Za-z0-9]+)"', sources))
    names = set(FUNCTIONS) | set(SUBJECTLESS) | MULTI_FUNCTIONS
    assert names - used == set()
