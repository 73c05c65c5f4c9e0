"""SplitJson: one FlowFile per element of the JSON array a JsonPath selects."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from nifi_like.api import (
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
)
from nifi_like.expression import jsonpath
from processors.transform._json import (
    MAX_STRING_LENGTH,
    NULL_REPRESENTATION,
    NULL_VALUE_DEFAULT_REPRESENTATION,
    InvalidJson,
    path_problem,
    read_document,
    result_text,
)

FRAGMENT_ID = "fragment.identifier"
FRAGMENT_INDEX = "fragment.index"
FRAGMENT_COUNT = "fragment.count"
SEGMENT_ORIGINAL_FILENAME = "segment.original.filename"


class SplitJson(Processor):
    """Splits a JSON File into multiple, separate FlowFiles for an array element specified by a JsonPath
    expression. Each generated FlowFile is comprised of an element of the specified array and transferred
    to relationship 'split', with the original file transferred to the 'original' relationship. If the
    specified JsonPath is not found or does not evaluate to an array element, the original file is routed
    to 'failure' and no files are generated. Elements that are objects or arrays are written as JSON;
    scalars as their text (strings without quotes), null per Null Value Representation. fragment.index
    starts at 0, as in NiFi's SplitJson."""

    tags = ("json", "split", "jsonpath")
    nifi_type = "org.apache.nifi.processors.standard.SplitJson"
    input_requirement = InputRequirement.INPUT_REQUIRED
    writes_attributes: ClassVar[Mapping[str, str]] = {
        FRAGMENT_ID: "All split FlowFiles produced from the same parent FlowFile will have the same randomly "
                     "generated UUID added for this attribute",
        FRAGMENT_INDEX: "A one-up number that indicates the ordering of the split FlowFiles that were created from a "
                        "single parent FlowFile",
        FRAGMENT_COUNT: "The number of split FlowFiles generated from the parent FlowFile",
        SEGMENT_ORIGINAL_FILENAME: "The filename of the parent FlowFile",
    }

    ARRAY_JSON_PATH_EXPRESSION = PropertyDescriptor(
        "JsonPath Expression",
        description="A JsonPath expression that indicates the array element to split into JSON/scalar fragments.",
        required=True, validator=path_problem)
    NULL_VALUE_DEFAULT_REPRESENTATION = NULL_VALUE_DEFAULT_REPRESENTATION
    MAX_STRING_LENGTH = MAX_STRING_LENGTH

    ORIGINAL = Relationship("original", "The original FlowFile that was split into segments. If the FlowFile fails "
                                        "processing, nothing will be sent to this relationship")
    SPLIT = Relationship("split", "All segments of the original FlowFile will be routed to this relationship")
    FAILURE = Relationship("failure", "If a FlowFile fails processing for any reason (for example, the FlowFile is "
                                      "not valid JSON or the specified path does not exist), it will be routed to "
                                      "this relationship")

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        original = session.get()
        if original is None:
            return
        text = context.get_property(self.ARRAY_JSON_PATH_EXPRESSION).value or ""
        path = jsonpath.compile_path(text)
        null_value = NULL_REPRESENTATION[context.get_property(self.NULL_VALUE_DEFAULT_REPRESENTATION).value or ""]
        try:
            document = read_document(session, original, context.get_property(self.MAX_STRING_LENGTH).as_data_size()
                                     or 0)
        except InvalidJson as exc:
            context.logger.error(f"{original} did not have valid JSON content: {exc}")
            session.transfer(original, self.FAILURE)
            return
        try:
            result: Any = jsonpath.read(path, document)
        except jsonpath.PathNotFound:
            context.logger.warn(f"JsonPath {text} could not be found for {original}")
            session.transfer(original, self.FAILURE)
            return
        if not isinstance(result, list):
            context.logger.error(f"The evaluated value {result_text(result, null_value)} of {text} was not a JSON "
                                 "Array compatible type and cannot be split.")
            session.transfer(original, self.FAILURE)
            return
        fragment_id = str(uuid.uuid4())
        common = {FRAGMENT_ID: fragment_id, FRAGMENT_COUNT: str(len(result))}
        for index, element in enumerate(result):
            split = session.create(original)
            split = session.write(split, result_text(element, null_value).encode("utf-8"))
            split = session.put_all_attributes(split, {
                **common, FRAGMENT_INDEX: str(index),
                SEGMENT_ORIGINAL_FILENAME: split.attributes.get("filename", "")})
            session.transfer(split, self.SPLIT)
        session.transfer(session.put_all_attributes(original, common), self.ORIGINAL)
