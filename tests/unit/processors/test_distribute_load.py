"""DistributeLoad: weighted round robin over numbered relationships."""

from __future__ import annotations

from nifi_like.testing import TestRunner
from processors.routing.distribute_load import DistributeLoad


def test_round_robin_over_the_numbered_relationships() -> None:
    with TestRunner(DistributeLoad, properties={"Number of Relationships": "3"}) as runner:
        for i in range(7):
            runner.enqueue(str(i))
        runner.run()
        contents = {name: [f.content for f in runner.get_flowfiles_for_relationship(name)] for name in "123"}
        assert contents == {"1": [b"0", b"3", b"6"], "2": [b"1", b"4"], "3": [b"2", b"5"]}
        for name in "123":
            for flowfile in runner.get_flowfiles_for_relationship(name):
                flowfile.assert_attribute_equals("distribute.load.relationship", name)


def test_weights_from_dynamic_properties() -> None:
    with TestRunner(DistributeLoad, properties={"Number of Relationships": "2", "1": "3"}) as runner:
        for _ in range(8):
            runner.enqueue(b"")
        runner.run()
        runner.assert_transferred("1", 6)
        runner.assert_transferred("2", 2)


def test_weights_must_name_an_existing_relationship() -> None:
    with TestRunner(DistributeLoad, properties={"Number of Relationships": "2", "3": "5"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property '3'" in error and "between 1 and the number of relationships (2)" in error
    with TestRunner(DistributeLoad, properties={"fast": "5"}) as runner:
        [error] = runner.assert_not_valid()
        assert "Property 'fast'" in error and "is not a property of DistributeLoad" in error
    with TestRunner(DistributeLoad, properties={"1": "zero"}) as runner:
        [error] = runner.assert_not_valid()
        assert "not a positive integer" in error
    with TestRunner(DistributeLoad, properties={"Distribution Strategy": "overflow"}) as runner:
        [error] = runner.assert_not_valid()
        assert "'overflow' is not one of the allowed values" in error
