"""Ports and funnels at run time: move every queued FlowFile on to all outgoing connections."""

from __future__ import annotations

from nifi_like.api.processor import InputRequirement, ProcessContext, Processor, ProcessSession
from nifi_like.api.relationship import Relationship

ANONYMOUS = Relationship("", "the unnamed relationship of ports and funnels")


class PassThrough(Processor):
    """Moves FlowFiles from its incoming connections to its outgoing ones (cloned per extra connection)."""

    input_requirement = InputRequirement.INPUT_REQUIRED

    def __init__(self, kind: str) -> None:
        self.kind = kind

    @classmethod
    def type_name(cls) -> str:
        return "nifi_like.engine.PassThrough"

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        batch = session.get_batch(1000)
        if batch:
            session.transfer(batch, ANONYMOUS)
