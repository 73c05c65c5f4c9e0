"""Regressions found by `make fuzz` (FUZZ_SECONDS=300), each kept as the input that failed.

- REST (schemathesis): GET /provenance-events/%C2%B3/content/output answered 500: '³'.isdigit() is
  True but int('³') raises, so the event id check let it through.
- The same look-alike digit in a regex replacement ('$³') came out of replaceAll as Python's
  "invalid literal for int()" instead of Java's "Illegal group reference".
"""

from __future__ import annotations

import pytest

from nifi_like.expression import ExpressionError, compile
from tests.integration.web.conftest import Api

LOOK_ALIKE_DIGITS = ["³", "٣", "²¹", "1³", "Ⅻ"]


@pytest.mark.parametrize("raw", LOOK_ALIKE_DIGITS)
async def test_provenance_event_ids_of_unicode_digits_are_a_400(api: Api, raw: str) -> None:
    for suffix in ("", "/content/input", "/content/output"):
        reply = await api.get(f"/provenance-events/{raw}{suffix}")
        assert reply.status == 400, f"/provenance-events/{raw}{suffix}: {reply.status} {reply.text}"
        assert "is not a provenance event id" in reply.text


@pytest.mark.parametrize("replacement", ["$³", "$1³", "$٣"])
def test_a_unicode_digit_in_a_replacement_is_an_illegal_group_reference(replacement: str) -> None:
    expression = compile("${filename:replaceAll('(a)', '" + replacement + "')}")
    if replacement == "$1³":  # Java reads "$1" and keeps '³' as text
        assert expression.evaluate({"filename": "abc"}) == "a³bc"
        return
    with pytest.raises(ExpressionError, match="Illegal group reference"):
        expression.evaluate({"filename": "abc"})


# The same pattern (str.isdigit() before int()) in processors, found by reading after the REST finding.
@pytest.mark.parametrize("raw", LOOK_ALIKE_DIGITS)
def test_processors_treat_unicode_digits_as_text_not_numbers(raw: str) -> None:
    from nifi_like.testing import TestRunner
    from processors.routing.distribute_load import DistributeLoad
    from processors.transform.replace_text import ReplaceText

    assert DistributeLoad.dynamic_property_descriptor(raw) is None
    assert DistributeLoad._count({"Number of Relationships": raw}) == 1
    runner = TestRunner(ReplaceText, properties={"Regular Expression": "(a)", "Replacement Value": "$" + raw,
                                                 "Evaluation Mode": "Entire text"})
    runner.enqueue(b"abc")
    runner.run()
    runner.assert_all_transferred("success", count=1)
    expected = ("a" + raw[1:] if "0" <= raw[0] <= "9" else "$" + raw) + "bc"  # only ASCII digits name a group
    assert runner.get_flowfiles_for_relationship("success")[0].content == expected.encode()
