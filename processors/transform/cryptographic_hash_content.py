"""CryptographicHashContent: hash the content into the attribute content_<algorithm>."""

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


class CryptographicHashContent(Processor):
    """Calculates a cryptographic hash value for the flowfile content using the given algorithm and writes
    it to an output attribute (content_<algorithm>, lowercase hex). The content is read as a stream.
    Please refer to https://csrc.nist.gov/Projects/Hash-Functions/NIST-Policy-on-Hash-Functions for help to
    decide which algorithm to use."""

    tags = ("content", "hash", "sha", "blake2", "md5", "cryptography")
    nifi_type = "org.apache.nifi.processors.standard.CryptographicHashContent"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "content_<algorithm>": "This processor adds an attribute whose value is the result of hashing the flowfile "
                               "content. The name of this attribute is specified by the value of the algorithm, e.g. "
                               "'content_SHA-256'.",
    }

    FAIL_WHEN_EMPTY = PropertyDescriptor(
        "fail_when_empty", display_name="Fail if the content is empty",
        description="Route to failure if the content is empty. While hashing an empty value is valid, some flows may "
                    "want to detect empty input.",
        required=True, default="false", allowable_values=("true", "false"), validator=validators.BOOLEAN)
    HASH_ALGORITHM = PropertyDescriptor(
        "hash_algorithm", display_name="Hash Algorithm",
        description="The hash algorithm to use. Note that not all of the algorithms available are recommended for use "
                    "(some are provided for legacy compatibility).",
        required=True, default="SHA-256", allowable_values=tuple(ALGORITHMS))

    SUCCESS = Relationship("success", "Used for flowfiles that have a hash value added")
    FAILURE = Relationship("failure", "Used for flowfiles that have no content if the 'fail on empty' setting is "
                                      "enabled")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        algorithm = context.get_property(self.HASH_ALGORITHM).value or "SHA-256"
        fail_when_empty = context.get_property(self.FAIL_WHEN_EMPTY).as_bool()
        for flowfile in flowfiles:
            if flowfile.size == 0 and fail_when_empty:
                context.logger.info(f"Routing {flowfile} to 'failure' because content is empty (and "
                                    "FAIL_WHEN_EMPTY is true)")
                session.transfer(flowfile, self.FAILURE)
                continue
            try:
                with session.read(flowfile) as stream:
                    value = hex_digest(algorithm, stream)
            except OSError as exc:
                context.logger.error(f"Failed to process {flowfile} due to {exc}; routing to failure")
                session.transfer(flowfile, self.FAILURE)
                continue
            session.transfer(session.put_attribute(flowfile, f"content_{algorithm}", value), self.SUCCESS)
