import types

import msgpack
import pytest

from nifi_like.api.flowfile import FlowFile
from nifi_like.repository.encoding import encoder


class Tag(str):
    pass


def test_records_and_events_are_the_bytes_msgpack_writes() -> None:
    encode = encoder()
    ff = FlowFile({"uuid": "6f1d3b8e-8d0c-4a53-9c1c-8b5b0b0f5e11", "filename": "ü.txt", "path": "./"}, 1 << 40,
                  (0, b"\x00\x01inline-key"), 1732384811123, 1732384811000, 0)
    event = ("ATTRIBUTES_MODIFIED", 1732384811123, 3, 1732384811000, "id", "UpdateAttribute", ff.id, (), ("c",),
             {"a": "1"}, dict(ff.attributes), None, (1, 7, 0, 1024), 1024, None, "why", None, "group", None, 0)
    for value in (ff.pack(), [event, event], -1, 2 ** 64 - 1, True, b""):
        assert encode(value) == msgpack.packb(value)
        assert msgpack.unpackb(encode(value)) == msgpack.unpackb(msgpack.packb(value))


def test_str_subclasses_and_other_mappings_are_stored_as_plain_values() -> None:
    encode = encoder()
    value = [Tag("x"), {"k": Tag("v")}, types.MappingProxyType({"a": "1"})]
    assert msgpack.unpackb(encode(value)) == ["x", {"k": "v"}, {"a": "1"}]


def test_a_value_that_cannot_be_stored_names_its_type() -> None:
    with pytest.raises(TypeError, match="a value of type object cannot be stored"):
        encoder()([object()])
