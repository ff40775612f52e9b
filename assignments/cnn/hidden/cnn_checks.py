"""What the hidden CNN tests share: input strategies, known misconceptions, and one check
per graded function.

Each ``check_<function>`` makes one call on the student and on the reference and hands both
to the generic checks of ``autograder.checks``; only when the answer is wrong does it
compute the answers of the misconceptions that apply to that call (the reference on
transformed inputs), so that a right answer costs one reference call. Every array is checked
by the one dtype rule of the module docstring (``FLOATS``; zero_pad keeps x's dtype), and
``untouched=True`` also asks the same call to leave its arguments unchanged and to return
a new array. ``check_rejects`` checks the documented ValueErrors. Each misconception
is named only once the student's function reproduces it on a second, larger call
(``second_calls``: other sizes on every axis, other strides and paddings, height and width
apart) where it predicts an answer unlike the right one and unlike every other mistake's.

The ``EXAMPLE_*`` arrays are the small inputs of the suites' explicit examples
(``@example``): hypothesis runs them before it generates anything, and a test that fails on
one stops there, with that readable input in its feedback, without generating or shrinking.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from types import ModuleType
from typing import Any, Callable, Mapping, Sequence

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st

from autograder.checks import (
    Call,
    Confirmation,
    Example,
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
PADDING_FOR_SOME_STRIDES = "padding applied only for some strides"
WIDTH_FROM_HEIGHT = "output width taken from the height"
KERNELS_DK = "kernels indexed [d, k]"
POOL_STRIDE_TWO = "pooling stride defaulting to 2"
POOL_STRIDE_IGNORED = "pooling stride ignored"
L2_AS_MEAN = "L2 pooling as a mean"
CEIL = "ceil instead of floor"

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
    PADDING_FOR_SOME_STRIDES: "Your answer leaves out the padding with this stride: pad the input with P "
    "zeros on each side first, whatever the stride, then move the window S at a time.",
    WIDTH_FROM_HEIGHT: "Your output width is computed from the height: the number of columns is "
    "⌊(W + 2Pw − Fw) / Sw⌋ + 1, from the width, the kernel width, and the padding and stride along the width.",
    KERNELS_DK: "Your answer reads the kernels as kernels[d, k]: kernels has shape (N_k, D_in, Fh, Fw), "
    "so the kernel of map k for input channel d is kernels[k, d].",
    POOL_STRIDE_TWO: "Your pooling moved by 2 when no stride was given: stride=None means the stride "
    "equals the pool size, so the windows do not overlap.",
    POOL_STRIDE_IGNORED: "Your pooling ignores the stride it was given: the windows moved by the pool "
    "size; window (i, j) starts at (i·Sh, j·Sw) for the given stride (Sh, Sw).",
    L2_AS_MEAN: "Your L2 pooling takes a mean: L2 pooling is the square root of the sum of the squares "
    "of the window, not divided by the number of values.",
    CEIL: "Your answer rounds up: the last window must fit entirely, so the count is "
    "⌊(n + 2P − F) / S⌋ + 1, rounded down.",
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

Answers = Callable[[ModuleType, Mapping[str, Any], Any], list[Misconception]]


def check_zero_pad(student: Any, reference: ModuleType, x: np.ndarray, pad: IntOrPair, *,
                   untouched: bool = False) -> None:
    """zero_pad(x, pad) equals the reference, with x's dtype (and, if ``untouched``, is a new array
    and leaves x unchanged)."""
    _check(student, reference, Call.of(reference.zero_pad, x, pad), expect_array, _zero_pad_answers,
           untouched=untouched, dtype_kind=None)


def check_cross_correlate2d(student: Any, reference: ModuleType, image: np.ndarray, kernel: np.ndarray, *,
                            untouched: bool = False) -> None:
    """cross_correlate2d(image, kernel) equals the reference, as floats."""
    call = Call.of(reference.cross_correlate2d, image, kernel)
    _check(student, reference, call, expect_array, _cross_correlate2d_answers, untouched=untouched, dtype_kind=FLOATS)


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
    _check(student, reference, call, expect_array, _conv2d_answers, untouched=untouched, dtype_kind=FLOATS)


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
    _check(student, reference, call, expect_array, _conv_stage_answers, untouched=untouched, dtype_kind=FLOATS)


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
    _check(student, reference, call, expect_array, _pool2d_answers, untouched=untouched, dtype_kind=FLOATS)


def check_relu(student: Any, reference: ModuleType, x: np.ndarray, *, untouched: bool = False) -> None:
    """relu(x) equals the reference, as floats."""
    call = Call.of(reference.relu, x)
    _check(student, reference, call, expect_array, _no_answers, untouched=untouched, dtype_kind=FLOATS)


def check_conv_layer(student: Any, reference: ModuleType, *, untouched: bool = False, **arguments: Any) -> None:
    """conv_layer(**arguments) equals the reference, as floats."""
    arguments = dict(arguments)  # an explicit example's dict is shared by every run: never change it
    x, kernels, biases = arguments.pop("x"), arguments.pop("kernels"), arguments.pop("biases")
    call = Call.of(reference.conv_layer, x, kernels, biases, **arguments)
    _check(student, reference, call, expect_array, _conv_layer_answers, untouched=untouched, dtype_kind=FLOATS)


def check_conv_output_size(student: Any, reference: ModuleType, n: int, f: int, padding: int = 0,
                           stride: int = 1) -> None:
    """conv_output_size(n, f, padding=padding, stride=stride) equals the reference, as an int."""
    call = Call.of(reference.conv_output_size, n, f, padding=padding, stride=stride)
    _check(student, reference, call, expect_int, _conv_output_size_answers)


def check_conv_param_count(student: Any, reference: ModuleType, d_in: int, f: int, n_k: int,
                           bias: bool = True) -> None:
    """conv_param_count(d_in, f, n_k, bias=bias) equals the reference, as an int."""
    call = Call.of(reference.conv_param_count, d_in, f, n_k, bias=bias)
    _check(student, reference, call, expect_int, _conv_param_count_answers)


def check_conv_output_shape(student: Any, reference: ModuleType, input_shape: tuple[int, int, int], n_k: int,
                            f: int, padding: int = 0, stride: int = 1) -> None:
    """conv_output_shape(input_shape, n_k, f, padding=padding, stride=stride) equals the reference."""
    call = Call.of(reference.conv_output_shape, input_shape, n_k, f, padding=padding, stride=stride)
    _check(student, reference, call, expect_int_tuple, _conv_output_shape_answers)


def check_rejects(student: Any, reference: ModuleType, function: str,
                  cases: Sequence[tuple[tuple[Any, ...], dict[str, Any], str]]) -> None:
    """``function(*args, **kwargs)`` raises ValueError for each ``(args, kwargs, because)``.

    A function that raises for everything passes this, so each test that uses it also
    checks the answer to a valid call next to the rejected ones.
    """
    for args, kwargs, because in cases:
        expect_raises(ValueError, call=Call.of(getattr(reference, function), *args, **kwargs), functions=student,
                      because=because)


def _check(student: Any, reference: ModuleType, call: Call, expect: Callable[..., None], answers: Answers,
           *, untouched: bool = False, **options: Any) -> None:
    """Check the student's answer to ``call`` with ``expect``; on failure, check it again with
    the misconceptions' ``answers``, each confirmed on the ``second_calls`` before it is named.
    If ``untouched``, the same call must also leave its arguments unchanged and return a new
    array (a side property that counts only with the right answer).

    A right answer (the common case, over many generated examples) then costs one reference
    call; a wrong one fails with the same message as if the misconceptions had been given.
    """
    expected = call.run(reference)

    def expect_answer(got: Any) -> None:
        try:
            expect(got, expected, call=call, **options)
        except Feedback:
            confirmation = Confirmation(student, lambda: _examples(reference, answers, second_calls(reference, call)))
            known_here = [replace(m, confirm=confirmation) for m in answers(reference, call.parameters, expected)]
            expect(got, expected, call=call, misconceptions=known_here, **options)
            raise

    if untouched:
        expect_unmodified(student, call, expect_answer)
    else:
        expect_answer(call.run(student))


def _examples(reference: ModuleType, answers: Answers, calls: Sequence[Call]) -> list[Example]:
    """Each call with the reference's answer and every misconception's answer to it."""
    examples = []
    for call in calls:
        expected = call.run(reference)
        examples.append(Example(call, expected, answers(reference, call.parameters, expected)))
    return examples


# Misconception answers --------------------------------------------------------------
# Each takes the reference, a call's parameters (defaults included) and the right answer,
# and returns what a submission with each known mistake answers instead.


def _no_answers(reference: ModuleType, given: Mapping[str, Any], expected: Any) -> list[Misconception]:
    return []


def _zero_pad_answers(reference: ModuleType, given: Mapping[str, Any], expected: np.ndarray) -> list[Misconception]:
    ph, pw = as_pair(given["pad"])
    height, width = expected.shape[-2:]
    return [known(ONE_SIDED_PADDING, expected[..., ph:, pw:]),
            known(ONE_SIDED_PADDING, expected[..., : height - ph, : width - pw])]


def _cross_correlate2d_answers(reference: ModuleType, given: Mapping[str, Any],
                               expected: np.ndarray) -> list[Misconception]:
    image, kernel = given["image"], given["kernel"]
    return [known(FLIPPED_KERNEL, reference.cross_correlate2d(image, _flipped(kernel))), *_one_short(expected),
            *_width_from_height(expected)]


def _conv2d_answers(reference: ModuleType, given: Mapping[str, Any], expected: np.ndarray) -> list[Misconception]:
    image, kernel, stride, padding = (given[name] for name in ("image", "kernel", "stride", "padding"))
    answers = [
        known(FLIPPED_KERNEL, reference.conv2d(image, _flipped(kernel), stride=stride, padding=padding)),
        *(known(ONE_SIDED_PADDING, reference.conv2d(padded, kernel, stride=stride))
          for padded in _padded_one_side(reference, np.asarray(image), padding, np.shape(kernel))),
        *_one_short(expected),
        *_width_from_height(expected),
        known(STRIDE_NOT_AT_START, _stride_one(reference.conv2d(image, kernel, padding=padding), expected)),
    ]
    if _padding_skippable(image, kernel, stride, padding):
        answers.append(known(PADDING_FOR_SOME_STRIDES, reference.conv2d(image, kernel, stride=stride)))
    return answers


def _conv_stage_answers(reference: ModuleType, given: Mapping[str, Any], expected: np.ndarray) -> list[Misconception]:
    """What conv_stage returns with each known mistake, for this call."""
    x, kernels, stride, padding = (given[name] for name in ("x", "kernels", "stride", "padding"))
    biases = np.asarray(given["biases"], dtype=float)
    one_bias, bias_per_channel = np.full_like(biases, biases[0]), biases * np.shape(x)[0]

    def stage(x: Any = x, kernels: Any = kernels, biases: Any = biases, stride: IntOrPair = stride,
              padding: IntOrPair = padding) -> np.ndarray:
        return reference.conv_stage(x, kernels, biases, stride=stride, padding=padding)

    answers = [
        known(FLIPPED_KERNEL, stage(kernels=_flipped(kernels))),
        *(known(ONE_SIDED_PADDING, stage(x=padded, padding=0))
          for padded in _padded_one_side(reference, np.asarray(x), padding, np.shape(kernels))),
        *_one_short(expected),
        *_width_from_height(expected),
        known(STRIDE_NOT_AT_START, _stride_one(stage(stride=1), expected)),
        known(ONE_BIAS_FOR_ALL, stage(biases=one_bias)),
        known(BIAS_PER_CHANNEL, stage(biases=bias_per_channel)),
    ]
    if _padding_skippable(x, kernels, stride, padding):
        answers.append(known(PADDING_FOR_SOME_STRIDES, stage(padding=0)))
    if np.shape(kernels)[0] == np.shape(kernels)[1]:  # otherwise kernels[d, k] is out of range
        answers.append(known(KERNELS_DK, stage(kernels=np.swapaxes(kernels, 0, 1))))
    return answers


def _pool2d_answers(reference: ModuleType, given: Mapping[str, Any], expected: np.ndarray) -> list[Misconception]:
    x, size, stride, mode = (given[name] for name in ("x", "size", "stride", "mode"))
    return [*_pool_stride_answers(lambda s: reference.pool2d(x, size, stride=s, mode=mode), stride),
            *_pooling_answers(expected, size, mode), *_width_from_height(expected)]


def _conv_layer_answers(reference: ModuleType, given: Mapping[str, Any], expected: np.ndarray) -> list[Misconception]:
    """A mistake in the convolution stage, carried through ReLU and pooling, or in the pooling."""
    x, kernels, biases, stride, padding, pool_size, pool_stride, pool_mode = (given[name] for name in (
        "x", "kernels", "biases", "stride", "padding", "pool_size", "pool_stride", "pool_mode"))

    def layer(stage: np.ndarray, stride: IntOrPair | None = pool_stride) -> np.ndarray | None:
        try:  # a wrong stage may be too small for the pooling window
            return reference.pool2d(reference.relu(stage), pool_size, stride=stride, mode=pool_mode)
        except ValueError:
            return None

    stage_given = dict(x=x, kernels=kernels, biases=biases, stride=stride, padding=padding)
    stage = reference.conv_stage(**stage_given)
    answers = [known(m.name, layer(m.answer)) for m in _conv_stage_answers(reference, stage_given, stage)]
    answers += _pool_stride_answers(lambda s: layer(stage, stride=s), pool_stride)
    answers += _pooling_answers(expected, pool_size, pool_mode)
    return [m for m in answers if m.answer is not None]


def _conv_output_size_answers(reference: ModuleType, given: Mapping[str, Any], expected: int) -> list[Misconception]:
    n, f, padding, stride = (given[name] for name in ("n", "f", "padding", "stride"))
    answers = [known(ONE_SHORT, expected - 1), known(STRIDE_IGNORED, n + 2 * padding - f + 1),
               known(CEIL, _ceil_size(n, f, padding, stride))]
    if f <= n + padding:
        answers.append(known(ONE_SIDED_PADDING, reference.conv_output_size(n + padding, f, stride=stride)))
    return answers


def _conv_param_count_answers(reference: ModuleType, given: Mapping[str, Any], expected: int) -> list[Misconception]:
    d_in, f, n_k, bias = (given[name] for name in ("d_in", "f", "n_k", "bias"))
    answers = [known(DEPTH_NOT_COUNTED, reference.conv_param_count(1, f, n_k, bias=bias))]
    if bias:
        weights = reference.conv_param_count(d_in, f, n_k, bias=False)
        answers += [known(BIAS_NOT_COUNTED, weights), known(ONE_BIAS_FOR_ALL, weights + 1)]
    return answers


def _conv_output_shape_answers(reference: ModuleType, given: Mapping[str, Any],
                               expected: tuple[int, int, int]) -> list[Misconception]:
    (d_in, h, w), f, padding, stride = (given[name] for name in ("input_shape", "f", "padding", "stride"))
    depth, height, width = expected
    return [known(ONE_SHORT, (depth, height - 1, width - 1)),
            known(DEPTH_FROM_INPUT, (d_in, height, width)),
            known(WIDTH_FROM_HEIGHT, (depth, height, height)),
            known(CEIL, (depth, _ceil_size(h, f, padding, stride), _ceil_size(w, f, padding, stride)))]


def _flipped(kernel: Any) -> np.ndarray:
    """The kernel(s) rotated by 180° in the last two axes: what true convolution uses."""
    return np.asarray(kernel)[..., ::-1, ::-1]


def _one_short(expected: np.ndarray) -> list[Misconception]:
    """The answer without its last row, its last column, or both."""
    return [known(ONE_SHORT, expected[..., :-1, :-1]), known(ONE_SHORT, expected[..., :-1, :]),
            known(ONE_SHORT, expected[..., :, :-1])]


def _width_from_height(expected: np.ndarray) -> list[Misconception]:
    """The answer with as many columns as rows, when that is fewer (more would not compute)."""
    height, width = expected.shape[-2:]
    return [known(WIDTH_FROM_HEIGHT, expected[..., :, :height])] if height < width else []


def _padded_one_side(
    reference: ModuleType, x: np.ndarray, padding: IntOrPair, kernel_shape: tuple[int, ...]
) -> list[np.ndarray]:
    """x padded after only and before only, where the kernel still fits."""
    ph, pw = as_pair(padding)
    padded = reference.zero_pad(x, padding)
    height, width = padded.shape[-2:]
    sides = [padded[..., ph:, pw:], padded[..., : height - ph, : width - pw]]
    return [p for p in sides if p.shape[-2] >= kernel_shape[-2] and p.shape[-1] >= kernel_shape[-1]]


def _padding_skippable(x: Any, kernels: Any, stride: IntOrPair, padding: IntOrPair) -> bool:
    """Whether leaving the padding out is a mistake to look for: a call with padding and a
    stride above 1 (a submission that pads only with stride 1), whose kernel fits unpadded."""
    fits = np.shape(kernels)[-2] <= np.shape(x)[-2] and np.shape(kernels)[-1] <= np.shape(x)[-1]
    return fits and as_pair(padding) != (0, 0) and as_pair(stride) != (1, 1)


def _stride_one(stride_one: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """The stride-1 answer cut to the right output size: windows at i, not at i·S."""
    return stride_one[..., : expected.shape[-2], : expected.shape[-1]]


def _pool_stride_answers(pool: Callable[[IntOrPair | None], np.ndarray | None],
                         stride: IntOrPair | None) -> list[Misconception]:
    """Pooling with stride 1 or 2 where none was given, or with none where one was."""
    if stride is None:
        return [known(POOL_STRIDE_ONE, pool(1)), known(POOL_STRIDE_TWO, pool(2))]
    return [known(POOL_STRIDE_IGNORED, pool(None))]


def _pooling_answers(expected: np.ndarray, size: IntOrPair, mode: str) -> list[Misconception]:
    """What pooling returns with a wrong average count, or a wrong L2 (no root, or a mean)."""
    ph, pw = as_pair(size)
    if mode == "avg":
        return [known(AVG_WRONG_COUNT, expected * (ph * pw) / count) for count in (1, ph, pw)]
    if mode == "l2":
        return [known(L2_WITHOUT_SQRT, expected**2), known(L2_AS_MEAN, expected / np.sqrt(ph * pw)),
                known(L2_AS_MEAN, expected**2 / (ph * pw))]
    return []


def _ceil_size(n: int, f: int, padding: int, stride: int) -> int:
    """⌈(n + 2P − f) / S⌉ + 1: the count when the division rounds up."""
    return -((f - n - 2 * padding) // stride) + 1


# Second calls -----------------------------------------------------------------------
# A misconception is named only when the student reproduces it on one of these: the call
# made larger, with height and width apart on every axis (image, kernel, pooling window,
# stride, padding). A stride of 1, a padding of 0 and a default pooling stride stay as
# they are, so that a mistake seen only with (or without) them still shows.

SECOND_CALLS = 3  # larger calls tried, in order, until one tells the misconception apart


def second_calls(reference: ModuleType, call: Call) -> list[Call]:
    """Larger calls of ``call``'s function on which its misconceptions are confirmed."""
    grow = _GROWN[call.function]
    function = getattr(reference, call.function)
    return [Call.of(function, **grow(call.parameters, k)) for k in range(1, SECOND_CALLS + 1)]


def _grown_sides(height: int, width: int, k: int) -> tuple[int, int]:
    """An input's height and width made larger, the width more (so they differ more)."""
    return height + 2 * k + 1, width + 3 * k + 3


def _grown_setting(value: IntOrPair | None, k: int, stays: int) -> IntOrPair | None:
    """A stride or padding, larger and different on each axis; ``stays`` (1, 0) and None do not change."""
    if value is None:
        return None
    h, w = as_pair(value)
    return (h if h == stays else h + k, w if w == stays else w + k + 1)


def _filled(shape: tuple[int, ...], like: Any, seed: int) -> np.ndarray:
    """A deterministic array of ``shape`` with ``like``'s dtype family: small values, both signs, halves."""
    rng = np.random.default_rng(seed)
    dtype = np.asarray(like).dtype
    values = rng.integers(-9, 10, shape)
    if dtype.kind == "b":
        return values > 0
    if dtype.kind in "iu":
        return (np.abs(values) if dtype.kind == "u" else values).astype(dtype)
    return (values + rng.integers(0, 2, shape) / 2).astype(dtype if dtype.kind == "f" else np.float64)


def _grown_image(x: Any, k: int, seed: int, channels: int = 0) -> np.ndarray:
    """A larger image or stack: sides grown, ``channels`` more leading maps (when it has them)."""
    shape = np.shape(x)
    leading = tuple(n + channels for n in shape[:-2])
    return _filled((*leading, *_grown_sides(*shape[-2:], k)), x, seed)


def _grown_kernels(kernels: Any, k: int, seed: int, more: int = 0) -> np.ndarray:
    """Larger kernel(s): one more row, k more columns, ``more`` more on each leading axis."""
    shape = np.shape(kernels)
    leading = tuple(n + more for n in shape[:-2])
    return _filled((*leading, shape[-2] + 1, shape[-1] + k), kernels, seed)


def _grown_zero_pad(given: Mapping[str, Any], k: int) -> dict[str, Any]:
    return dict(x=_grown_image(given["x"], k, k, channels=1), pad=_grown_setting(given["pad"], k, 0))


def _grown_cross_correlate2d(given: Mapping[str, Any], k: int) -> dict[str, Any]:
    return dict(image=_grown_image(given["image"], k, k), kernel=_grown_kernels(given["kernel"], k, 10 + k))


def _grown_conv2d(given: Mapping[str, Any], k: int) -> dict[str, Any]:
    return dict(**_grown_cross_correlate2d(given, k), stride=_grown_setting(given["stride"], k, 1),
                padding=_grown_setting(given["padding"], k, 0))


def _grown_conv_stage(given: Mapping[str, Any], k: int) -> dict[str, Any]:
    """One more input channel and one more kernel (so N_k = D_in stays as it was)."""
    kernels = _grown_kernels(given["kernels"], k, 10 + k, more=1)
    return dict(x=_grown_image(given["x"], k, k, channels=1), kernels=kernels,
                biases=_filled(kernels.shape[:1], given["biases"], 20 + k),
                stride=_grown_setting(given["stride"], k, 1), padding=_grown_setting(given["padding"], k, 0))


def _grown_pool2d(given: Mapping[str, Any], k: int) -> dict[str, Any]:
    ph, pw = as_pair(given["size"])
    return dict(x=_grown_image(given["x"], k, k, channels=1), size=(ph + k, pw + 1),
                stride=_grown_setting(given["stride"], k, 1), mode=given["mode"])


def _grown_conv_layer(given: Mapping[str, Any], k: int) -> dict[str, Any]:
    """A larger stage, and a larger pooling window cut to fit its feature maps."""
    stage = _grown_conv_stage(given, k)
    (sh, sw), (ph, pw) = as_pair(stage["stride"]), as_pair(stage["padding"])
    _, _, fh, fw = stage["kernels"].shape
    height = (stage["x"].shape[1] + 2 * ph - fh) // sh + 1
    width = (stage["x"].shape[2] + 2 * pw - fw) // sw + 1
    size_h, size_w = as_pair(given["pool_size"])
    return dict(**stage, pool_size=(min(size_h + k, height), min(size_w + 1, width)),
                pool_stride=_grown_setting(given["pool_stride"], k, 1), pool_mode=given["pool_mode"])


def _grown_conv_output_size(given: Mapping[str, Any], k: int) -> dict[str, Any]:
    padding, stride = given["padding"], given["stride"]
    return dict(n=given["n"] + 2 * k + 3, f=given["f"] + k, padding=padding and padding + k,
                stride=stride if stride == 1 else stride + k)


def _grown_conv_output_shape(given: Mapping[str, Any], k: int) -> dict[str, Any]:
    d_in, h, w = given["input_shape"]
    padding, stride = given["padding"], given["stride"]
    return dict(input_shape=(d_in + 1, *_grown_sides(h, w, k)), n_k=given["n_k"] + 1, f=given["f"] + k,
                padding=padding and padding + k, stride=stride if stride == 1 else stride + k)


def _grown_conv_param_count(given: Mapping[str, Any], k: int) -> dict[str, Any]:
    return dict(d_in=given["d_in"] + k, f=given["f"] + k + 1, n_k=given["n_k"] + 2 * k, bias=given["bias"])


_GROWN: dict[str, Callable[[Mapping[str, Any], int], dict[str, Any]]] = {
    "zero_pad": _grown_zero_pad,
    "cross_correlate2d": _grown_cross_correlate2d,
    "conv2d": _grown_conv2d,
    "conv_stage": _grown_conv_stage,
    "pool2d": _grown_pool2d,
    "conv_layer": _grown_conv_layer,
    "conv_output_size": _grown_conv_output_size,
    "conv_output_shape": _grown_conv_output_shape,
    "conv_param_count": _grown_conv_param_count,
}
