"""Shared pieces of the record readers: schema from a sample, then the records in order."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

from processors.services.record_api import RecordReader
from processors.services.record_schema import INFERENCE_SAMPLE, Record, RecordSchema


class StreamRecordReader(RecordReader):
    """Records from an iterator; the schema is given, or computed from the first records (buffered,
    at most INFERENCE_SAMPLE of them) before any record is handed out."""

    def __init__(self, records: Iterator[Record], schema: RecordSchema | None,
                 infer: Callable[[list[Record]], RecordSchema],
                 convert: Callable[[Record, RecordSchema], Record] | None = None) -> None:
        self._records = records
        self._sample: list[Record] = []
        self._convert = convert
        if schema is None:
            self._sample = list(itertools.islice(records, INFERENCE_SAMPLE))
            schema = infer(self._sample)
        self._schema = schema

    @property
    def schema(self) -> RecordSchema:
        return self._schema

    def __iter__(self) -> Iterator[Record]:
        sample, self._sample = self._sample, []
        records = itertools.chain(sample, self._records)
        if self._convert is None:
            return records
        convert, schema = self._convert, self._schema
        return (convert(record, schema) for record in records)
