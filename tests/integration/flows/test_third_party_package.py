"""A third-party package (tests/example_package) registers ShoutText through the entry-point group
``nifi_like.processors``; once pip-installed, the engine runs it in a flow by its type name alone."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "example_package"
DISTRIBUTION = "nifi-like-example-processors"
ROOT = Path(__file__).resolve().parents[3]

# Run in a fresh interpreter, as a user's engine would start after installing the package: an
# editable install only becomes importable in processes started after it.
SCRIPT = textwrap.dedent("""
    import asyncio, json, os, sys, time
    from nifi_like.config import load_settings
    from nifi_like.engine.controller import FlowController
    from nifi_like.engine.registry import ProcessorRegistry
    from nifi_like.testing import TestRunner
    from tests.support.flows import connection, flow, processor

    work = sys.argv[1]
    registry = ProcessorRegistry()
    shout = registry.resolve("ShoutText")
    assert shout is not None, "ShoutText was not registered through its entry point"

    async def main():
        controller = FlowController(load_settings(None, data_dir=os.path.join(work, "data"), durability="nosync",
                                                  file_roots=[work]), registry=registry)
        generate = processor("Generate", "GenerateFlowFile", {"Custom Text": "hello third party", "Batch Size": "1"},
                             period="1 hour")
        shouter = processor("Shout", "ShoutText", {"Suffix": "!!"}, auto_terminate=("failure",))
        put = processor("Store", "PutFile", {"Directory": os.path.join(work, "out")},
                        auto_terminate=("success", "failure"))
        await controller.load(flow([generate, shouter, put],
                                   [connection(generate, shouter, ["success"]), connection(shouter, put, ["success"])]))
        deadline = time.monotonic() + 20
        out = os.path.join(work, "out")
        while time.monotonic() < deadline and not (os.path.isdir(out) and os.listdir(out)):
            await asyncio.sleep(0.05)
        await controller.shutdown()
        return [open(os.path.join(out, name), encoding="utf-8").read() for name in os.listdir(out)]

    written = asyncio.run(main())
    with TestRunner(shout) as runner:
        runner.enqueue(b"\\xff\\xfe not utf-8")
        runner.run()
        [failed] = runner.get_flowfiles_for_relationship("failure")
    print(json.dumps({"written": written, "failure_reason": failed.get_attribute("shout.error"),
                      "type": shout.type_name()}))
""")


def install_example_package() -> None:
    """pip-install the example package into this environment, once (later calls find it installed)."""
    try:
        importlib.metadata.distribution(DISTRIBUTION)
        return
    except importlib.metadata.PackageNotFoundError:
        pass
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "-e", str(PACKAGE)],
                   check=True, timeout=300, capture_output=True)


def test_an_installed_package_s_processor_runs_in_a_flow_by_its_type_name(tmp_path: Path) -> None:
    install_example_package()
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["written"] == ["HELLO THIRD PARTY!!"]
    assert report["type"] == "nifi_like_example.shout.ShoutText"
    assert report["failure_reason"].startswith("not UTF-8 text")
