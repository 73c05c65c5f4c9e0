"""Record services and processors on the real engine: a flow definition names the services by id and
NiFi type, the FlowController enables them, and ConvertRecord / QueryRecord use them."""

from __future__ import annotations

from typing import Any

import pytest

from nifi_like.engine.registry import ProcessorRegistry
from processors.generate.generate_flowfile import GenerateFlowFile
from processors.records.convert_record import ConvertRecord
from processors.records.query_record import QueryRecord
from processors.services.csv_reader import CSVReader
from processors.services.json_record_set_writer import JsonRecordSetWriter
from tests.conftest import eventually
from tests.support.flows import connection, flow, processor, uid


@pytest.fixture
def record_registry(registry: ProcessorRegistry) -> ProcessorRegistry:
    for cls in (GenerateFlowFile, ConvertRecord, QueryRecord):
        registry.register(cls)
    for service in (CSVReader, JsonRecordSetWriter):
        registry.register_service(service)
    return registry


def _service(type_name: str, properties: dict[str, str] | None = None) -> dict[str, Any]:
    return {"identifier": uid(), "name": type_name.rsplit(".", 1)[-1], "type": type_name,
            "properties": properties or {}, "scheduledState": "ENABLED"}


async def test_generated_csv_is_converted_and_queried_by_services_in_a_flow(record_registry: ProcessorRegistry,
                                                                            make_controller: Any) -> None:
    reader = _service("org.apache.nifi.csv.CSVReader")
    writer = _service("org.apache.nifi.json.JsonRecordSetWriter", {"Output Grouping": "output-oneline"})
    services = {"Record Reader": reader["identifier"], "Record Writer": writer["identifier"]}
    generate = processor("generate", "org.apache.nifi.processors.standard.GenerateFlowFile",
                         {"Custom Text": "id,city\n1,Oslo\n2,Rome\n3,Oslo\n"}, period="1 min")
    convert = processor("convert", "org.apache.nifi.processors.standard.ConvertRecord", services)
    query = processor("query", "org.apache.nifi.processors.standard.QueryRecord",
                      {**services, "oslo": "SELECT id FROM FLOWFILE WHERE city = 'Oslo'"},
                      auto_terminate=("original", "failure"))
    sink = processor("sink", "Pass", state="ENABLED", auto_terminate=("success",))
    converted = connection(convert, sink, ["success"])
    oslo = connection(query, sink, ["oslo"])
    document = flow([generate, convert, query, sink],
                    [connection(generate, convert, ["success"]), connection(generate, query, ["success"]),
                     converted, oslo, connection(convert, sink, ["failure"])],
                    controllerServices=[reader, writer])
    controller = make_controller()
    await controller.load(document)
    assert controller.services.nodes[reader["identifier"]].state == "ENABLED"
    await eventually(lambda: controller.connections[converted["identifier"]].count >= 1
                     and controller.connections[oslo["identifier"]].count >= 1)
    [(_, json_file)] = controller.connections[converted["identifier"]].peek(1)
    assert json_file.attributes["record.count"] == "3"
    assert json_file.attributes["mime.type"] == "application/json"
    [(_, oslo_file)] = controller.connections[oslo["identifier"]].peek(1)
    assert oslo_file.attributes["record.count"] == "2"
    assert oslo_file.attributes["QueryRecord.Route"] == "oslo"
