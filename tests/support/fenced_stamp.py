"""A primary-only test processor that leaves evidence: each trigger writes a file stamped with the
node it ran on, the fencing token it held and the time, into <Directory>/<node id>/.

The node id comes from NIFI_LIKE_TEST_NODE (set by the cluster tests for each node process).
With 'Fenced' true it writes only while ``context.fencing_token()`` is valid, the check a
primary-only processor makes right before its outside effect.
"""

from __future__ import annotations

import json
import os
import time

from nifi_like.api import (
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    validators,
)


class FencedStamp(Processor):
    """Writes one stamped file per trigger (a test processor)."""

    input_requirement = InputRequirement.INPUT_FORBIDDEN
    DIRECTORY = PropertyDescriptor("Directory", required=True, validator=validators.NON_EMPTY)
    FENCED = PropertyDescriptor("Fenced", default="true", allowable_values=("true", "false"))

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        node = os.environ.get("NIFI_LIKE_TEST_NODE", "standalone")
        token = context.fencing_token()
        if context.get_property(self.FENCED).value == "true" and token is None:
            context.yield_()
            return
        directory = os.path.join(context.get_property(self.DIRECTORY).value or "", node)
        os.makedirs(directory, exist_ok=True)
        now = time.time_ns()
        path = os.path.join(directory, f"{now}-{token}.json")
        with open(path, "w") as fh:
            json.dump({"node": node, "token": token, "time_ns": now}, fh)
