"""Checks for suites: compare what a graded function returned with the right answer.

Every check raises ``Feedback`` with a message for the student, testing in this order:
the type of the value, then its shape, then its values. The message names the call (a
one-line summary of the arguments, then the call in full), the expected and the actual
answer and, for arrays, the first index where they differ.

A check may be given known misconceptions: ``Misconception(name, answer, advice, confirm)``,
where ``answer`` is what a submission with that misconception returns for the same call
(suites compute it with the reference on transformed inputs; one name may come with several
answers). On a small input a wrong answer can equal a misconception's by chance, and a
wrong hint is worse than none, so a misconception is named only when it is certain: the
student's value equals its answer, that answer differs from the right one, and the
student's function gives the misconception's answer again on a second call (its
``Confirmation``: the first of some larger inputs on which that misconception's answer
differs from the right answer and from every other known mistake's). Then the message adds
the advice and the ``Feedback`` carries the name; when several misconceptions are certain,
the message gives each advice and no name.

A side property (the arguments left unchanged, a new array returned) counts only together
with the answer of the same call, since a function that does nothing has it too.

Nothing here knows an assignment: the values a suite accepts are plain ``np.ndarray``s,
Python ints and tuples of them; anything else arrives from the sandbox as ``Unsupported``.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from autograder.feedback import MAX_VALUE_CHARS, Feedback, describe_call, format_value, shorten
from autograder.sandbox import Unsupported

MODIFIED_IN_PLACE = "input modified in place"
RETURNED_ARGUMENT = "argument returned instead of a new array"
DTYPE_KIND_NAMES = {"b": "bool", "i": "int", "u": "unsigned int", "f": "float"}
RTOL = 1e-6
ATOL = 1e-6
FLOAT32_ULPS = 64  # a float32 result may be off by this many float32 roundings of the answer's scale


@dataclass(frozen=True)
class Misconception:
    """A known mistake: its name, the answer it gives for one call, and what to fix.

    ``confirm`` is how to make sure of it before naming it; without one, a matching
    answer is enough (fine for answers no other mistake can give).
    """

    name: str
    answer: Any
    advice: str
    confirm: Confirmation | None = None


@functools.lru_cache(maxsize=256)
def _signature(function: Callable[..., Any]) -> inspect.Signature:
    """``inspect.signature``, once per function: a test makes hundreds of calls of the
    same few (reading a signature costs more than a small call)."""
    return inspect.signature(function)


@dataclass(frozen=True)
class Call:
    """One call of a graded function, kept so that feedback can show what was asked.

    ``parameters`` holds every parameter by name, defaults included, for the summary;
    ``args`` and ``kwargs`` are what is actually passed.
    """

    function: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    parameters: Mapping[str, Any]

    @classmethod
    def of(cls, signature: Callable[..., Any], *args: Any, **kwargs: Any) -> Call:
        """The call ``signature.__name__(*args, **kwargs)``, named after ``signature``'s parameters."""
        bound = _signature(signature).bind(*args, **kwargs)
        bound.apply_defaults()
        return cls(signature.__name__, args, dict(kwargs), dict(bound.arguments))

    def run(self, functions: Any) -> Any:
        """Make this call on ``functions`` (the ``student`` fixture, or a module)."""
        return getattr(functions, self.function)(*self.args, **self.kwargs)

    def summary(self) -> str:
        """``image of shape 6×6, kernel of shape 3×3, stride 1, padding 0``."""
        return ", ".join(_summarize(name, value) for name, value in self.parameters.items())

    def shown(self) -> str:
        """The call written out in full, arrays included."""
        return describe_call(self.function, self.args, dict(self.kwargs))


@dataclass(frozen=True)
class Example:
    """A call, its right answer, and every known mistake's answers to it."""

    call: Call
    expected: Any
    misconceptions: Sequence[Misconception]

    def answers_telling_apart(self, name: str) -> tuple[Any, ...]:
        """``name``'s answers to this call, if each differs from the right answer and from
        every other known mistake's answer; else none (this call cannot confirm ``name``)."""
        own = [m.answer for m in self.misconceptions if m.name == name]
        others = [m.answer for m in self.misconceptions if m.name != name]
        if all(not _same(a, self.expected) and not any(_same(a, o) for o in others) for a in own):
            return tuple(own)
        return ()


class Confirmation:
    """Second calls that make a misconception certain, shared by a check's misconceptions.

    ``examples`` gives larger calls with their answers; it is computed once, the first
    time a student's answer matches a misconception. A misconception is confirmed when
    the student's function (called on ``functions``) returns its answer on the first
    example that tells it apart from the right answer and from the other known mistakes.
    """

    def __init__(self, functions: Any, examples: Callable[[], Iterable[Example]]) -> None:
        self._functions = functions
        self._make_examples = examples
        self._verdicts: dict[str, bool] = {}

    @cached_property
    def examples(self) -> tuple[Example, ...]:
        return tuple(self._make_examples())

    def reproduces(self, name: str) -> bool:
        """Whether the student's function gives ``name``'s answer on a call that tells it apart."""
        if name not in self._verdicts:
            self._verdicts[name] = self._reproduces(name)
        return self._verdicts[name]

    def _reproduces(self, name: str) -> bool:
        for example in self.examples:
            if answers := example.answers_telling_apart(name):
                try:
                    got = example.call.run(self._functions)
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException:  # raised, or aborted (a timeout is a BaseException): not confirmed
                    return False
                return any(_same(got, answer) for answer in answers)
        return False


def expect_array(
    got: Any,
    expected: np.ndarray,
    *,
    call: Call,
    dtype_kind: str | None = "biuf",
    misconceptions: Sequence[Misconception] = (),
) -> None:
    """Check that ``got`` is an ``np.ndarray`` equal (within tolerance) to ``expected``.

    ``dtype_kind`` lists the accepted ``dtype.kind`` letters ("f": float only); ``None``
    asks for exactly ``expected.dtype``.
    """
    expected = np.asarray(expected)
    where = call.summary()
    if type(got) is not np.ndarray:
        _fail(f"{call.function} returned {_kind_of(got)}; expected a numpy array (np.ndarray) for {where}.", call)
    _expect_dtype(got, expected, call, dtype_kind)
    if got.shape != expected.shape:
        _fail(f"{call.function} returned shape {got.shape}; expected {expected.shape} for {where}.", call,
              *_misconception(got, expected, misconceptions), expected, got)
    wrong = _differs(got, expected)
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        _fail(f"{call.function} returned wrong values for {where}: at index {index} expected "
              f"{expected[index].item()!r}, got {got[index].item()!r}.", call,
              *_misconception(got, expected, misconceptions), expected, got)


def expect_int(got: Any, expected: int, *, call: Call, misconceptions: Sequence[Misconception] = ()) -> None:
    """Check that ``got`` is a Python int equal to ``expected``."""
    if type(got) is not int:
        _fail(f"{call.function} returned {_kind_of(got)}; expected a Python int for {call.summary()} "
              f"(convert a numpy or float result with int(...)).", call)
    if got != expected:
        _fail(f"{call.function} returned {got}; expected {expected} for {call.summary()}.", call,
              *_misconception(got, expected, misconceptions))


def expect_int_tuple(
    got: Any, expected: tuple[int, ...], *, call: Call, misconceptions: Sequence[Misconception] = ()
) -> None:
    """Check that ``got`` is a tuple of Python ints equal to ``expected``."""
    hint = "(build it with tuple(int(v) for v in ...))"
    if type(got) is not tuple:
        _fail(f"{call.function} returned {_kind_of(got)}; expected a tuple of Python ints for "
              f"{call.summary()} {hint}.", call)
    wrong = [i for i, v in enumerate(got) if type(v) is not int]
    if wrong:
        _fail(f"{call.function} returned a tuple whose entry {wrong[0]} is {_kind_of(got[wrong[0]])}; expected a "
              f"tuple of Python ints for {call.summary()} {hint}.", call)
    if got != expected:
        _fail(f"{call.function} returned {got}; expected {expected} for {call.summary()}.", call,
              *_misconception(got, expected, misconceptions))


def expect_rows(got: Any, expected: Sequence[tuple[Any, ...]], *, call: Call, fields: Sequence[str],
                misconceptions: Sequence[Misconception] = ()) -> None:
    """Check that ``got`` is a list (or tuple) of rows equal to ``expected``, each a tuple of ``fields``.

    A table is judged row by row, so the message points at the first wrong row (numbered
    from 1, labelled by its first field, e.g. a layer's kind) and its first wrong field:
    ``row 3 (pool): output shape (6, 14, 14) expected, got (6, 13, 13)``. Fields compare
    exactly, types included: ``[6, 14, 14]`` or numpy ints are not a tuple of Python ints.
    """
    where = call.summary()
    layout = f"({', '.join(fields)})"
    if type(got) not in (list, tuple):
        _fail(f"{call.function} returned {_kind_of(got)}; expected a list of rows {layout} for {where}.", call)
    for number, (row, right) in enumerate(zip(got, expected), start=1):
        label = f"row {number} ({right[0]})"
        if type(row) is not tuple or len(row) != len(right):
            _fail(f"{call.function} returned a wrong row for {where}: {label} is {_kind_of(row)}; expected a tuple "
                  f"{layout}.", call, *_misconception(got, expected, misconceptions), expected, got)
        for field, value, right_value in zip(fields, row, right):
            if not _identical(value, right_value):
                shown = _shown(value) if _same_shape(value, right_value) else _kind_of(value)
                _fail(f"{call.function} returned a wrong row for {where}: {label}: {field} {_shown(right_value)} "
                      f"expected, got {shown}.", call, *_misconception(got, expected, misconceptions), expected, got)
    if len(got) != len(expected):
        first = min(len(got), len(expected))
        problem = (f"row {first + 1} ({expected[first][0]}) is missing" if len(got) < len(expected)
                   else f"row {first + 1} is one too many")
        _fail(f"{call.function} returned {len(got)} rows; expected {len(expected)} for {where}: {problem}.", call,
              *_misconception(got, expected, misconceptions), expected, got)


def expect_raises(exception: type[Exception], *, call: Call, functions: Any, because: str) -> None:
    """Check that the call raises ``exception``; ``because`` says why it must."""
    try:
        got = call.run(functions)
    except exception:
        return
    except Exception as exc:  # the student's code raised the wrong kind of error
        _fail(f"{call.function} raised {type(exc).__name__}: {exc}; expected a {exception.__name__} "
              f"for {call.summary()}, because {because}.", call)
    _fail(f"{call.function} returned {_shown(got)}; expected a {exception.__name__} for "
          f"{call.summary()}, because {because}.", call)


def expect_unmodified(student: Any, call: Call, expect_answer: Callable[[Any], None]) -> None:
    """Check that the call leaves its arguments as they were, returns none of them, and is right.

    A function that does nothing also leaves its arguments alone, so these side properties
    count only together with the answer: ``expect_answer`` checks the value this same call
    returned (it raises ``Feedback`` unless it is right). ``student.last_mutated`` and
    ``student.last_aliased`` name the arguments the call changed in place and those the
    returned array shares memory with; the worker looks before the value is copied out.
    """
    got = call.run(student)
    if student.last_mutated:
        names = " and ".join(student.last_mutated)
        _fail(f"{call.function} modified its argument {names} in place for {call.summary()}.", call,
              "A function must leave its inputs unchanged: write the result into a new array "
              "(e.g. start from np.array(x, dtype=float)) instead of assigning into an argument "
              "or using an in-place operator such as +=, **= or out=.",
              MODIFIED_IN_PLACE)
    aliased = student.last_aliased
    if aliased:
        names = " and ".join(aliased)
        _fail(f"{call.function} returned its argument {names} itself (or a view of it) for {call.summary()}.",
              call, "A function must return a new array, even when nothing needs to change (a padding of 0, "
              "no negative values): return a copy such as x.copy() or np.array(x, dtype=float), not the "
              "argument, a slice, a reshape or np.asarray of it.",
              RETURNED_ARGUMENT)
    expect_answer(got)


def _expect_dtype(got: np.ndarray, expected: np.ndarray, call: Call, dtype_kind: str | None) -> None:
    """The dtype rule: exactly ``expected``'s dtype (``None``), or one of the kinds in ``dtype_kind``."""
    where = call.summary()
    if dtype_kind is None and got.dtype != expected.dtype:
        _fail(f"{call.function} returned an array of dtype {got.dtype}; expected dtype {expected.dtype}, the dtype "
              f"of the input, for {where}: make the new array with the input's dtype, e.g. "
              f"np.zeros(shape, dtype=x.dtype) (np.zeros and np.ones make float64 arrays unless given dtype=...).",
              call)
    if dtype_kind == "f" and got.dtype.kind != "f":
        _fail(f"{call.function} returned an array of dtype {got.dtype}; expected a float array (float64 or "
              f"float32) for {where}: convert the inputs to floats before computing, e.g. "
              f"np.asarray(x, dtype=float), so that integer inputs give exact float results.", call)
    if dtype_kind is not None and got.dtype.kind not in dtype_kind:
        kinds = " or ".join(DTYPE_KIND_NAMES[k] for k in dtype_kind)
        _fail(f"{call.function} returned an array of dtype {got.dtype}; expected an array of {kinds} dtype "
              f"for {where}.", call)


def _differs(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Where ``got`` is not ``expected``: exactly for booleans, within the tolerance for numbers.

    A float32 answer was computed in float32, whose rounding is about 1e-7 of the values
    summed: a sum that cancels to 0 can be off by more than ``ATOL``. So a float32 answer
    gets ``FLOAT32_ULPS`` float32 roundings of the largest expected value as its tolerance,
    far below any mistake's error.
    """
    if got.dtype.kind == "b" or expected.dtype.kind == "b":
        return got != expected
    rtol, atol = RTOL, ATOL
    if got.dtype == np.float32 and expected.size:
        rounding = FLOAT32_ULPS * float(np.finfo(np.float32).eps)
        scale = max(1.0, float(np.max(np.abs(expected))))
        rtol, atol = max(RTOL, rounding), max(ATOL, rounding * scale)
    return ~np.isclose(got, expected, rtol=rtol, atol=atol)


def _misconception(got: Any, expected: Any, misconceptions: Sequence[Misconception]) -> tuple[str, str | None]:
    """The advice for the certain misconceptions, and the name when it is only one.

    A misconception is a candidate when ``got`` is one of its answers (and that answer is
    wrong), and certain when it has no ``confirm`` or its confirmation reproduces it. When
    several are certain, the advice lists each of them and no name is given.
    """
    candidates: dict[str, Misconception] = {}
    for known in misconceptions:
        if known.name not in candidates and not _same(known.answer, expected) and _same(got, known.answer):
            candidates[known.name] = known
    matches = {name: known.advice for name, known in candidates.items()
               if known.confirm is None or known.confirm.reproduces(name)}
    if len(matches) == 1:
        [(name, advice)] = matches.items()
        return advice, name
    if matches:
        listed = " ".join(f"({number}) {advice}" for number, advice in enumerate(matches.values(), start=1))
        return f"Your answer matches {len(matches)} common mistakes: {listed}", None
    return "", None


def _same(a: Any, b: Any) -> bool:
    """Equal answers: arrays of one shape within tolerance, or values of one type that are equal."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape:
            return False
        return a.dtype.kind in "biuf" and b.dtype.kind in "biuf" and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))
    return type(a) is type(b) and a == b


def _identical(a: Any, b: Any) -> bool:
    """Equal values of exactly the same types, item by item inside tuples and lists."""
    if type(a) is not type(b):
        return False
    if type(a) in (tuple, list):
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b))
    return _same(a, b)


def _same_shape(a: Any, b: Any) -> bool:
    """Whether ``a`` is built like ``b`` (same types at every level), whatever the values."""
    if type(a) is not type(b):
        return False
    return type(a) not in (tuple, list) or (len(a) == len(b) and all(_same_shape(x, y) for x, y in zip(a, b)))


def _fail(
    sentence: str,
    call: Call,
    advice: str = "",
    misconception: str | None = None,
    expected: Any = None,
    got: Any = None,
) -> None:
    """Raise the ``Feedback``: what went wrong, advice, then the call and both answers
    (written out only if the failure is shown: see ``Feedback``)."""

    def message() -> str:
        parts = [sentence + (f" {advice}" if advice else ""), f"Called as {call.shown()}"]
        if expected is not None:
            parts += [f"Expected {format_value(expected)}", f"Got {format_value(got)}"]
        return "\n".join(parts)

    raise Feedback(message, misconception=misconception)


def _shown(value: Any) -> str:
    """A returned value as feedback shows it, whatever its type."""
    return _kind_of(value) if isinstance(value, Unsupported) else format_value(value)


def _kind_of(value: Any) -> str:
    """``a value of type list: [1, 2]``, for values of the wrong type; each part bounded."""
    if isinstance(value, Unsupported):
        return f"a value of type {shorten(value.type_name, MAX_VALUE_CHARS)}: {shorten(value.preview, MAX_VALUE_CHARS)}"
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape}"
    name = type(value).__name__
    module = type(value).__module__
    qualified = name if module == "builtins" else f"{module.split('.')[0]}.{name}"
    return f"a value of type {qualified}: {format_value(value)}"


def _summarize(name: str, value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"{name} of shape {'×'.join(str(n) for n in value.shape)}"
    return f"{name} {value!r}"
