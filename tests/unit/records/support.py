"""Runners for record processor tests: the processor plus enabled reader and writer services."""

from __future__ import annotations

from collections.abc import Mapping

from nifi_like.api import Processor
from nifi_like.testing import TestRunner
from processors.services.csv_reader import CSVReader
from processors.services.csv_record_set_writer import CSVRecordSetWriter
from processors.services.json_record_set_writer import JsonRecordSetWriter
from processors.services.json_tree_reader import JsonTreeReader

SERVICES = {"csv-reader": CSVReader, "json-reader": JsonTreeReader, "csv-writer": CSVRecordSetWriter,
            "json-writer": JsonRecordSetWriter}


def record_runner(processor: type[Processor], reader: str, writer: str,
                  properties: Mapping[str, str] | None = None, *,
                  reader_properties: Mapping[str, str] | None = None,
                  writer_properties: Mapping[str, str] | None = None) -> TestRunner:
    """A runner of ``processor`` whose 'Record Reader' and 'Record Writer' name enabled services
    ('csv-reader', 'json-reader', 'csv-writer' or 'json-writer')."""
    runner = TestRunner(processor, {"Record Reader": reader, "Record Writer": writer, **(properties or {})})
    runner.add_controller_service(reader, SERVICES[reader], reader_properties)
    runner.add_controller_service(writer, SERVICES[writer], writer_properties)
    runner.enable_controller_service(reader)
    runner.enable_controller_service(writer)
    return runner
