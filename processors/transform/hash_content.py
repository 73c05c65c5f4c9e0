"""HashContent: hash the content into a named attribute (NiFi 1.x; CryptographicHashContent succeeds it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)
from processors.transform._hashing import ALGORITHMS, hex_digest

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100


class HashContent(Processor):
    """Calculates a hash value for the Content of a FlowFile and puts that hash value on the FlowFile as an
    attribute whose name is determined by the <Hash Attribute Name> property (lowercase hex). The content
    is read as a stream. Kept for flows written for NiFi 1.x; new flows should use
    CryptographicHashContent."""

    tags = ("hash", "content", "MD5", "SHA-1", "SHA-256")
    nifi_type = "org.apache.nifi.processors.standard.HashContent"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "<Hash Attribute Name>": "This Processor adds an attribute whose value is the result of Hashing the existing "
                                 "FlowFile content. The name of this attribute is specified by the <Hash Attribute "
                                 "Name> property",
    }

    ATTRIBUTE_NAME = PropertyDescriptor(
        "Hash Attribute Name",
        description="The name of the FlowFile Attribute into which the Hash Value should be written. If the value "
                    "already exists, it will be overwritten",
        required=True, default="hash.value", validator=validators.NON_EMPTY)
    HASH_ALGORITHM = PropertyDescriptor(
        "Hash Algorithm", description="Determines what hashing algorithm should be used to perform the hashing function",
        required=True, default="MD5", allowable_values=tuple(ALGORITHMS))

    SUCCESS = Relationship("success", "FlowFiles that are process successfully will be sent to this relationship")
    FAILURE = Relationship("failure", "Any FlowFile that cannot be processed successfully will be sent to this "
                                      "relationship without any attribute being added")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        algorithm = context.get_property(self.HASH_ALGORITHM).value or "MD5"
        attribute = context.get_property(self.ATTRIBUTE_NAME).value or "hash.value"
        for flowfile in flowfiles:
            try:
                with session.read(flowfile) as stream:
                    value = hex_digest(algorithm, stream)
            except OSError as exc:
                context.logger.error(f"Failed to process {flowfile} due to {exc}; routing to failure")
                session.transfer(flowfile, self.FAILURE)
                continue
            session.transfer(session.put_attribute(flowfile, attribute, value), self.SUCCESS)
