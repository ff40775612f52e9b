"""What the hidden CNN tests share: input strategies, known misconceptions, and one check
per graded function.

Each ``check_<function>`` makes one call on the student and on the reference, computes the
answers of the misconceptions that apply to that call (the reference on transformed
inputs), and hands all of it to the generic checks of ``autograder.checks``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st

from autograder.checks import Call, Misconception, expect_array, expect_int, expect_int_tuple

IntOrPair = int | tuple[int, int]

MAX_SIDE = 8  # largest generated image side
MAX_KERNEL = 5  # largest generated kernel side
MAX_CHANNELS = 3  # largest generated depth and number of kernels
MAX_STRIDE = 3
MAX_PADDING = 2
ELEMENTS = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
POOL_MODES = ("max", "avg", "l2")

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


def grids(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """Float arrays of ``shape`` with moderate values, negative ones included."""
    return hnp.arrays(np.float64, shape, elements=ELEMENTS)


def int_or_pair(low: int, high: int) -> st.SearchStrategy[IntOrPair]:
    """An int in [low, high], or a pair of them (shrinks to the int)."""
    values = st.integers(low, high)
    return st.one_of(values, st.tuples(values, values))


@st.composite
def images_or_stacks(draw: st.DrawFn) -> np.ndarray:
    """A 2-D image (H, W) or a 3-D stack of maps (C, H, W)."""
    channels = draw(st.one_of(st.just(()), st.tuples(st.integers(1, MAX_CHANNELS))))
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
    h, w = x.shape[-2:]
    size = draw(st.one_of(st.integers(1, min(h, w)), st.tuples(st.integers(1, h), st.integers(1, w))))
    stride = None if default_stride else draw(int_or_pair(1, MAX_STRIDE))
    return x, size, stride, draw(st.sampled_from(modes))


@st.composite
def conv_layer_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """Keyword arguments of a conv_layer call whose pooling window fits the feature maps."""
    x, kernels, biases, stride, padding = draw(conv_stage_inputs(MAX_STRIDE, MAX_PADDING))
    (sh, sw), (ph, pw) = as_pair(stride), as_pair(padding)
    h_out = (x.shape[1] + 2 * ph - kernels.shape[2]) // sh + 1
    w_out = (x.shape[2] + 2 * pw - kernels.shape[3]) // sw + 1
    pool_size = draw(st.tuples(st.integers(1, h_out), st.integers(1, w_out)))
    pool_stride = draw(st.one_of(st.none(), int_or_pair(1, MAX_STRIDE)))
    return dict(x=x, kernels=kernels, biases=biases, stride=stride, padding=padding, pool_size=pool_size,
                pool_stride=pool_stride, pool_mode=draw(st.sampled_from(POOL_MODES)))


# Checks -----------------------------------------------------------------------------


def check_zero_pad(student: Any, reference: ModuleType, x: np.ndarray, pad: IntOrPair) -> None:
    """zero_pad(x, pad) equals the reference, with x's dtype."""
    call = Call.of(reference.zero_pad, x, pad)
    expected = call.run(reference)
    ph, pw = as_pair(pad)
    height, width = expected.shape[-2:]
    one_sided = [known(ONE_SIDED_PADDING, expected[..., ph:, pw:]),
                 known(ONE_SIDED_PADDING, expected[..., : height - ph, : width - pw])]
    expect_array(call.run(student), expected, call=call, dtype_kind=None, misconceptions=one_sided)


def check_cross_correlate2d(student: Any, reference: ModuleType, image: np.ndarray, kernel: np.ndarray) -> None:
    """cross_correlate2d(image, kernel) equals the reference, as floats."""
    call = Call.of(reference.cross_correlate2d, image, kernel)
    expected = call.run(reference)
    misconceptions = [known(FLIPPED_KERNEL, reference.cross_correlate2d(image, _flipped(kernel))),
                      *_one_short(expected)]
    expect_array(call.run(student), expected, call=call, dtype_kind="f", misconceptions=misconceptions)


def check_conv2d(
    student: Any,
    reference: ModuleType,
    image: np.ndarray,
    kernel: np.ndarray,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
) -> None:
    """conv2d(image, kernel, stride=stride, padding=padding) equals the reference."""
    call = Call.of(reference.conv2d, image, kernel, stride=stride, padding=padding)
    expected = call.run(reference)
    misconceptions = [
        known(FLIPPED_KERNEL, reference.conv2d(image, _flipped(kernel), stride=stride, padding=padding)),
        *(known(ONE_SIDED_PADDING, reference.conv2d(padded, kernel, stride=stride))
          for padded in _padded_one_side(reference, np.asarray(image), padding, np.shape(kernel))),
        *_one_short(expected),
        known(STRIDE_NOT_AT_START, _stride_one(reference.conv2d(image, kernel, padding=padding), expected)),
    ]
    expect_array(call.run(student), expected, call=call, dtype_kind="iuf", misconceptions=misconceptions)


def check_conv_stage(
    student: Any,
    reference: ModuleType,
    x: np.ndarray,
    kernels: np.ndarray,
    biases: np.ndarray,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
) -> None:
    """conv_stage(x, kernels, biases, stride=stride, padding=padding) equals the reference."""
    call = Call.of(reference.conv_stage, x, kernels, biases, stride=stride, padding=padding)
    expected = call.run(reference)
    biases = np.asarray(biases, dtype=float)
    one_bias, bias_per_channel = np.full_like(biases, biases[0]), biases * np.shape(x)[0]
    misconceptions = [
        known(FLIPPED_KERNEL, reference.conv_stage(x, _flipped(kernels), biases, stride=stride, padding=padding)),
        *(known(ONE_SIDED_PADDING, reference.conv_stage(padded, kernels, biases, stride=stride))
          for padded in _padded_one_side(reference, np.asarray(x), padding, np.shape(kernels))),
        *_one_short(expected),
        known(STRIDE_NOT_AT_START, _stride_one(reference.conv_stage(x, kernels, biases, padding=padding), expected)),
        known(ONE_BIAS_FOR_ALL, reference.conv_stage(x, kernels, one_bias, stride=stride, padding=padding)),
        known(BIAS_PER_CHANNEL, reference.conv_stage(x, kernels, bias_per_channel, stride=stride, padding=padding)),
    ]
    expect_array(call.run(student), expected, call=call, dtype_kind="iuf", misconceptions=misconceptions)


def check_pool2d(
    student: Any,
    reference: ModuleType,
    x: np.ndarray,
    size: IntOrPair,
    stride: IntOrPair | None = None,
    mode: str = "max",
) -> None:
    """pool2d(x, size, stride=stride, mode=mode) equals the reference."""
    call = Call.of(reference.pool2d, x, size, stride=stride, mode=mode)
    expected = call.run(reference)
    misconceptions = []
    if stride is None:
        misconceptions.append(known(POOL_STRIDE_ONE, reference.pool2d(x, size, stride=1, mode=mode)))
    if mode == "avg":
        ph, pw = as_pair(size)
        misconceptions += [known(AVG_WRONG_COUNT, expected * (ph * pw) / count) for count in (1, ph, pw)]
    if mode == "l2":
        misconceptions.append(known(L2_WITHOUT_SQRT, expected**2))
    expect_array(call.run(student), expected, call=call, dtype_kind="iuf", misconceptions=misconceptions)


def check_relu(student: Any, reference: ModuleType, x: np.ndarray) -> None:
    """relu(x) equals the reference, as floats."""
    call = Call.of(reference.relu, x)
    expect_array(call.run(student), call.run(reference), call=call, dtype_kind="f")


def check_conv_layer(student: Any, reference: ModuleType, **arguments: Any) -> None:
    """conv_layer(**arguments) equals the reference."""
    x, kernels, biases = arguments.pop("x"), arguments.pop("kernels"), arguments.pop("biases")
    call = Call.of(reference.conv_layer, x, kernels, biases, **arguments)
    expected = call.run(reference)
    biases = np.asarray(biases, dtype=float)
    misconceptions = [
        known(FLIPPED_KERNEL, reference.conv_layer(x, _flipped(kernels), biases, **arguments)),
        known(ONE_BIAS_FOR_ALL, reference.conv_layer(x, kernels, np.full_like(biases, biases[0]), **arguments)),
    ]
    if arguments.get("pool_stride") is None:
        misconceptions.append(known(POOL_STRIDE_ONE, reference.conv_layer(x, kernels, biases,
                                                                           **{**arguments, "pool_stride": 1})))
    if arguments.get("pool_mode") == "l2":
        misconceptions.append(known(L2_WITHOUT_SQRT, expected**2))
    expect_array(call.run(student), expected, call=call, dtype_kind="iuf", misconceptions=misconceptions)


def check_conv_output_size(student: Any, reference: ModuleType, n: int, f: int, padding: int = 0,
                           stride: int = 1) -> None:
    """conv_output_size(n, f, padding=padding, stride=stride) equals the reference, as an int."""
    call = Call.of(reference.conv_output_size, n, f, padding=padding, stride=stride)
    expected = call.run(reference)
    misconceptions = [known(ONE_SHORT, expected - 1), known(STRIDE_IGNORED, n + 2 * padding - f + 1)]
    if f <= n + padding:
        misconceptions.append(known(ONE_SIDED_PADDING, reference.conv_output_size(n + padding, f, stride=stride)))
    expect_int(call.run(student), expected, call=call, misconceptions=misconceptions)


def check_conv_param_count(student: Any, reference: ModuleType, d_in: int, f: int, n_k: int,
                           bias: bool = True) -> None:
    """conv_param_count(d_in, f, n_k, bias=bias) equals the reference, as an int."""
    call = Call.of(reference.conv_param_count, d_in, f, n_k, bias=bias)
    expected = call.run(reference)
    misconceptions = [known(DEPTH_NOT_COUNTED, reference.conv_param_count(1, f, n_k, bias=bias))]
    if bias:
        weights = reference.conv_param_count(d_in, f, n_k, bias=False)
        misconceptions += [known(BIAS_NOT_COUNTED, weights), known(ONE_BIAS_FOR_ALL, weights + 1)]
    expect_int(call.run(student), expected, call=call, misconceptions=misconceptions)


def check_conv_output_shape(student: Any, reference: ModuleType, input_shape: tuple[int, int, int], n_k: int,
                            f: int, padding: int = 0, stride: int = 1) -> None:
    """conv_output_shape(input_shape, n_k, f, padding=padding, stride=stride) equals the reference."""
    call = Call.of(reference.conv_output_shape, input_shape, n_k, f, padding=padding, stride=stride)
    expected = call.run(reference)
    depth, height, width = expected
    misconceptions = [known(ONE_SHORT, (depth, height - 1, width - 1)),
                      known(DEPTH_FROM_INPUT, (input_shape[0], height, width))]
    expect_int_tuple(call.run(student), expected, call=call, misconceptions=misconceptions)


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
