"""EvaluateJsonPath: JsonPath expressions (dynamic properties) evaluated on JSON content, into
attributes or into the content."""

from __future__ import annotations

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
    is_scalar,
    path_problem,
    read_document,
    result_text,
)

#: FlowFiles taken per trigger: one session for many FlowFiles costs far less than one each.
BATCH = 100

DESTINATION_ATTRIBUTE = "flowfile-attribute"
DESTINATION_CONTENT = "flowfile-content"
RETURN_TYPE_AUTO, RETURN_TYPE_JSON, RETURN_TYPE_SCALAR = "auto-detect", "json", "scalar"
PATH_NOT_FOUND_IGNORE, PATH_NOT_FOUND_WARN, PATH_NOT_FOUND_SKIP = "ignore", "warn", "skip"


class EvaluateJsonPath(Processor):
    """Evaluates one or more JsonPath expressions against the content of a FlowFile. The results of those
    expressions are assigned to FlowFile Attributes or are written to the content of the FlowFile itself,
    depending on configuration of the Processor. JsonPaths are entered by adding user-defined properties;
    the name of the property maps to the Attribute Name into which the result will be placed (if the
    Destination is flowfile-attribute; otherwise, the property name is ignored). A Return Type of
    'auto-detect' uses 'scalar' for flowfile-attribute and 'json' for flowfile-content. If the JsonPath
    evaluates to a JSON array or JSON object and the Return Type is 'scalar' the FlowFile is routed to
    failure unmodified. If Destination is 'flowfile-content' and the JsonPath does not evaluate to a
    defined path, the FlowFile is routed to 'unmatched' without having its contents modified. If
    Destination is 'flowfile-attribute' and the expression matches nothing, attributes are created with
    empty strings unless Path Not Found Behavior is 'skip', and the FlowFile is routed to 'matched'.
    Content that is not JSON goes to 'failure'."""

    tags = ("JSON", "evaluate", "JsonPath")
    nifi_type = "org.apache.nifi.processors.standard.EvaluateJsonPath"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "<property name>": "The result of the property's JsonPath, when Destination is flowfile-attribute",
    }

    DESTINATION = PropertyDescriptor(
        "Destination",
        description="Indicates whether the results of the JsonPath evaluation are written to the FlowFile content or "
                    "a FlowFile attribute; if using attribute, must specify the Attribute Name property. If set to "
                    "flowfile-content, only one JsonPath may be specified, and the property name is ignored.",
        required=True, default=DESTINATION_CONTENT, allowable_values=(DESTINATION_CONTENT, DESTINATION_ATTRIBUTE))
    RETURN_TYPE = PropertyDescriptor(
        "Return Type",
        description="Indicates the desired return type of the JSON Path expressions.  Selecting 'auto-detect' will "
                    "set the return type to 'json' for a Destination of 'flowfile-content', and 'scalar' for a "
                    "Destination of 'flowfile-attribute'.",
        required=True, default=RETURN_TYPE_AUTO,
        allowable_values=(RETURN_TYPE_AUTO, RETURN_TYPE_JSON, RETURN_TYPE_SCALAR))
    PATH_NOT_FOUND = PropertyDescriptor(
        "Path Not Found Behavior",
        description="Indicates how to handle missing JSON path expressions when destination is set to "
                    "'flowfile-attribute'. Selecting 'warn' will generate a warning when a JSON path expression is "
                    "not found. Selecting 'skip' will omit attributes for any unmatched JSON path expressions.",
        required=True, default=PATH_NOT_FOUND_IGNORE,
        allowable_values=(PATH_NOT_FOUND_WARN, PATH_NOT_FOUND_IGNORE, PATH_NOT_FOUND_SKIP))
    NULL_VALUE_DEFAULT_REPRESENTATION = NULL_VALUE_DEFAULT_REPRESENTATION
    MAX_STRING_LENGTH = MAX_STRING_LENGTH

    MATCHED = Relationship("matched", "FlowFiles are routed to this relationship when the JsonPath is successfully "
                                      "evaluated and the FlowFile is modified as a result")
    UNMATCHED = Relationship("unmatched", "FlowFiles are routed to this relationship when the JsonPath does not match "
                                          "the content of the FlowFile and the Destination is set to "
                                          "flowfile-content")
    FAILURE = Relationship("failure", "FlowFiles are routed to this relationship when the JsonPath cannot be "
                                      "evaluated against the content of the FlowFile; for instance, if the FlowFile "
                                      "is not valid JSON")

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor:
        return PropertyDescriptor(name, description="A JsonPath expression", dynamic=True, validator=path_problem)

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        declared = {descriptor.name for descriptor in self.property_descriptors()}
        destination = properties.get(self.DESTINATION.name) or self.DESTINATION.default
        paths = [name for name, value in properties.items() if name not in declared and value is not None]
        if destination == DESTINATION_CONTENT and len(paths) != 1:
            return [f"JsonPaths: exactly one JsonPath must be set if using destination of {DESTINATION_CONTENT} "
                    f"({len(paths)} are set)"]
        return []

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        flowfiles = session.get_batch(BATCH)
        if not flowfiles:
            return
        to_attributes = context.get_property(self.DESTINATION).value == DESTINATION_ATTRIBUTE
        return_type = context.get_property(self.RETURN_TYPE).value
        if return_type == RETURN_TYPE_AUTO:
            return_type = RETURN_TYPE_SCALAR if to_attributes else RETURN_TYPE_JSON
        not_found = context.get_property(self.PATH_NOT_FOUND).value
        null_value = NULL_REPRESENTATION[context.get_property(self.NULL_VALUE_DEFAULT_REPRESENTATION).value or ""]
        max_length = context.get_property(self.MAX_STRING_LENGTH).as_data_size() or 0
        paths = [(name, jsonpath.compile_path(text)) for name, text in context.dynamic_properties.items()]
        for flowfile in flowfiles:
            try:
                document = read_document(session, flowfile, max_length)
            except InvalidJson as exc:
                context.logger.error(f"{flowfile} did not have valid JSON content: {exc}")
                session.transfer(flowfile, self.FAILURE)
                continue
            results: dict[str, str] = {}
            relationship = self.MATCHED
            for name, path in paths:
                try:
                    value: Any = jsonpath.read(path, document)
                except jsonpath.PathNotFound:
                    if not_found == PATH_NOT_FOUND_WARN:
                        context.logger.warn(f"{flowfile} could not find path {context.dynamic_properties[name]} "
                                            f"for attribute key {name}.")
                    if not to_attributes:
                        relationship = self.UNMATCHED
                        break
                    if not_found != PATH_NOT_FOUND_SKIP:
                        results[name] = ""
                    continue
                if return_type == RETURN_TYPE_SCALAR and not is_scalar(value):
                    context.logger.error(f"Unable to return a scalar value for the expression "
                                         f"{context.dynamic_properties[name]} for {flowfile}. Evaluated value was "
                                         f"{result_text(value, null_value)}. Transferring to failure.")
                    relationship = self.FAILURE
                    break
                text = result_text(value, null_value)
                if to_attributes:
                    results[name] = text
                else:
                    flowfile = session.write(flowfile, text.encode("utf-8"))
            if relationship is self.MATCHED and results:
                flowfile = session.put_all_attributes(flowfile, results)
            session.transfer(flowfile, relationship)
