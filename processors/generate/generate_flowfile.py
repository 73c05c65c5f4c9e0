"""GenerateFlowFile: FlowFiles of random data or custom text, for load tests and simulations."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import ClassVar

from nifi_like.api import (
    ExpressionLanguageScope,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
    validators,
)

_TEXT_CHARS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890!@#$%^&*()-_=+/?.,';:\"?<>\n\t "
# Maps every byte value onto a text character, so random bytes become random text in one pass.
_TO_TEXT = bytes(_TEXT_CHARS[i % len(_TEXT_CHARS)] for i in range(256))



class GenerateFlowFile(Processor):
    """Creates FlowFiles with random data or custom content. GenerateFlowFile is useful for load
    testing, configuration, and simulation. Dynamic properties become attributes of every FlowFile."""

    tags = ("test", "random", "generate", "load")
    nifi_type = "org.apache.nifi.processors.standard.GenerateFlowFile"
    input_requirement = InputRequirement.INPUT_FORBIDDEN
    supports_dynamic_properties = True
    default_scheduling_period = "1 min"
    writes_attributes: ClassVar[Mapping[str, str]] = {
        "mime.type": "Sets the MIME type of the output if the 'Mime Type' property is set",
    }

    FILE_SIZE = PropertyDescriptor(
        "File Size", description="The size of the file that will be used", required=True, default="0B",
        validator=validators.DATA_SIZE, expression_language=ExpressionLanguageScope.ENVIRONMENT)
    BATCH_SIZE = PropertyDescriptor(
        "Batch Size", description="The number of FlowFiles to be transferred in each invocation", required=True,
        default="1", validator=validators.POSITIVE_INTEGER)
    DATA_FORMAT = PropertyDescriptor(
        "Data Format", description="Specifies whether the data should be Text or Binary", required=True,
        default="Text", allowable_values=("Binary", "Text"))
    UNIQUE_FLOWFILES = PropertyDescriptor(
        "Unique FlowFiles",
        description="If true, each FlowFile that is generated will be unique. If false, a random value will be "
                    "generated and all FlowFiles will get the same content but this offers much higher throughput",
        required=True, default="false", allowable_values=("true", "false"))
    CUSTOM_TEXT = PropertyDescriptor(
        "Custom Text", aliases=('generate-ff-custom-text',),
        description="If Data Format is text and if Unique FlowFiles is false, then this custom text will be used as "
                    "content of the generated FlowFiles and the File Size will be ignored. Finally, if Expression "
                    "Language is used, evaluation will be performed only once per batch of generated FlowFiles",
        validator=validators.NON_EMPTY, expression_language=ExpressionLanguageScope.ENVIRONMENT)
    CHARACTER_SET = PropertyDescriptor(
        "Character Set", aliases=('character-set',),
        description="Specifies the character set to use when writing the bytes of Custom Text to a FlowFile.",
        required=True, default="UTF-8", validator=validators.CHARACTER_SET)
    MIME_TYPE = PropertyDescriptor(
        "Mime Type", aliases=('mime-type',), description='Specifies the value to set for the "mime.type" attribute.',
        validator=validators.NON_EMPTY)

    SUCCESS = Relationship("success", "All generated FlowFiles")

    def __init__(self) -> None:
        self._data: bytes | None = None

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor:
        return PropertyDescriptor(
            name, description="Specifies an attribute on generated FlowFiles defined by the Dynamic Property's key "
                              "and value. If Expression Language is used, evaluation will be performed only once "
                              "per batch of generated FlowFiles.",
            dynamic=True, expression_language=ExpressionLanguageScope.ENVIRONMENT)

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        unique = (properties.get(self.UNIQUE_FLOWFILES.name) or self.UNIQUE_FLOWFILES.default) == "true"
        text = (properties.get(self.DATA_FORMAT.name) or self.DATA_FORMAT.default) == "Text"
        if properties.get(self.CUSTOM_TEXT.name) and (unique or not text):
            return ["Custom Text: If Custom Text is set, then Data Format must be text and Unique FlowFiles "
                    "must be false."]
        return []

    def on_scheduled(self, context: ProcessContext) -> None:
        unique = context.get_property(self.UNIQUE_FLOWFILES).as_bool()
        custom = context.get_property(self.CUSTOM_TEXT).is_set
        self._data = None if unique or custom else self._generate(context)

    def _generate(self, context: ProcessContext) -> bytes:
        size = context.get_property(self.FILE_SIZE).evaluate().as_data_size() or 0
        if context.get_property(self.DATA_FORMAT).value == "Binary":
            return random.randbytes(size)
        return random.randbytes(size).translate(_TO_TEXT)

    def _shared_content(self, context: ProcessContext) -> bytes:
        custom = context.get_property(self.CUSTOM_TEXT)
        if custom.is_set:
            charset = context.get_property(self.CHARACTER_SET).value or "UTF-8"
            return (custom.evaluate().value or "").encode(charset)
        if self._data is None:
            self._data = self._generate(context)
        return self._data

    def _attributes(self, context: ProcessContext) -> dict[str, str]:
        attributes: dict[str, str] = {}
        for name in context.dynamic_properties:
            value = context.get_property(name).evaluate().value
            if value is not None:
                attributes[name] = value
        mime_type = context.get_property(self.MIME_TYPE).value
        if mime_type:
            attributes["mime.type"] = mime_type
        return attributes

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        unique = context.get_property(self.UNIQUE_FLOWFILES).as_bool()
        shared = None if unique else self._shared_content(context)
        attributes = self._attributes(context)
        created = []
        for _ in range(context.get_property(self.BATCH_SIZE).as_int() or 1):
            flowfile = session.create()
            content = self._generate(context) if shared is None else shared
            if content:
                flowfile = session.write(flowfile, content)
            if attributes:
                flowfile = session.put_all_attributes(flowfile, attributes)
            created.append(flowfile)
        session.transfer(created, self.SUCCESS)
