"""ExecuteScript: refused unless the configuration enables script execution; scripts see NiFi's bindings;
a failing script rolls back (nothing lost), leaves a bulletin, and never takes the engine down."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from nifi_like.api.files import FileRoots
from nifi_like.config import load_settings
from nifi_like.engine.controller import ComponentStateError
from nifi_like.flow.errors import FlowError
from nifi_like.flow_testing import FlowRunner
from nifi_like.testing import TestRunner
from processors.transform.execute_script import ExecuteScript
from tests.support.flows import connection, flow, processor

UPPERCASE = textwrap.dedent("""
    import json
    for flowfile in session.get_batch(10):
        data = session.read_bytes(flowfile)
        try:
            json.loads(data)
        except ValueError as exc:
            flowfile = session.put_attribute(flowfile, "script.error", str(exc))
            session.transfer(flowfile, REL_FAILURE)
            continue
        flowfile = session.write(flowfile, data.upper())
        flowfile = session.put_attribute(flowfile, "greeting", greeting.evaluate(flowfile).value)
        log.info("uppercased " + flowfile.attributes["filename"])
        session.transfer(flowfile, REL_SUCCESS)
""")


def test_disabled_by_default_with_a_message_saying_how_to_enable_it() -> None:
    with TestRunner(ExecuteScript, {"Script Body": UPPERCASE}) as runner:
        [problem] = runner.assert_not_valid()
        assert "runs scripts or commands" in problem
        assert "allow_execute_code = true" in problem and "[security]" in problem
        with pytest.raises(AssertionError):
            runner.run()


def test_the_shipped_configuration_disables_script_execution(tmp_path: Path) -> None:
    assert load_settings().allow_execute_code is False
    conf = tmp_path / "nifi_like.toml"
    conf.write_text("[security]\nallow_execute_code = true\n")
    assert load_settings(str(conf)).allow_execute_code is True
    conf.write_text('[security]\nallow_execute_code = "yes"\n')
    with pytest.raises(ValueError, match="security.allow_execute_code"):
        load_settings(str(conf))


def test_script_sees_session_context_log_relationships_and_dynamic_properties(expression_language: None) -> None:
    with TestRunner(ExecuteScript, {"Script Body": UPPERCASE, "greeting": "hi ${filename}"},
                    allow_execute_code=True) as runner:
        runner.enqueue(b'{"a": "b"}', {"filename": "good.json"})
        runner.enqueue(b"{not json", {"filename": "bad.json"})
        runner.run()
        [good] = runner.get_flowfiles_for_relationship("success")
        good.assert_content_equals(b'{"A": "B"}')
        good.assert_attribute_equals("greeting", "hi good.json")
        [bad] = runner.get_flowfiles_for_relationship("failure")
        bad.assert_content_equals(b"{not json")
        assert "Expecting property name" in (bad.get_attribute("script.error") or "")


@pytest.mark.parametrize("failure", ["raise RuntimeError('boom')", "import sys; sys.exit(3)"])
def test_a_failing_script_rolls_back_with_a_bulletin(failure: str) -> None:
    script = "flowfile = session.get()\nflowfile = session.put_attribute(flowfile, 'touched', 'yes')\n" + failure
    with TestRunner(ExecuteScript, {"Script Body": script}, allow_execute_code=True) as runner:
        runner.enqueue(b"kept", {"filename": "a"})
        runner.run()
        runner.assert_transferred("success", 0)
        runner.assert_transferred("failure", 0)
        assert runner.queue_size == 1, "the FlowFile is back in its queue"
        assert runner.is_yielded
        [bulletin] = runner.bulletins
        assert "rolled back" in bulletin.message and "line 3 of <Script Body>" in bulletin.message


def test_bad_configurations_are_invalid() -> None:
    with TestRunner(ExecuteScript, {}, allow_execute_code=True) as runner:
        assert any("Exactly one of Script File or Script Body" in p for p in runner.assert_not_valid())
    with TestRunner(ExecuteScript, {"Script Body": "x = 1", "Script File": "/tmp/x.py"},
                    allow_execute_code=True) as runner:
        assert any("Exactly one of Script File or Script Body" in p for p in runner.assert_not_valid())
    with TestRunner(ExecuteScript, {"Script Body": "def broken(:\n"}, allow_execute_code=True) as runner:
        assert any("syntax error at line 1" in p for p in runner.assert_not_valid())
    with TestRunner(ExecuteScript, {"Script Body": "x = 1", "Script Engine": "groovy"},
                    allow_execute_code=True) as runner:
        assert any("not one of the allowed values" in p for p in runner.assert_not_valid())


def test_script_file_and_module_directory(tmp_path: Path) -> None:
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "nifi_like_script_helper.py").write_text("def shout(data):\n    return data.upper() + b'!'\n")
    script = tmp_path / "script.py"
    script.write_text("import nifi_like_script_helper\nflowfile = session.get()\n"
                      "session.transfer(session.write(flowfile, nifi_like_script_helper.shout(session.read_bytes("
                      "flowfile))), REL_SUCCESS)\n")
    with TestRunner(ExecuteScript, {"Script File": str(script), "Module Directory": str(modules)},
                    allow_execute_code=True, file_roots=FileRoots.of([str(tmp_path)])) as runner:
        runner.enqueue(b"hey")
        runner.run()
        runner.get_flowfiles_for_relationship("success")[0].assert_content_equals(b"HEY!")
    with TestRunner(ExecuteScript, {"Script File": "/etc/hostname"}, allow_execute_code=True,
                    file_roots=FileRoots.of([str(tmp_path)])) as runner:
        assert any("outside the allowed file roots" in p for p in runner.assert_not_valid())


def _script_flow(script: str) -> dict[str, object]:
    source = processor("In", "LogAttribute", auto_terminate=("success",))
    run = processor("Script", "ExecuteScript", {"Script Body": script}, penaltyDuration="100 ms")
    sink = processor("Out", "LogAttribute", auto_terminate=("success",))
    return flow([source, run, sink], [connection(source, run, ["success"]),
                                      connection(run, sink, ["success", "failure"])])


def test_the_engine_refuses_to_start_it_when_disabled() -> None:
    # refused when the flow loads, as any flow holding a processor restricted to executing code
    with pytest.raises((ComponentStateError, FlowError), match="allow_execute_code = true"):
        FlowRunner(_script_flow("pass"), inputs=["In"], outputs=["Out"])


def test_in_a_running_engine_a_broken_script_loses_nothing() -> None:
    script = ("flowfile = session.get()\nif flowfile is not None:\n"
              "    if session.read_bytes(flowfile) == b'bad':\n        raise ValueError('bad input')\n"
              "    session.transfer(flowfile, REL_SUCCESS)\n")
    with FlowRunner(_script_flow(script), inputs=["In"], outputs=["Out"],
                    settings={"allow_execute_code": True}) as runner:
        runner.enqueue("In", b"good")
        runner.enqueue("In", b"bad")
        deadline = time.monotonic() + 20  # never idle: the bad FlowFile is retried after each penalty
        while not (runner.outputs("Out") and runner.bulletins()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [ff.content for ff in runner.outputs("Out")] == [b"good"]
        assert sum(runner.queue_counts().values()) == 1, "the bad FlowFile waits in its queue, not lost"
        assert any("ValueError: bad input" in bulletin for bulletin in runner.bulletins())
