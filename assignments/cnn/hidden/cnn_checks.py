"""What the hidden CNN tests share: input strategies, known misconceptions, and one check
per graded function.

Each ``check_<function>`` makes one call on the student and on the reference and hands both
to the generic checks of ``autograder.checks``; only when the answer is wrong does it
compute the answers of the misconceptions that apply to that call (the reference on
transformed inputs), so that a right answer costs one reference call. Every array is checked
by the one dtype rule of the module docstring (``FLOATS``; zero_pad keeps x's dtype), and
``untouched=True`` also asks the same call to leave its arguments unchanged and to return
a new array. ``check_rejects`` checks the documented ValueErrors.

The ``EXAMPLE_*`` arrays are the small inputs of the suites' explicit examples
(``@example``): hypothesis runs them before it generates anything, and a test that fails on
one stops there, with that readable input in its feedback, without generating or shrinking.
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType
from typing import Any, Callable, Sequence

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st

from autograder.checks import (
    Call,
    Misconception,
    expect_array,
    expect_int,
    expect_int_tuple,
    expect_raises,
    expect_unmodified,
)
from autograder.feedback import Feedback

IntOrPair = int | tuple[int, int]

MAX_SIDE = 8  # largest generated image side
MAX_KERNEL = 5  # largest generated kernel side
MAX_CHANNELS = 3  # largest generated depth and number of kernels
MAX_STRIDE = 3
MAX_PADDING = 2
ELEMENTS = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
POOL_MODES = ("max", "avg", "l2")
FLOATS = "f"  # the dtype rule: every array result is float, whatever the inputs' dtype (zero_pad: x's dtype)

FLIPPED_KERNEL = "flipped kernel (true convolution)"
ONE_SHORT = "output one row/column short"
ONE_SIDED_PADDING = "padding on one side only"
STRIDE_NOT_AT_START = "stride not applied to the window start"
AVG_WRONG_COUNT = "average pooling divided by the wrong count"
L2_WITHOUT_SQRT = "L2 pooling without the square root"
POOL_STRIDE_ONE = "pooling stride defaulting to 1"
BIAS_NOT_COUNTED = "bias left out of the parameter count"
DEPTH_NOT_COUNTED = "depth left out of the parameter count"
ONE_BIAS_FOR_ALL = "one bias for every map"
BIAS_PER_CHANNEL = "bias added once per input channel"
STRIDE_IGNORED = "stride ignored"
DEPTH_FROM_INPUT = "output depth taken from the input"

ADVICE = {
    FLIPPED_KERNEL: "Your answer is the true convolution, with the kernel flipped. The lecture's "
    "convolution is cross-correlation, S(i, j) = Σ_m Σ_n I(i + m, j + n) K(m, n): multiply each "
    "window by the kernel as it is, without reversing its rows and columns.",
    ONE_SHORT: "Your output is one row/column short: the last window starts at index H − F, so "
    "there are H − F + 1 positions (with padding P and stride S: ⌊(H + 2P − F) / S⌋ + 1).",
    ONE_SIDED_PADDING: "Your answer pads on one side only: padding P adds P zeros on each side of "
    "an axis (top and bottom, left and right), so a padded side is H + 2P long.",
    STRIDE_NOT_AT_START: "Your windows start at consecutive positions: with stride S, output "
    "position (i, j) uses the window whose top-left corner is at (i·S, j·S).",
    AVG_WRONG_COUNT: "Your average is divided by the wrong count: the mean of a Ph×Pw window is its "
    "sum divided by Ph·Pw, the number of values in the window.",
    L2_WITHOUT_SQRT: "Your L2 pooling is missing the square root: L2 pooling returns the square "
    "root of the sum of the squares of the window.",
    POOL_STRIDE_ONE: "Your pooling moved by 1 when no stride was given: stride=None means the "
    "stride equals the pool size, so the windows do not overlap.",
    BIAS_NOT_COUNTED: "Your count leaves out the biases: with bias=True each of the N_k kernels "
    "also has one bias, so add N_k.",
    DEPTH_NOT_COUNTED: "Your count leaves out the input depth: each kernel spans all D_in input "
    "channels, so it has F·F·D_in weights.",
    ONE_BIAS_FOR_ALL: "Your answer uses one bias for all the maps: each kernel has its own bias, "
    "and map k gets biases[k] (so a layer has N_k biases).",
    BIAS_PER_CHANNEL: "Your answer adds the bias once per input channel: map k is "
    "Σ_d conv2d(x[d], kernels[k, d]) + biases[k], with the bias added once, after the sum.",
    STRIDE_IGNORED: "Your answer ignores the stride: divide (n + 2P − F) by S, round down, then add 1.",
    DEPTH_FROM_INPUT: "Your output depth is the input depth: a convolution stage makes one map per "
    "kernel, so D_out = N_k.",
}


def known(name: str, answer: Any) -> Misconception:
    """The misconception ``name``, with its answer for the call at hand."""
    return Misconception(name, answer, ADVICE[name])


def as_pair(value: IntOrPair) -> tuple[int, int]:
    """An int or (h, w) pair as (h, w)."""
    return (value, value) if isinstance(value, int) else value


# Strategies -------------------------------------------------------------------------


@lru_cache(maxsize=None)
def grids(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """Float arrays of ``shape`` with moderate values, negative ones included.

    Cached: composite strategies draw shapes first, and a strategy built once per shape
    is validated once, not at every draw.
    """
    return hnp.arrays(np.float64, shape, elements=ELEMENTS)


@lru_cache(maxsize=None)
def int_or_pair(low: int, high: int) -> st.SearchStrategy[IntOrPair]:
    """An int in [low, high], or a pair of them (shrinks to the int)."""
    values = st.integers(low, high)
    return st.one_of(values, st.tuples(values, values))


CHANNEL_AXES = st.one_of(st.just(()), st.tuples(st.integers(1, MAX_CHANNELS)))  # none, or (C,)


@st.composite
def images_or_stacks(draw: st.DrawFn) -> np.ndarray:
    """A 2-D image (H, W) or a 3-D stack of maps (C, H, W)."""
    channels = draw(CHANNEL_AXES)
    return draw(grids((*channels, draw(st.integers(1, MAX_SIDE)), draw(st.integers(1, MAX_SIDE)))))


@st.composite
def convolution_shapes(
    draw: st.DrawFn, max_stride: int = 1, max_padding: int = 0
) -> tuple[tuple[int, int], tuple[int, int], IntOrPair, IntOrPair]:
    """((H, W), (Fh, Fw), stride, padding) with the kernel fitting in the padded image."""
    padding = draw(int_or_pair(0, max_padding))
    stride = draw(int_or_pair(1, max_stride))
    (ph, pw), h, w = as_pair(padding), draw(st.integers(1, MAX_SIDE)), draw(st.integers(1, MAX_SIDE))
    fh = draw(st.integers(1, min(h + 2 * ph, MAX_KERNEL)))
    fw = draw(st.integers(1, min(w + 2 * pw, MAX_KERNEL)))
    return (h, w), (fh, fw), stride, padding


@st.composite
def conv2d_inputs(
    draw: st.DrawFn, max_stride: int = 1, max_padding: int = 0
) -> tuple[np.ndarray, np.ndarray, IntOrPair, IntOrPair]:
    """(image, kernel, stride, padding) with the kernel fitting in the padded image."""
    image_shape, kernel_shape, stride, padding = draw(convolution_shapes(max_stride, max_padding))
    return draw(grids(image_shape)), draw(grids(kernel_shape)), stride, padding


@st.composite
def conv_stage_inputs(
    draw: st.DrawFn, max_stride: int = 1, max_padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, IntOrPair, IntOrPair]:
    """(x, kernels, biases, stride, padding) for a conv_stage call that fits."""
    image_shape, kernel_shape, stride, padding = draw(convolution_shapes(max_stride, max_padding))
    depth, n_k = draw(st.integers(1, MAX_CHANNELS)), draw(st.integers(1, MAX_CHANNELS))
    x = draw(grids((depth, *image_shape)))
    kernels = draw(grids((n_k, depth, *kernel_shape)))
    return x, kernels, draw(grids((n_k,))), stride, padding


@st.composite
def pool2d_inputs(
    draw: st.DrawFn, modes: tuple[str, ...] = POOL_MODES, default_stride: bool = False
) -> tuple[np.ndarray, IntOrPair, IntOrPair | None, str]:
    """(x, size, stride, mode); x is 2-D or 3-D and the window fits in it."""
    x = draw(images_or_stacks())
    size = draw(_pool_sizes(*x.shape[-2:]))
    stride = None if default_stride else draw(int_or_pair(1, MAX_STRIDE))
    return x, size, stride, draw(_modes(modes))


@lru_cache(maxsize=None)
def _pool_sizes(h: int, w: int) -> st.SearchStrategy[IntOrPair]:
    """A pooling window that fits in h×w: an int, or a pair (Ph, Pw)."""
    return st.one_of(st.integers(1, min(h, w)), _pairs(h, w))


@lru_cache(maxsize=None)
def _pairs(h: int, w: int) -> st.SearchStrategy[tuple[int, int]]:
    """(a, b) with 1 <= a <= h and 1 <= b <= w."""
    return st.tuples(st.integers(1, h), st.integers(1, w))


@lru_cache(maxsize=None)
def _modes(modes: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(modes)


@st.composite
def conv_layer_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """Keyword arguments of a conv_layer call whose pooling window fits the feature maps."""
    x, kernels, biases, stride, padding = draw(conv_stage_inputs(MAX_STRIDE, MAX_PADDING))
    (sh, sw), (ph, pw) = as_pair(stride), as_pair(padding)
    h_out = (x.shape[1] + 2 * ph - kernels.shape[2]) // sh + 1
    w_out = (x.shape[2] + 2 * pw - kernels.shape[3]) // sw + 1
    pool_size = draw(_pairs(h_out, w_out))
    pool_stride = draw(st.one_of(st.none(), int_or_pair(1, MAX_STRIDE)))
    return dict(x=x, kernels=kernels, biases=biases, stride=stride, padding=padding, pool_size=pool_size,
                pool_stride=pool_stride, pool_mode=draw(_modes(POOL_MODES)))


# Explicit examples ------------------------------------------------------------------
# Small inputs for the suites' @example(...) cases, each in the domain of its test's
# strategy: asymmetric and non-square, negative values, a few halves (so that integer
# arithmetic shows), and a corner whose values are all negative.


def _example(rows: list) -> np.ndarray:
    """A read-only float array: examples are shared by tests and must never change."""
    array = np.array(rows, dtype=np.float64)
    array.flags.writeable = False
    return array


EXAMPLE_IMAGE = _example([[3, -1, 4, 1.5, -5, 9],
                          [2, -6, 5, 3, -5, 8],
                          [9, -7, 9, 3, 2, -3.5],
                          [8, -4, 6, 2, 6, -4]])  # 4×6
EXAMPLE_KERNEL = _example([[1, -2, 0.5],
                           [3, 1, -1]])  # 2×3, no symmetry: a flip or a transpose shows
EXAMPLE_SMALL = _example([[1.5, -2, 3],
                          [4, -5, 6.5]])  # 2×3
EXAMPLE_POOL = _example([[1, -3, 4, 1.5, -5],
                         [9, 2, -6, 5, 3],
                         [-5, -8, 9, -7, 9],
                         [-3, -2.5, -1, 8, 4]])  # 4×5, its bottom-left 2×2 window all negative
EXAMPLE_STACK = _example([[[2, -1, 3, 0.5, -4],
                           [1, 5, -2, 3, 2],
                           [-3, 2, 4, -1, 6]],
                          [[-2, 4, 1, -3, 2],
                           [3, -1.5, 2, 5, -4],
                           [1, 3, -2, 2, 1]]])  # 2×3×5: D_in = 2
EXAMPLE_KERNELS = _example([[[[1, -1, 2], [0.5, 2, -1]], [[-1, 2, 0], [1, -0.5, 1]]],
                            [[[2, 0, -1], [1, 1, 0.5]], [[0, -2, 1], [2, 1, -1]]],
                            [[[-1, 1, 1], [2, -1, 0]], [[1, 0.5, -2], [-1, 2, 1]]]])  # 3×2×2×3: N_k = 3
EXAMPLE_BIASES = _example([0.5, -1.5, 2])  # one per kernel, all different
EXAMPLE_LARGE = _example([[[-2e5, -7e4, -1.5e6, -3e4, -9e5],
                           [-6e4, -1.2e5, -4e4, -8e5, -2.5e4],
                           [-3e6, -1e4, -5e5, -2e4, -7e5]],
                          [[4e5, -2e6, 1.25e6, 3e4, -5e4],
                           [-1e6, 8e5, -2e4, 6e6, 1e4],
                           [2e4, -4e5, 9e5, -3e5, 5e5]]])  # 2×3×5: channel 0 all below −9999, channel 1 above 9999


# Checks -----------------------------------------------------------------------------


def check_zero_pad(student: Any, reference: ModuleType, x: np.ndarray, pad: IntOrPair, *,
                   untouched: bool = False) -> None:
    """zero_pad(x, pad) equals the reference, with x's dtype (and, if ``untouched``, is a new array
    and leaves x unchanged)."""
    call = Call.of(reference.zero_pad, x, pad)
    expected = call.run(reference)

    def misconceptions() -> list[Misconception]:
        ph, pw = as_pair(pad)
        height, width = expected.shape[-2:]
        return [known(ONE_SIDED_PADDING, expected[..., ph:, pw:]),
                known(ONE_SIDED_PADDING, expected[..., : height - ph, : width - pw])]

    _expect_array(student, call, untouched, expected, None, misconceptions)


def check_cross_correlate2d(student: Any, reference: ModuleType, image: np.ndarray, kernel: np.ndarray, *,
                            untouched: bool = False) -> None:
    """cross_correlate2d(image, kernel) equals the reference, as floats."""
    call = Call.of(reference.cross_correlate2d, image, kernel)
    expected = call.run(reference)

    def misconceptions() -> list[Misconception]:
        return [known(FLIPPED_KERNEL, reference.cross_correlate2d(image, _flipped(kernel))), *_one_short(expected)]

    _expect_array(student, call, untouched, expected, FLOATS, misconceptions)


def check_conv2d(
    student: Any,
    reference: ModuleType,
    image: np.ndarray,
    kernel: np.ndarray,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    *,
    untouched: bool = False,
) -> None:
    """conv2d(image, kernel, stride=stride, padding=padding) equals the reference, as floats."""
    call = Call.of(reference.conv2d, image, kernel, stride=stride, padding=padding)
    expected = call.run(reference)

    def misconceptions() -> list[Misconception]:
        return [
            known(FLIPPED_KERNEL, reference.conv2d(image, _flipped(kernel), stride=stride, padding=padding)),
            *(known(ONE_SIDED_PADDING, reference.conv2d(padded, kernel, stride=stride))
              for padded in _padded_one_side(reference, np.asarray(image), padding, np.shape(kernel))),
            *_one_short(expected),
            known(STRIDE_NOT_AT_START, _stride_one(reference.conv2d(image, kernel, padding=padding), expected)),
        ]

    _expect_array(student, call, untouched, expected, FLOATS, misconceptions)


def check_conv_stage(
    student: Any,
    reference: ModuleType,
    x: np.ndarray,
    kernels: np.ndarray,
    biases: np.ndarray,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    *,
    untouched: bool = False,
) -> None:
    """conv_stage(x, kernels, biases, stride=stride, padding=padding) equals the reference, as floats."""
    call = Call.of(reference.conv_stage, x, kernels, biases, stride=stride, padding=padding)
    expected = call.run(reference)

    def misconceptions() -> list[Misconception]:
        return _conv_stage_answers(reference, x, kernels, biases, stride, padding, expected)

    _expect_array(student, call, untouched, expected, FLOATS, misconceptions)


def check_pool2d(
    student: Any,
    reference: ModuleType,
    x: np.ndarray,
    size: IntOrPair,
    stride: IntOrPair | None = None,
    mode: str = "max",
    *,
    untouched: bool = False,
) -> None:
    """pool2d(x, size, stride=stride, mode=mode) equals the reference, as floats."""
    call = Call.of(reference.pool2d, x, size, stride=stride, mode=mode)
    expected = call.run(reference)

    def misconceptions() -> list[Misconception]:
        answers = []
        if stride is None:
            answers.append(known(POOL_STRIDE_ONE, reference.pool2d(x, size, stride=1, mode=mode)))
        return answers + _pooling_answers(expected, size, mode)

    _expect_array(student, call, untouched, expected, FLOATS, misconceptions)


def check_relu(student: Any, reference: ModuleType, x: np.ndarray, *, untouched: bool = False) -> None:
    """relu(x) equals the reference, as floats."""
    call = Call.of(reference.relu, x)
    _expect_array(student, call, untouched, call.run(reference), FLOATS, lambda: [])


def check_conv_layer(student: Any, reference: ModuleType, *, untouched: bool = False, **arguments: Any) -> None:
    """conv_layer(**arguments) equals the reference, as floats."""
    arguments = dict(arguments)  # an explicit example's dict is shared by every run: never change it
    x, kernels, biases = arguments.pop("x"), arguments.pop("kernels"), arguments.pop("biases")
    call = Call.of(reference.conv_layer, x, kernels, biases, **arguments)
    expected = call.run(reference)

    def misconceptions() -> list[Misconception]:
        """A mistake in the convolution stage, carried through ReLU and pooling, or in the pooling."""
        given = call.parameters  # every argument, defaults included
        stride, padding, pool_size, pool_stride, pool_mode = (
            given[name] for name in ("stride", "padding", "pool_size", "pool_stride", "pool_mode"))

        def layer(stage: np.ndarray, stride: IntOrPair | None = pool_stride) -> np.ndarray | None:
            try:  # a wrong stage may be too small for the pooling window
                return reference.pool2d(reference.relu(stage), pool_size, stride=stride, mode=pool_mode)
            except ValueError:
                return None

        stage = reference.conv_stage(x, kernels, biases, stride=stride, padding=padding)
        answers = [known(m.name, layer(m.answer)) for m in
                   _conv_stage_answers(reference, x, kernels, biases, stride, padding, stage)]
        if pool_stride is None:
            answers.append(known(POOL_STRIDE_ONE, layer(stage, stride=1)))
        answers += _pooling_answers(expected, pool_size, pool_mode)
        return [m for m in answers if m.answer is not None]

    _expect_array(student, call, untouched, expected, FLOATS, misconceptions)


def check_conv_output_size(student: Any, reference: ModuleType, n: int, f: int, padding: int = 0,
                           stride: int = 1) -> None:
    """conv_output_size(n, f, padding=padding, stride=stride) equals the reference, as an int."""
    call = Call.of(reference.conv_output_size, n, f, padding=padding, stride=stride)
    expected = call.run(reference)

    def misconceptions() -> list[Misconception]:
        answers = [known(ONE_SHORT, expected - 1), known(STRIDE_IGNORED, n + 2 * padding - f + 1)]
        if f <= n + padding:
            answers.append(known(ONE_SIDED_PADDING, reference.conv_output_size(n + padding, f, stride=stride)))
        return answers

    _expect_lazily(expect_int, call.run(student), expected, call, misconceptions)


def check_conv_param_count(student: Any, reference: ModuleType, d_in: int, f: int, n_k: int,
                           bias: bool = True) -> None:
    """conv_param_count(d_in, f, n_k, bias=bias) equals the reference, as an int."""
    call = Call.of(reference.conv_param_count, d_in, f, n_k, bias=bias)
    expected = call.run(reference)

    def misconceptions() -> list[Misconception]:
        answers = [known(DEPTH_NOT_COUNTED, reference.conv_param_count(1, f, n_k, bias=bias))]
        if bias:
            weights = reference.conv_param_count(d_in, f, n_k, bias=False)
            answers += [known(BIAS_NOT_COUNTED, weights), known(ONE_BIAS_FOR_ALL, weights + 1)]
        return answers

    _expect_lazily(expect_int, call.run(student), expected, call, misconceptions)


def check_conv_output_shape(student: Any, reference: ModuleType, input_shape: tuple[int, int, int], n_k: int,
                            f: int, padding: int = 0, stride: int = 1) -> None:
    """conv_output_shape(input_shape, n_k, f, padding=padding, stride=stride) equals the reference."""
    call = Call.of(reference.conv_output_shape, input_shape, n_k, f, padding=padding, stride=stride)
    expected = call.run(reference)

    def misconceptions() -> list[Misconception]:
        depth, height, width = expected
        return [known(ONE_SHORT, (depth, height - 1, width - 1)),
                known(DEPTH_FROM_INPUT, (input_shape[0], height, width))]

    _expect_lazily(expect_int_tuple, call.run(student), expected, call, misconceptions)


def _expect_array(student: Any, call: Call, untouched: bool, expected: np.ndarray, dtype_kind: str | None,
                  misconceptions: Callable[[], Sequence[Misconception]]) -> None:
    """``expect_array`` on the student's answer, computing the misconceptions' answers only if it
    is wrong; if ``untouched``, the same call must also leave its arguments unchanged and
    return a new array."""

    def expect_answer(got: Any) -> None:
        _expect_lazily(expect_array, got, expected, call, misconceptions, dtype_kind=dtype_kind)

    if untouched:
        expect_unmodified(student, call, expect_answer)
    else:
        expect_answer(call.run(student))


def check_rejects(student: Any, reference: ModuleType, function: str,
                  cases: Sequence[tuple[tuple[Any, ...], dict[str, Any], str]]) -> None:
    """``function(*args, **kwargs)`` raises ValueError for each ``(args, kwargs, because)``.

    A function that raises for everything passes this, so each test that uses it also
    checks the answer to a valid call next to the rejected ones.
    """
    for args, kwargs, because in cases:
        expect_raises(ValueError, call=Call.of(getattr(reference, function), *args, **kwargs), functions=student,
                      because=because)


def _expect_lazily(expect: Callable[..., None], got: Any, expected: Any, call: Call,
                   misconceptions: Callable[[], Sequence[Misconception]], **options: Any) -> None:
    """Check ``got`` with ``expect``; on failure, check it again with the misconceptions' answers.

    A right answer (the common case, over many generated examples) then costs no extra
    reference call; a wrong one fails with the same message as if they had been given.
    """
    try:
        expect(got, expected, call=call, **options)
    except Feedback:
        expect(got, expected, call=call, misconceptions=misconceptions(), **options)
        raise


# Misconception answers --------------------------------------------------------------


def _flipped(kernel: Any) -> np.ndarray:
    """The kernel(s) rotated by 180° in the last two axes: what true convolution uses."""
    return np.asarray(kernel)[..., ::-1, ::-1]


def _one_short(expected: np.ndarray) -> list[Misconception]:
    """The answer without its last row, its last column, or both."""
    return [known(ONE_SHORT, expected[..., :-1, :-1]), known(ONE_SHORT, expected[..., :-1, :]),
            known(ONE_SHORT, expected[..., :, :-1])]


def _padded_one_side(
    reference: ModuleType, x: np.ndarray, padding: IntOrPair, kernel_shape: tuple[int, ...]
) -> list[np.ndarray]:
    """x padded after only and before only, where the kernel still fits."""
    ph, pw = as_pair(padding)
    padded = reference.zero_pad(x, padding)
    height, width = padded.shape[-2:]
    sides = [padded[..., ph:, pw:], padded[..., : height - ph, : width - pw]]
    return [p for p in sides if p.shape[-2] >= kernel_shape[-2] and p.shape[-1] >= kernel_shape[-1]]


def _stride_one(stride_one: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """The stride-1 answer cut to the right output size: windows at i, not at i·S."""
    return stride_one[..., : expected.shape[-2], : expected.shape[-1]]


def _conv_stage_answers(reference: ModuleType, x: Any, kernels: Any, biases: Any, stride: IntOrPair,
                        padding: IntOrPair, expected: np.ndarray) -> list[Misconception]:
    """What conv_stage returns with each known mistake, for this call."""
    biases = np.asarray(biases, dtype=float)
    one_bias, bias_per_channel = np.full_like(biases, biases[0]), biases * np.shape(x)[0]
    return [
        known(FLIPPED_KERNEL, reference.conv_stage(x, _flipped(kernels), biases, stride=stride, padding=padding)),
        *(known(ONE_SIDED_PADDING, reference.conv_stage(padded, kernels, biases, stride=stride))
          for padded in _padded_one_side(reference, np.asarray(x), padding, np.shape(kernels))),
        *_one_short(expected),
        known(STRIDE_NOT_AT_START, _stride_one(reference.conv_stage(x, kernels, biases, padding=padding), expected)),
        known(ONE_BIAS_FOR_ALL, reference.conv_stage(x, kernels, one_bias, stride=stride, padding=padding)),
        known(BIAS_PER_CHANNEL, reference.conv_stage(x, kernels, bias_per_channel, stride=stride, padding=padding)),
    ]


def _pooling_answers(expected: np.ndarray, size: IntOrPair, mode: str) -> list[Misconception]:
    """What pooling returns with a wrong average count or without the L2 square root."""
    if mode == "avg":
        ph, pw = as_pair(size)
        return [known(AVG_WRONG_COUNT, expected * (ph * pw) / count) for count in (1, ph, pw)]
    if mode == "l2":
        return [known(L2_WITHOUT_SQRT, expected**2)]
    return []
