"""The wire format: plain values round-trip; hostile bytes give ProtocolError and nothing else."""

from __future__ import annotations

import contextlib
import io
import math
import struct
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.sandbox import Unsupported
from autograder.sandbox.protocol import (
    HEADER,
    MAGIC,
    MAX_DEPTH,
    MAX_FRAME,
    MAX_ITEMS,
    MAX_STRING_BYTES,
    MAX_VALUES,
    REPLIES,
    FrameReader,
    ProtocolError,
    decode,
    frame,
    npy_bytes,
    plain,
    _canonical_header,
    unpack,
)

pytestmark = pytest.mark.sandbox


def payload_of(value) -> bytes:
    return frame(value)[HEADER.size:]


def round_trip(value):
    reader = FrameReader()
    reader.feed(frame(value))
    return decode(reader.next_payload())


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def array_value(npy_bytes: bytes) -> bytes:
    return b"a" + struct.pack(">I", len(npy_bytes)) + npy_bytes


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4).map(tuple) | st.lists(inner, max_size=4),
                      max_leaves=12)


@given(values)
def test_plain_values_round_trip_with_their_exact_types(value):
    assert round_trip(value) == value


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf, -0.0])
def test_special_floats_round_trip(number):
    assert struct.pack(">d", round_trip(number)) == struct.pack(">d", number)


@pytest.mark.parametrize("array", [
    np.arange(12.0).reshape(3, 4),
    np.arange(12, dtype=np.int8).reshape(3, 4).T,  # Fortran order
    np.array([True, False]),
    np.zeros((0, 3), dtype=np.uint16),
    np.array(3.5),
    np.arange(6, dtype=">i4"),
])
def test_arrays_round_trip_writable_with_shape_and_dtype(array):
    back = round_trip(array)

    assert type(back) is np.ndarray and back.flags.writeable
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


@given(hnp.arrays(hnp.scalar_dtypes().filter(lambda dtype: dtype.kind in "biuf"), hnp.array_shapes(min_dims=0)),
       st.sampled_from([np.ascontiguousarray, np.asfortranarray, lambda a: a[..., ::2] if a.ndim else a]))
def test_arrays_are_sent_as_the_bytes_numpy_save_writes(array, layout):
    array = layout(array)

    assert npy_bytes(array) == npy(array)


@given(hnp.arrays(hnp.scalar_dtypes().filter(lambda dtype: dtype.kind in "biuf"), hnp.array_shapes(min_dims=0)),
       st.booleans())
def test_headers_numpy_writes_are_read_as_numpy_reads_them_without_its_parser(array, fortran):
    data = npy(np.asfortranarray(array) if fortran else array)
    prefix = data[:10 + struct.unpack("<H", data[8:10])[0]]
    stream = io.BytesIO(prefix)
    np.lib.format.read_magic(stream)

    assert _canonical_header(prefix) == np.lib.format.read_array_header_1_0(stream)


def test_unsupported_round_trips():
    assert round_trip((Unsupported("list", "[1]"), 1)) == (Unsupported("list", "[1]"), 1)


@pytest.mark.parametrize("value", [{"a": 1}, np.float64(1.0), np.array([1j]), object(), 2**3000,
                                   np.array([None], dtype=object)])
def test_values_that_may_not_cross_are_refused_by_the_encoder(value):
    with pytest.raises((TypeError, ValueError)):
        frame(value)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_decode_or_raise_protocol_error_only(data):
    with contextlib.suppress(ProtocolError):
        decode(data)


@settings(max_examples=300)
@given(values, st.data())
def test_corrupted_valid_payloads_decode_or_raise_protocol_error_only(value, data):
    payload = bytearray(payload_of(value))
    position = data.draw(st.integers(0, len(payload) - 1))
    payload[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(payload)))
    with contextlib.suppress(ProtocolError):
        decode(bytes(payload[:cut]))


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_random_bytes_after_an_npy_magic_decode_or_raise_protocol_error_only(data):
    with contextlib.suppress(ProtocolError):
        decode(array_value(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(data)) + data))


@pytest.mark.parametrize("header", [
    "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 1000000000000), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }",
    "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
    "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
    "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",  # says 16 bytes, has 8
    "{'descr': '<f8', 'fortran_order': False, 'shape': " + "(1," * 40 + ")" * 40 + ", }",
    "__import__('os').system('echo pwned')",
])
def test_lying_or_dangerous_npy_headers_are_refused_before_allocating(header):
    text = header.encode("latin1")
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    data = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + b"\x00" * 8

    with pytest.raises(ProtocolError):
        decode(array_value(data))


@pytest.mark.parametrize("payload", [
    b"t" + struct.pack(">I", 2**32 - 1),  # a tuple claiming 4 billion items
    b"s" + struct.pack(">I", 2**31),  # a string longer than the frame
    b"s\x00\x00\x00\x02\xff\xfe",  # not UTF-8
    b"t\x00\x00\x00\x01" * 100 + b"N",  # nested deeper than allowed
    b"i\xff" + b"\x01" * 10,  # an int longer than the frame
    b"NN",  # trailing bytes
    b"",
    b"u" + payload_of(1) + payload_of("x"),  # Unsupported must hold two strings
])
def test_malformed_payloads_are_protocol_errors(payload):
    with pytest.raises(ProtocolError):
        decode(payload)


def test_frame_reader_refuses_bad_magic_and_oversize_frames():
    garbage = FrameReader()
    garbage.feed(b"\x00garbage\xff")
    huge = FrameReader()
    huge.feed(HEADER.pack(MAGIC, MAX_FRAME + 1))

    with pytest.raises(ProtocolError):
        garbage.next_payload()
    with pytest.raises(ProtocolError):
        huge.next_payload()


def test_frame_reader_waits_for_a_whole_frame():
    reader = FrameReader()
    data = frame(("ready",))

    reader.feed(data[:-1])
    assert reader.next_payload() is None
    reader.feed(data[-1:])
    assert decode(reader.next_payload()) == ("ready",)


@pytest.mark.parametrize("message", [
    "ready", (), ("nonsense",), ("ready", 1), ("raised", "ValueError", "message", ("frame", 3)),
    ("returned", None), ("forbidden", b"bytes"), (1, 2), ("fatal", "memory", None),
])
def test_messages_of_the_wrong_shape_are_protocol_errors(message):
    with pytest.raises(ProtocolError):
        unpack(message, REPLIES)


class Mine:
    def __repr__(self):
        return "Mine()" * 100


def test_plain_replaces_what_may_not_cross_and_keeps_the_rest():
    array = np.ones(2)
    value = plain((array, 1, [2], np.int64(3), Mine(), True), local_module=__name__)

    assert value[0] is array and value[1:2] == (1,) and value[5] is True
    assert value[2] == [2] and type(value[2]) is list
    assert value[3] == Unsupported("numpy.int64", "np.int64(3)")
    assert value[4].type_name == "Mine" and len(value[4].preview) == 200


def nested(depth: int, leaf):
    """``leaf`` inside ``depth`` one-item tuples."""
    for _ in range(depth):
        leaf = (leaf,)
    return leaf


OVER_THE_BOUNDS = {
    "long string": "x" * (MAX_STRING_BYTES + 1),
    "long string in bytes": "é" * (MAX_STRING_BYTES // 2 + 1),
    "tuple of too many items": (0,) * (MAX_ITEMS + 1),
    "too many values in all": ((0,) * (MAX_ITEMS - 1),) * (MAX_VALUES // (MAX_ITEMS - 1) + 1),
    "nested too deep": nested(MAX_DEPTH + 1, 0),
}


@pytest.mark.parametrize("value", OVER_THE_BOUNDS.values(), ids=OVER_THE_BOUNDS.keys())
def test_values_over_the_bounds_are_refused_by_the_encoder(value):
    with pytest.raises(ValueError):
        frame(value)


def string_payload(size: int) -> bytes:
    return b"s" + struct.pack(">I", size) + b"x" * size


def tuple_payload(count: int, item: bytes = b"N") -> bytes:
    return b"t" + struct.pack(">I", count) + item * count


@pytest.mark.parametrize("payload", [
    string_payload(MAX_STRING_BYTES + 1),
    tuple_payload(MAX_ITEMS + 1),
    tuple_payload(MAX_VALUES // MAX_ITEMS + 1, tuple_payload(MAX_ITEMS - 1)),
    tuple_payload(2_000_000),  # the forged reply of issue 9: 59 s and 6 GB of the grader's before
], ids=["long string", "tuple of too many items", "too many values in all", "two million items"])
def test_values_over_the_bounds_are_protocol_errors(payload):
    with pytest.raises(ProtocolError):
        decode(payload)


@pytest.mark.parametrize("value", [
    "x" * MAX_STRING_BYTES,
    (0,) * MAX_ITEMS,
    ((0,) * (MAX_ITEMS - 1),) * ((MAX_VALUES - 1) // MAX_ITEMS),
    nested(MAX_DEPTH, 0),
], ids=["longest string", "longest tuple", "most values", "deepest"])
def test_values_at_the_bounds_cross(value):
    assert round_trip(value) == value


@pytest.mark.parametrize("value, type_name", [
    ("x" * 250_000, "str of 250000 characters"),
    ("\ud800", "str of 1 characters"),  # no UTF-8 form
    ((0,) * 2_000_000, "tuple of 2000000 items"),
])
def test_plain_makes_a_value_over_a_bound_unsupported_with_a_short_preview(value, type_name):
    shown = plain(value)

    assert shown.type_name == type_name and len(shown.preview) <= 200


def test_plain_makes_a_value_with_too_many_values_in_all_unsupported_as_a_whole():
    value = ((0,) * MAX_ITEMS,) * (MAX_VALUES // MAX_ITEMS)

    assert plain(value) == Unsupported("tuple", f"too large to return (more than {MAX_VALUES} values in one frame)")


def test_whatever_plain_returns_for_deep_nesting_can_be_framed():
    value = plain(nested(MAX_DEPTH + 5, [1]))

    assert round_trip(("returned", value, ()))[1] == value


def distinct_arrays() -> tuple:
    """As many arrays as a frame may hold, each with a header of its own."""
    arrays = [np.zeros((0, n, 7)) for n in range(MAX_VALUES - 8)]
    return tuple(tuple(arrays[k:k + MAX_ITEMS - 2]) for k in range(0, len(arrays), MAX_ITEMS - 2))


COSTLIEST_VALUES = {  # as costly to decode as the bounds allow: most bytes, most values, most headers
    "largest array": lambda: np.zeros(MAX_FRAME // 8 - 1024),
    "most strings": lambda: (("x" * MAX_STRING_BYTES,) * (MAX_ITEMS - 2),) * 4,
    "most distinct arrays": distinct_arrays,
}


@pytest.mark.parametrize("name", COSTLIEST_VALUES)
def test_the_costliest_frames_the_bounds_allow_decode_in_a_small_part_of_a_call_limit(name):
    """Decoding runs after the reply's deadline could have passed: the bounds keep it cheap
    (measured: 0.1 s at most on a 2-core machine, against a 3 s call limit)."""
    payload = payload_of(COSTLIEST_VALUES[name]())
    started = time.process_time()

    decode(payload)

    assert time.process_time() - started < 1.0
