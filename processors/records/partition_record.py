"""PartitionRecord: group a FlowFile's records by the values of RecordPaths, one FlowFile per group."""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Mapping
from contextlib import ExitStack
from typing import IO, Any, ClassVar

from nifi_like.api import (
    ExpressionLanguageScope,
    InputRequirement,
    ProcessContext,
    Processor,
    ProcessSession,
    PropertyDescriptor,
    Relationship,
)
from processors.records._common import (
    ERROR_MESSAGE,
    FRAGMENT_COUNT,
    FRAGMENT_ID,
    FRAGMENT_INDEX,
    MIME_TYPE,
    RECORD_COUNT,
    RECORD_ERRORS,
    RECORD_READER,
    RECORD_WRITER,
    fragment_attributes,
    route_failure,
    services,
)
from processors.records.record_path import RecordPathError, compile_path, path_problem
from processors.services.record_api import RecordSetWriter

#: A partition's records stay in memory up to this size, then spill to a temporary file.
SPOOL_BYTES = 1 << 20


class _Partition:
    def __init__(self, spool: IO[bytes], writer: RecordSetWriter, values: dict[str, str]) -> None:
        self.spool = spool
        self.writer = writer
        self.values = values


class PartitionRecord(Processor):
    """Splits, or partitions, record-oriented data based on the configured fields in the data. Each dynamic
    property names an attribute and holds a RecordPath; records whose paths give the same values go to the
    same FlowFile, which gets each value (when it is a single scalar) as the attribute of its property's
    name. Partitions are spooled to temporary files past 1 MiB, so memory does not grow with the input."""

    tags = ("record", "partition", "recordpath", "rpath", "segment", "split", "group", "bin", "organize")
    nifi_type = "org.apache.nifi.processors.standard.PartitionRecord"
    input_requirement = InputRequirement.INPUT_REQUIRED
    supports_dynamic_properties = True
    writes_attributes: ClassVar[Mapping[str, str]] = {
        RECORD_COUNT: "The number of records in an outgoing FlowFile",
        MIME_TYPE: "The MIME Type that the configured Record Writer indicates is appropriate",
        FRAGMENT_ID: "All partitioned FlowFiles produced from the same parent FlowFile will have the same randomly "
                     "generated UUID added for this attribute",
        FRAGMENT_INDEX: "A one-up number that indicates the ordering of the partitioned FlowFiles that were "
                        "created from a single parent FlowFile",
        FRAGMENT_COUNT: "The number of partitioned FlowFiles generated from the parent FlowFile",
        "<dynamic property name>": "For each dynamic property that is added, an attribute may be added to the "
                                   "FlowFile: the value the RecordPath gave, when it is a single scalar",
        ERROR_MESSAGE: "On failure, why the records could not be partitioned",
    }

    RECORD_READER = RECORD_READER
    RECORD_WRITER = RECORD_WRITER

    SUCCESS = Relationship("success", "FlowFiles that are successfully partitioned will be routed to this "
                                      "relationship")
    FAILURE = Relationship("failure", "If a FlowFile cannot be partitioned from the configured input format to "
                                      "the configured output format, the unchanged FlowFile will be routed to this "
                                      "relationship")
    ORIGINAL = Relationship("original", "Once all records in an incoming FlowFile have been partitioned, the "
                                        "original FlowFile is routed to this relationship.")

    @classmethod
    def dynamic_property_descriptor(cls, name: str) -> PropertyDescriptor | None:
        return PropertyDescriptor(name, description="A RecordPath that points to a field in the Record.",
                                  dynamic=True, validator=path_problem,
                                  expression_language=ExpressionLanguageScope.FLOWFILE_ATTRIBUTES)

    def custom_validate(self, properties: Mapping[str, str | None]) -> list[str]:
        declared = {d.name for d in self.property_descriptors()}
        if not any(name not in declared for name in properties):
            return ["at least one RecordPath must be added to this processor by adding a user-defined property"]
        return []

    def on_trigger(self, context: ProcessContext, session: ProcessSession) -> None:
        original = session.get()
        if original is None:
            return
        reader, writer = services(context)
        partitions: dict[tuple[str, ...], _Partition] = {}
        with ExitStack() as spools:
            try:
                paths = {name: compile_path(context.get_property(name).evaluate(original).value or "")
                         for name in context.dynamic_properties}
                with session.read(original) as stream:
                    records = reader.create_reader(stream, original.attributes)
                    schema = writer.get_schema(original.attributes, records.schema)
                    for record in records:
                        values = {name: path.get(record) for name, path in paths.items()}
                        key = tuple(_key(value) for value in values.values())
                        partition = partitions.get(key)
                        if partition is None:
                            spool = spools.enter_context(tempfile.SpooledTemporaryFile(SPOOL_BYTES))
                            partition = partitions[key] = _Partition(
                                spool, writer.create_writer(spool, schema, original.attributes),
                                {name: str(value) for name, value in values.items() if _is_scalar(value)})
                        partition.writer.write(record)
            except (*RECORD_ERRORS, RecordPathError) as exc:
                route_failure(context, session, original, self.FAILURE, exc, "partition")
                return
            self._emit(session, original, list(partitions.values()))
        session.transfer(original, self.ORIGINAL)

    def _emit(self, session: ProcessSession, original: Any, partitions: list[_Partition]) -> None:
        fragment_id = str(uuid.uuid4())
        for index, partition in enumerate(partitions):
            attributes = partition.writer.finish()
            partition.spool.seek(0)
            child = session.import_from(partition.spool, session.create(original))
            child = session.put_all_attributes(child, {
                **attributes, **partition.values, **fragment_attributes(fragment_id, index, len(partitions))})
            session.transfer(child, self.SUCCESS)


def _is_scalar(value: Any) -> bool:
    return value is not None and not isinstance(value, dict | list)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)

