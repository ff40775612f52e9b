"""The wire format between the grader and the worker, and its validation.

A frame is ``MAGIC + u32 length + payload``; a payload is one tagged value. Values are
plain data only: None, bool, int, float (nan/inf too), str, tuples and lists of values
(a list crosses as a list: structured answers such as a table's rows are lists), numpy
arrays of dtype kind b/i/u/f as ``.npy`` bytes, and ``Unsupported`` descriptions. Nothing
is ever pickled. The decoder treats every byte as hostile: whatever it is fed, it returns
a value or raises ``ProtocolError`` and nothing else, and it never allocates more than the
frame it was given.

Every value that crosses is bounded, in both directions, so that what the worker sends
costs the grader little to decode, show and store: a string holds at most
``MAX_STRING_BYTES`` bytes, a tuple at most ``MAX_ITEMS`` items, a frame at most
``MAX_VALUES`` values in all (every value counts, arrays included) nested at most
``MAX_DEPTH`` deep, and at most ``MAX_FRAME`` bytes. The encoder refuses a value over a
bound (ValueError), the decoder rejects one (ProtocolError), and ``plain`` turns a
student's value over a bound into ``Unsupported`` before it is sent. With these bounds the
worst frame decodes in well under a second (tests/sandbox/test_bounds.py measures it), so
decoding needs no deadline of its own.
"""

from __future__ import annotations

import functools
import io
import re
import reprlib
import struct
from typing import Any

import numpy as np

from autograder.sandbox.replies import Unsupported

MAGIC = b"\xabS"
HEADER = struct.Struct(">2sI")
MAX_FRAME = 64 * 1024 * 1024
MAX_DEPTH = 32
MAX_STRING_BYTES = 4096  # a message, a traceback line, a name: none is longer
MAX_ITEMS = 1024  # items of one tuple
MAX_VALUES = 4096  # values of one frame, nested ones included
MAX_INT_BYTES = 255
MAX_NDIM = 32
ARRAY_KINDS = "biuf"
PREVIEW_CHARS = 200

_U32 = struct.Struct(">I")
_F64 = struct.Struct(">d")
_U16 = struct.Struct("<H")
NPY_MAGIC = b"\x93NUMPY\x01\x00"  # version 1.0, the one ``npy_bytes`` writes


class ProtocolError(Exception):
    """Bytes from the other side that are not a valid frame or message."""


# ---------------------------------------------------------------- encoding


def frame(value: Any) -> bytes:
    """One frame holding ``value``; TypeError/ValueError if it may not cross."""
    parts: list[bytes] = []
    _encode(value, 0, _Count(ValueError), parts)
    payload = b"".join(parts)
    if len(payload) > MAX_FRAME:
        raise ValueError(f"frame of {len(payload)} bytes exceeds the {MAX_FRAME}-byte cap")
    return HEADER.pack(MAGIC, len(payload)) + payload


class _Count:
    """The values of one frame, counted against ``MAX_VALUES``; ``error`` when over."""

    def __init__(self, error: type[Exception]) -> None:
        self.left = MAX_VALUES
        self.error = error

    def take(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise self.error(f"more than {MAX_VALUES} values in one frame")


def _encode(value: Any, depth: int, count: _Count, parts: list[bytes]) -> None:
    """Append the tagged bytes of ``value`` to ``parts``: a one-byte tag, then a length or
    fixed-size body. (A list, not nested generators: every call of a graded function
    encodes a request and a reply, and generators cost more than the rest.)"""
    if depth > MAX_DEPTH:
        raise ValueError(f"values nested deeper than {MAX_DEPTH} cannot be sent")
    count.take()
    kind = type(value)
    if value is None:
        parts.append(b"N")
    elif kind is bool:
        parts.append(b"T" if value else b"F")
    elif kind is int:
        size = (value.bit_length() + 8) // 8
        if size > MAX_INT_BYTES:
            raise ValueError(f"integer of {value.bit_length()} bits is too large to send")
        parts.append(b"i" + bytes((size,)) + value.to_bytes(size, "big", signed=True))
    elif kind is float:
        parts.append(b"f" + _F64.pack(value))
    elif kind is str:
        data = value.encode("utf-8")
        if len(data) > MAX_STRING_BYTES:
            raise ValueError(f"string of {len(data)} bytes exceeds the {MAX_STRING_BYTES}-byte cap")
        parts.append(b"s" + _U32.pack(len(data)) + data)
    elif kind is tuple or kind is list:
        if len(value) > MAX_ITEMS:
            raise ValueError(f"{kind.__name__} of {len(value)} items exceeds the {MAX_ITEMS}-item cap")
        parts.append((b"t" if kind is tuple else b"l") + _U32.pack(len(value)))
        for item in value:
            _encode(item, depth + 1, count, parts)
    elif kind is np.ndarray and value.dtype.kind in ARRAY_KINDS and value.dtype.fields is None:
        data = npy_bytes(value)
        parts.append(b"a" + _U32.pack(len(data)) + data)
    elif kind is Unsupported:
        parts.append(b"u")
        _encode(value.type_name, depth + 1, count, parts)
        _encode(value.preview, depth + 1, count, parts)
    else:
        raise TypeError(f"a {kind.__name__} cannot cross the sandbox boundary")


def npy_bytes(array: np.ndarray) -> bytes:
    """``array`` as ``.npy`` bytes, the same bytes ``numpy.save`` writes.

    Arrays of the same dtype and shape cross again and again, so their header is made once.
    """
    fortran = array.flags.f_contiguous and not array.flags.c_contiguous
    return _npy_prefix(array.dtype.str, array.shape, fortran) + array.tobytes("F" if fortran else "C")


@functools.lru_cache(maxsize=256)
def _npy_prefix(descr: str, shape: tuple[int, ...], fortran: bool) -> bytes:
    """The magic string and header of a version 1.0 ``.npy`` file."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": fortran, "shape": shape})
    return buffer.getvalue()


# ---------------------------------------------------------------- decoding


class FrameReader:
    """Splits a byte stream into frame payloads, rejecting bad magic and oversize frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next_payload(self) -> bytes | None:
        """The next complete payload, or None if more bytes are needed."""
        if len(self._buffer) < HEADER.size:
            return None
        magic, length = HEADER.unpack_from(self._buffer)
        if magic != MAGIC:
            raise ProtocolError(f"bad frame start {bytes(self._buffer[:8])!r}")
        if length > MAX_FRAME:
            raise ProtocolError(f"frame of {length} bytes exceeds the {MAX_FRAME}-byte cap")
        end = HEADER.size + length
        if len(self._buffer) < end:
            return None
        payload = bytes(self._buffer[HEADER.size:end])
        del self._buffer[:end]
        return payload

    @property
    def pending(self) -> int:
        """Bytes received but not yet returned as a payload."""
        return len(self._buffer)


def decode(payload: bytes) -> Any:
    """The value in one payload; raises ProtocolError (only) if it is not valid."""
    try:
        value, end = _Decoder(memoryview(payload)).value(0, 0)
    except ProtocolError:
        raise
    except Exception as exc:  # a validator gap must still not crash the grader
        raise ProtocolError(f"undecodable payload ({type(exc).__name__}: {exc})") from None
    if end != len(payload):
        raise ProtocolError(f"{len(payload) - end} trailing bytes after the value")
    return value


class _Decoder:
    """Reads tagged values from a buffer, checking every length against what is left."""

    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.count = _Count(ProtocolError)

    def take(self, at: int, size: int) -> memoryview:
        if size < 0 or at + size > len(self.data):
            raise ProtocolError(f"value at byte {at} runs past the end of the frame")
        return self.data[at:at + size]

    def length(self, at: int) -> int:
        return _U32.unpack(self.take(at, 4))[0]

    def value(self, at: int, depth: int) -> tuple[Any, int]:
        """The value that starts at byte ``at``, and the byte after it."""
        if depth > MAX_DEPTH:
            raise ProtocolError(f"values nested deeper than {MAX_DEPTH}")
        self.count.take()
        tag = bytes(self.take(at, 1))
        at += 1
        if tag in _CONSTANTS:
            return _CONSTANTS[tag], at
        if tag == b"i":
            size = self.take(at, 1)[0]
            return int.from_bytes(self.take(at + 1, size), "big", signed=True), at + 1 + size
        if tag == b"f":
            return _F64.unpack(self.take(at, 8))[0], at + 8
        if tag == b"s":
            size = self.length(at)
            if size > MAX_STRING_BYTES:
                raise ProtocolError(f"string of {size} bytes exceeds the {MAX_STRING_BYTES}-byte cap")
            return self.string(self.take(at + 4, size)), at + 4 + size
        if tag == b"t":
            return self.items(at + 4, self.length(at), depth)
        if tag == b"l":
            items, end = self.items(at + 4, self.length(at), depth)
            return list(items), end
        if tag == b"a":
            size = self.length(at)
            return read_npy(self.take(at + 4, size)), at + 4 + size
        if tag == b"u":
            (type_name, preview), end = self.items(at, 2, depth)
            if not (isinstance(type_name, str) and isinstance(preview, str)):
                raise ProtocolError("Unsupported needs two strings")
            return Unsupported(type_name, preview), end
        raise ProtocolError(f"unknown tag {tag!r} at byte {at - 1}")

    def items(self, at: int, count: int, depth: int) -> tuple[tuple, int]:
        if count > MAX_ITEMS:
            raise ProtocolError(f"tuple or list of {count} items exceeds the {MAX_ITEMS}-item cap")
        items = []
        for _ in range(count):
            item, at = self.value(at, depth + 1)
            items.append(item)
        return tuple(items), at

    @staticmethod
    def string(data: memoryview) -> str:
        try:
            return str(data, "utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"string is not UTF-8 ({exc.reason})") from None


_CONSTANTS = {b"N": None, b"T": True, b"F": False}


def read_npy(data: memoryview) -> np.ndarray:
    """A writable plain array from ``.npy`` bytes, validated before anything is allocated."""
    if len(data) < len(NPY_MAGIC) + _U16.size or bytes(data[:len(NPY_MAGIC)]) != NPY_MAGIC:
        raise ProtocolError("not a .npy array of version 1.0")
    end = len(NPY_MAGIC) + _U16.size + _U16.unpack_from(data, len(NPY_MAGIC))[0]
    shape, fortran, dtype, count = _npy_header(bytes(data[:end]))
    body = data[end:]
    if count * dtype.itemsize != len(body):
        raise ProtocolError(f"array of shape {shape} and dtype {dtype} needs "
                            f"{count * dtype.itemsize} bytes, frame has {len(body)}")
    flat = np.frombuffer(body, dtype=dtype, count=count)
    return flat.reshape(shape, order="F" if fortran else "C").copy(order="K")


@functools.lru_cache(maxsize=64)  # the same few headers arrive again and again
def _npy_header(prefix: bytes) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """Shape, Fortran order, dtype and element count of a checked ``.npy`` header."""
    header = _canonical_header(prefix)
    if header is None:
        raise ProtocolError("the .npy header is not one numpy writes for a plain array")
    shape, fortran, dtype = header
    if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ProtocolError(f"array dtype {dtype} may not cross (kinds {ARRAY_KINDS} only)")
    if len(shape) > MAX_NDIM:
        raise ProtocolError(f"bad array shape {shape!r}")
    count = 1
    for n in shape:
        count *= n
    return shape, fortran, dtype, count


_CANONICAL_HEADER = re.compile(
    rb"\{'descr': '([<>|][biuf][0-9]{1,2})', 'fortran_order': (False|True), "
    rb"'shape': \((|[0-9]{1,18},|[0-9]{1,18}(?:, [0-9]{1,18})+)\), \} *\n"
)


def _canonical_header(prefix: bytes) -> tuple[tuple[int, ...], bool, np.dtype] | None:
    """The header as numpy writes it for a plain array, or None for any other header.

    Only this form is accepted, read without numpy's header reader: that reader parses
    with ``ast.literal_eval``, which costs more than the rest of a call when every call
    has a new shape, and a frame of thousands of odd headers would cost the grader seconds.
    """
    match = _CANONICAL_HEADER.fullmatch(prefix, len(NPY_MAGIC) + _U16.size)
    if match is None:
        return None
    descr, fortran, shape = match.groups()
    try:
        dtype = np.dtype(descr.decode())
    except TypeError:  # '<f3': no such type
        return None
    return tuple(int(n) for n in shape.split(b",") if n), fortran == b"True", dtype


# ---------------------------------------------------------------- messages

STRS = "tuple of str"
VALUE = "any value"
# The student's file, as uint8, and the names of the graded functions in it; a call's
# function name, arguments and keyword arguments. Each request ends with the room for output:
# how many bytes of the student's output the grader still keeps, plus one to see it overflow
# (``OutputCapture.room``). The worker forwards at most that many while it answers and drops
# the rest; the grader still caps what it keeps, whatever the worker does.
LOAD: dict[str, tuple] = {"load": (np.ndarray, STRS, int)}
REQUESTS: dict[str, tuple] = {"call": (str, tuple, tuple, int)}
# "returned": the value, the final state of each array argument (``call_arrays`` order),
# the parameter name of each, those the value shares memory with, the other graded
# functions the call reached. "raised": class name, nearest builtin ancestor, message,
# the student's frames, the graded functions reached.
REPLIES: dict[str, tuple] = {
    "started": (),
    "ready": (),
    "import_error": (str, str, STRS),
    "returned": (VALUE, tuple, STRS, STRS, STRS),
    "raised": (str, str, str, STRS, STRS),
    "fatal": (str, str),
    "forbidden": (str,),
}


def call_arrays(args: tuple, kwargs: dict[str, Any]) -> list[np.ndarray]:
    """The ndarray arguments of a call, and those inside tuple or list arguments: the ones a
    call could change in place, in the order a "returned" reply sends their final state back.

    Both sides compute it (the worker on what it decoded, the grader on what it sent).
    """
    values = [*args, *kwargs.values()]
    values += [item for value in values if type(value) in (tuple, list) for item in value]
    return [value for value in values if type(value) is np.ndarray]


def unpack(message: Any, schema: dict[str, tuple]) -> tuple[str, tuple]:
    """``(tag, fields)`` of a decoded message, checked against ``schema``."""
    if type(message) is not tuple or not message or type(message[0]) is not str:
        raise ProtocolError(f"a message must be a tuple starting with a tag, got {_short(message)}")
    tag, fields = message[0], message[1:]
    expected = schema.get(tag)
    if expected is None or len(fields) != len(expected):
        raise ProtocolError(f"unexpected message {_short(message)}")
    for field, kind in zip(fields, expected, strict=True):
        if kind is STRS:
            ok = type(field) is tuple and all(type(item) is str for item in field)
        else:
            ok = kind is VALUE or type(field) is kind
        if not ok:
            raise ProtocolError(f"malformed {tag!r} message {_short(message)}")
    return tag, fields


# ---------------------------------------------------------------- plain values


def plain(value: Any, local_module: str = "") -> Any:
    """``value`` with everything that may not cross replaced by ``Unsupported``.

    Runs in the worker on the student's objects (so their ``repr`` runs there, under the
    grader's clock); only exact builtin types pass, never subclasses. A string, tuple or
    array over its bound becomes ``Unsupported``; so does the whole value when it holds
    more values in all than a frame may (the value sits inside a reply's tuple, which
    counts too).
    """
    count = _Count(ValueError)
    count.take()  # the reply's own tuple
    try:
        return _plain(value, local_module, 1, count)
    except ValueError as exc:
        return Unsupported(type_name(type(value), local_module), f"too large to return ({exc})")


def _plain(value: Any, local_module: str, depth: int, count: _Count) -> Any:
    count.take()
    kind = type(value)
    if value is None or kind in (bool, float):
        return value
    if kind is int and (value.bit_length() + 8) // 8 <= MAX_INT_BYTES:
        return value
    if kind is str:
        return value if _sendable(value) else Unsupported(f"str of {len(value)} characters", preview(value))
    if (kind is tuple or kind is list) and depth < MAX_DEPTH - 1:  # an Unsupported item's strings sit one deeper
        if len(value) > MAX_ITEMS:
            return Unsupported(f"{kind.__name__} of {len(value)} items", preview(value))
        return kind(_plain(item, local_module, depth + 1, count) for item in value)
    if kind is np.ndarray:
        if value.dtype.kind in ARRAY_KINDS and value.dtype.fields is None:
            if value.nbytes <= MAX_FRAME - 4096:
                return value
            return Unsupported(f"numpy array of {value.nbytes} bytes", preview(value))
        return Unsupported(f"numpy array of dtype {value.dtype}", preview(value))
    return Unsupported(type_name(kind, local_module), preview(value))


def type_name(kind: type, local_module: str = "") -> str:
    """``ValueError``, ``MyObj`` (defined in the student's module) or ``numpy.int64``."""
    module = getattr(kind, "__module__", None)
    name = getattr(kind, "__qualname__", None)
    name = name if type(name) is str else str(getattr(kind, "__name__", "?"))
    if type(module) is not str or module in ("builtins", "__main__", local_module):
        return name[:PREVIEW_CHARS]
    return f"{module}.{name}"[:PREVIEW_CHARS]


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = PREVIEW_CHARS
_REPR.maxlevel = 3


def preview(value: Any) -> str:
    """A short repr of a student's object, whatever its ``__repr__`` does."""
    try:
        text = str.__str__(_REPR.repr(value))
    except Exception as exc:
        text = f"<repr failed: {type(exc).__name__}>"
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS - 3] + "..."


def _sendable(text: str) -> bool:
    """Whether ``text`` has a UTF-8 form (no lone surrogates) of at most ``MAX_STRING_BYTES``.

    A string with more characters than that is not even encoded.
    """
    if len(text) > MAX_STRING_BYTES:
        return False
    try:
        return len(text.encode("utf-8")) <= MAX_STRING_BYTES
    except UnicodeEncodeError:
        return False


def _short(value: Any) -> str:
    return reprlib.repr(value)
