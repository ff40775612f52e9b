"""What the hidden architecture tests share: strategies, known misconceptions, and one check
per graded function.

Two kinds of answers are graded here:

- **Kernels, which have no single right value** (``edge_kernel``, ``blur_kernel``): the
  kernel is judged by what it does to images, property by property, on images hypothesis
  generates; a failure names the property and shows the image, the kernel and the response.
- **Values and tables, which do**: compared with the reference by the generic checks of
  ``autograder.checks`` (``expect_rows`` points at the first wrong row and field of a
  table). A misconception is named only when the student's function reproduces it on a
  second call (``Confirmation``) where it tells it apart from the right answer and from
  every other known mistake.

A table's mistakes are computed by ``table`` under ``Rules`` that differ from the right
ones in one formula, so that a mistake early in a network carries into every later row, as
it does in a submission.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from types import ModuleType
from typing import Any, Callable, Sequence

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
    expect_raises,
    expect_rows,
)
from autograder.feedback import Feedback, format_value

MAX_KERNEL_SIDE = 9  # the largest kernel a student may choose; images are a few pixels larger
IMAGE_MARGIN = 4  # generated images are up to this many pixels larger than the kernel on each axis
VALUES = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
ZERO = 1e-9  # a response this small relative to the kernel's and the image's scale is no response
ROW_FIELDS = ("kind", "output shape", "params")
DIRECTIONS = ("vertical", "horizontal")

STRIDES_NOT_MULTIPLIED = "strides of earlier layers not multiplied into the receptive field"
BIAS_NOT_COUNTED = "bias left out of the parameter count"
ONE_BIAS_FOR_ALL = "one bias for the whole layer"
BIAS_PER_CHANNEL = "bias counted once per input channel"
POOL_PARAMETERS = "pool layers given parameters"
FLATTEN_WRONG_AXES = "flatten size from the wrong axes"
PADDING_ONCE = "padding counted once instead of on each side"
FLIPPED_KERNEL = "flipped kernel (true convolution)"
SWAPPED_DIRECTIONS = "edge directions swapped"

ADVICE = {
    STRIDES_NOT_MULTIPLIED: "Your receptive field does not multiply the strides of the earlier layers: "
    "one step of a layer's input is the product of the strides of all the layers before it, so a layer "
    "of window f adds (f − 1) × (that product) to the side, not f − 1 or (f − 1) × its own stride.",
    BIAS_NOT_COUNTED: "Your count leaves out the biases: every unit of a dense layer and every kernel of "
    "a conv layer has one bias of its own.",
    ONE_BIAS_FOR_ALL: "Your count has one bias for the whole layer: every unit has a bias of its own, "
    "so a dense layer has n_out biases.",
    BIAS_PER_CHANNEL: "Your conv count gives each kernel one bias per input channel: a kernel spans all "
    "C input channels with f·f·C weights, and its one bias is added once, after the sum, so a conv layer "
    "has n_k·(f·f·C + 1) parameters.",
    POOL_PARAMETERS: "Your table gives a pool layer parameters: max pooling takes the largest value of "
    "each window, and nothing in it is learned, so a pool layer has 0 parameters.",
    FLATTEN_WRONG_AXES: "Your flatten size comes from the wrong axes: flatten turns a (C, H, W) volume "
    "into one vector of C·H·W values, every channel included.",
    PADDING_ONCE: "Your conv output side counts the padding once: padding P adds P zeros on each side "
    "of an axis, so the side is ⌊(H + 2P − f) / S⌋ + 1.",
    FLIPPED_KERNEL: "Your matrix flips the kernel (a true convolution): in cross-correlation "
    "y[i] = Σ_m x[i + m]·kernel[m], so row i holds kernel[0], ..., kernel[f − 1] from column i on.",
    SWAPPED_DIRECTIONS: "Your kernel detects the other direction: a vertical edge is a change from one "
    "column to the next (the lecture's [1 −1], a 1×2 kernel); a horizontal edge is a change from one "
    "row to the next (its transpose, 2×1).",
}


def known(name: str, answer: Any) -> Misconception:
    """The misconception ``name``, with its answer for the call at hand."""
    return Misconception(name, answer, ADVICE[name])


# Kernels: judged by what they do -----------------------------------------------------


def cross_correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The "valid" cross-correlation S(i, j) = Σ_m Σ_n I(i + m, j + n) K(m, n)."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijmn,mn->ij", windows, kernel)


def usable_kernel(student: Any, call: Call, side: int | None = None) -> np.ndarray:
    """The student's kernel, after checking it is a finite 2-D numeric array of a usable size."""
    got = call.run(student)
    where = call.summary()
    if type(got) is not np.ndarray or got.dtype.kind not in "biuf":
        raise Feedback(f"{call.function} returned {_kind(got)}; expected a 2-D numpy array of numbers for {where}.")
    if got.ndim != 2 or got.size == 0:
        raise Feedback(f"{call.function} returned an array of shape {got.shape}; expected a non-empty 2-D kernel "
                       f"for {where}.")
    if side is not None and got.shape != (side, side):
        raise Feedback(f"{call.function} returned a kernel of shape {got.shape}; expected {(side, side)} for "
                       f"{where}.")
    if max(got.shape) > MAX_KERNEL_SIDE:
        raise Feedback(f"{call.function} returned a kernel of shape {got.shape}; a kernel may be at most "
                       f"{MAX_KERNEL_SIDE}×{MAX_KERNEL_SIDE} for {where}.")
    if not np.all(np.isfinite(got)):
        raise Feedback(f"{call.function} returned a kernel with inf or nan for {where}:\n{format_value(got)}")
    return got.astype(float)


@dataclass(frozen=True)
class EdgeImage:
    """An image an edge kernel is tried on, and what its response must be."""

    property: str  # the sentence that fails: "responds to a constant image"
    image: np.ndarray
    respond_rows: bool  # must respond at the edge in every output row or column
    edge: int | None = None  # the column (vertical) or row (horizontal) where the step is


def edge_images(kernel_shape: tuple[int, int], direction: str, constant: float, profile: np.ndarray,
                before: float, after: float, extra: tuple[int, int], edge_at: int) -> list[EdgeImage]:
    """The three images of the edge-kernel properties, for a vertical kernel (transposed for a
    horizontal one): a constant image, one that changes only from row to row, a step edge."""
    fh, fw = kernel_shape if direction == "vertical" else kernel_shape[::-1]
    height, width = fh + extra[0], fw + extra[1] + 1
    other = np.repeat(np.resize(profile, height)[:, None], width, axis=1)
    step = np.full((height, width), before)
    column = 1 + edge_at % (width - 1)
    step[:, column:] = after
    images = [EdgeImage("responds to a constant image", np.full((height, width), constant), False),
              EdgeImage("responds to an image that changes only along the other axis", other, False),
              EdgeImage("does not respond at, and only next to, a step edge", step, True, column)]
    if direction == "horizontal":
        return [replace(case, image=case.image.T.copy()) for case in images]
    return images


def edge_failure(kernel: np.ndarray, case: EdgeImage, direction: str) -> str | None:
    """Why ``kernel`` fails ``case`` (the property, where and what it gave), or None."""
    response = cross_correlate(case.image, kernel)
    scale = ZERO * max(1.0, float(np.abs(kernel).max())) * max(1.0, float(np.abs(case.image).max())) * kernel.size
    responds = np.abs(response) > scale
    if direction == "horizontal":  # judge it as the vertical case: edge columns become rows
        responds, kernel_width = responds.T, kernel.shape[0]
    else:
        kernel_width = kernel.shape[1]
    if case.edge is None:
        allowed = np.zeros_like(responds)
    else:
        starts = np.arange(responds.shape[1])
        allowed = np.broadcast_to((starts <= case.edge - 1) & (starts + kernel_width - 1 >= case.edge), responds.shape)
    stray = responds & ~allowed
    if stray.any():
        index = tuple(int(i) for i in np.argwhere(stray.T if direction == "horizontal" else stray)[0])
        return f"{response[index]:.6g} at {index}, where it must be 0"
    if case.respond_rows and not responds.any(axis=1).all():
        line = int(np.argmin(responds.any(axis=1)))
        where = f"row {line}" if direction == "vertical" else f"column {line}"
        return f"nothing in {where} of the response, where the kernel covers the edge"
    return None


def check_edge_kernel(student: Any, reference: ModuleType, direction: str, **image_settings: Any) -> None:
    """edge_kernel(direction) passes the three edge properties on the images of ``image_settings``."""
    call = Call.of(reference.edge_kernel, direction)
    kernel = usable_kernel(student, call)
    for case in edge_images(kernel.shape, direction, **image_settings):
        failure = edge_failure(kernel, case, direction)
        if failure:
            advice, name = _swapped_directions(kernel, direction)
            raise Feedback(f"Your {direction} kernel {case.property}: cross-correlating it with the image below "
                           f"gives {failure}. {advice}".rstrip() + f"\nKernel {format_value(kernel)}\n"
                           f"Image {format_value(case.image)}\nResponse {format_value(cross_correlate(case.image, kernel))}",
                           misconception=name)


def _swapped_directions(kernel: np.ndarray, direction: str) -> tuple[str, str | None]:
    """The advice and name of ``SWAPPED_DIRECTIONS`` when the kernel is a good kernel for the
    other direction on every one of a few fixed images, else nothing."""
    other = DIRECTIONS[1 - DIRECTIONS.index(direction)]
    settings = [dict(constant=c, profile=np.array([3.0, -1.5, 2, 7, -4]), before=b, after=a, extra=(2, 3),
                     edge_at=e) for c, b, a, e in [(2.5, 1.0, -3.0, 1), (-4.0, 6.0, 2.0, 3)]]
    if all(edge_failure(kernel, case, other) is None for s in settings for case in edge_images(kernel.shape, other, **s)):
        return ADVICE[SWAPPED_DIRECTIONS], SWAPPED_DIRECTIONS
    return "", None


@st.composite
def edge_image_settings(draw: st.DrawFn) -> dict[str, Any]:
    """What ``edge_images`` needs: a constant, a row profile, the two sides of a step (apart)."""
    before = draw(VALUES)
    after = draw(VALUES.filter(lambda v: abs(v - before) >= 0.5))
    profile = draw(hnp.arrays(np.float64, draw(st.integers(2, 6)), elements=VALUES).filter(lambda p: np.ptp(p) >= 0.5))
    return dict(constant=draw(VALUES), profile=profile, before=before, after=after,
                extra=(draw(st.integers(0, IMAGE_MARGIN)), draw(st.integers(0, IMAGE_MARGIN))),
                edge_at=draw(st.integers(0, 16)))


def check_blur_kernel(student: Any, reference: ModuleType, size: int, image: np.ndarray, constant: float) -> None:
    """blur_kernel(size) is size×size, keeps a constant image and keeps every output within the
    input's range (``image`` is at least size×size)."""
    call = Call.of(reference.blur_kernel, size)
    kernel = usable_kernel(student, call, side=size)
    flat = np.full(image.shape, constant)
    response = cross_correlate(flat, kernel)
    wrong = ~np.isclose(response, constant, rtol=1e-6, atol=1e-6)
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        _blur_failure(f"changes a constant image: every output must be {constant:g}, but at {index} it is "
                      f"{response[index]:.6g}. A blur is an average: its weights add up to 1", kernel, flat, response)
    response = cross_correlate(image, kernel)
    low, high = image.min(), image.max()
    outside = (response < low - 1e-6 * max(1, abs(low))) | (response > high + 1e-6 * max(1, abs(high)))
    if outside.any():
        index = tuple(int(i) for i in np.argwhere(outside)[0])
        _blur_failure(f"gives {response[index]:.6g} at {index}, outside the image's range [{low:g}, {high:g}]. "
                      f"An average of values lies between the smallest and the largest of them: the weights must "
                      f"not be negative", kernel, image, response)


def _blur_failure(sentence: str, kernel: np.ndarray, image: np.ndarray, response: np.ndarray) -> None:
    raise Feedback(f"Your {kernel.shape[0]}×{kernel.shape[1]} blur kernel {sentence}.\nKernel {format_value(kernel)}\n"
                   f"Image {format_value(image)}\nResponse {format_value(response)}")


@st.composite
def blur_cases(draw: st.DrawFn) -> tuple[int, np.ndarray, float]:
    """(size, image at least size×size, a constant)."""
    size = draw(st.integers(1, 5))
    shape = (size + draw(st.integers(0, IMAGE_MARGIN)), size + draw(st.integers(0, IMAGE_MARGIN)))
    return size, draw(_grids(shape)), draw(VALUES)


@lru_cache(maxsize=None)
def _grids(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=VALUES)


# Values: one right answer ------------------------------------------------------------


def check_dense_param_count(student: Any, reference: ModuleType, n_in: int, n_out: int, bias: bool = True) -> None:
    """dense_param_count(n_in, n_out, bias=bias) equals the reference, as an int."""
    call = Call.of(reference.dense_param_count, n_in, n_out, bias=bias)
    _check(student, reference, call, expect_int, _dense_answers,
           lambda: [Call.of(reference.dense_param_count, n_in + 3, n_out + 5, bias=bias)])


def check_conv_as_matrix(student: Any, reference: ModuleType, kernel: np.ndarray, n: int) -> None:
    """conv_as_matrix(kernel, n) equals the reference, as floats."""
    call = Call.of(reference.conv_as_matrix, kernel, n)
    second = np.arange(1.0, len(kernel) + 2.0) ** 2  # longer, and no symmetry
    _check(student, reference, call, expect_array, _matrix_answers,
           lambda: [Call.of(reference.conv_as_matrix, second, n + 4)], dtype_kind="f")


def check_receptive_field(student: Any, reference: ModuleType, layers: list) -> None:
    """receptive_field(layers) equals the reference, as an int."""
    _check(student, reference, Call.of(reference.receptive_field, layers), expect_int, _receptive_field_answers,
           lambda: [Call.of(reference.receptive_field, SECOND_STACK)])


def check_layer_table(student: Any, reference: ModuleType, input_shape: tuple[int, int, int], layers: list) -> None:
    """layer_table(input_shape, layers) equals the reference, row by row and field by field."""
    call = Call.of(reference.layer_table, input_shape, layers)
    _check(student, reference, call, expect_rows, _table_answers,
           lambda: [Call.of(reference.layer_table, SECOND_INPUT, SECOND_NETWORK)], fields=ROW_FIELDS)


def check_lenet5(student: Any, reference: ModuleType) -> None:
    """lenet5() gives, through the reference layer_table, the reference's table of LeNet-5."""
    got = Call.of(reference.lenet5).run(student)
    expected = reference.layer_table(LENET_INPUT, reference.lenet5())
    table_call = Call.of(reference.layer_table, LENET_INPUT, got)
    if type(got) is not list or not all(type(layer) is tuple and layer and type(layer[0]) is str for layer in got):
        raise Feedback(f"lenet5 returned {_kind(got)}; expected a list of layer tuples such as "
                       f"('conv', 6, 5, 0, 1) or ('relu',).")
    try:
        table = reference.layer_table(LENET_INPUT, got)
    except (ValueError, TypeError, IndexError) as exc:
        raise Feedback(f"Your LeNet-5 layers do not fit a {LENET_INPUT} input: {exc}.\nYour layers: "
                       f"{format_value(got)}") from None
    expect_rows(table, expected, call=table_call, fields=ROW_FIELDS)


def check_rejects(student: Any, reference: ModuleType, function: str,
                  cases: Sequence[tuple[tuple[Any, ...], str]]) -> None:
    """``function(*args)`` raises ValueError for each ``(args, because)``."""
    for args, because in cases:
        expect_raises(ValueError, call=Call.of(getattr(reference, function), *args), functions=student,
                      because=because)


Answers = Callable[[ModuleType, dict[str, Any], Any], list[Misconception]]


def _check(student: Any, reference: ModuleType, call: Call, expect: Callable[..., None], answers: Answers,
           second_calls: Callable[[], list[Call]], **options: Any) -> None:
    """Check the student's answer to ``call``; when it is wrong, check it again with the known
    mistakes' answers, each named only once confirmed on ``second_calls``."""
    expected = call.run(reference)
    got = call.run(student)
    try:
        expect(got, expected, call=call, **options)
    except Feedback:
        def examples() -> list[Example]:
            return [Example(c, e, answers(reference, c.parameters, e))
                    for c in second_calls() for e in [c.run(reference)]]

        confirmation = Confirmation(student, examples)
        known_here = [replace(m, confirm=confirmation) for m in answers(reference, call.parameters, expected)]
        expect(got, expected, call=call, misconceptions=known_here, **options)
        raise


def _dense_answers(reference: ModuleType, given: dict[str, Any], expected: int) -> list[Misconception]:
    if not given["bias"]:
        return []
    weights = given["n_in"] * given["n_out"]
    return [known(BIAS_NOT_COUNTED, weights), known(ONE_BIAS_FOR_ALL, weights + 1)]


def _matrix_answers(reference: ModuleType, given: dict[str, Any], expected: np.ndarray) -> list[Misconception]:
    kernel = np.asarray(given["kernel"], dtype=float)
    return [known(FLIPPED_KERNEL, reference.conv_as_matrix(kernel[::-1], given["n"]))]


def _receptive_field_answers(reference: ModuleType, given: dict[str, Any], expected: int) -> list[Misconception]:
    """Strides left out, or only the previous layer's stride used, for each window."""
    windows = [(layer[2], layer[4]) if layer[0] == "conv" else (layer[1], layer[2])
               for layer in given["layers"] if layer[0] in ("conv", "pool")]
    unstrided = 1 + sum(f - 1 for f, _ in windows)
    previous = 1 + sum((f - 1) * (windows[k - 1][1] if k else 1) for k, (f, _) in enumerate(windows))
    return [known(STRIDES_NOT_MULTIPLIED, unstrided), known(STRIDES_NOT_MULTIPLIED, previous)]


def _table_answers(reference: ModuleType, given: dict[str, Any], expected: list) -> list[Misconception]:
    """Each mistake's whole table, carried through every later row."""
    answers = []
    for name, variants in MISTAKES.items():
        for rules in variants:
            mistaken = table(given["input_shape"], given["layers"], rules)
            if mistaken is not None:
                answers.append(known(name, mistaken))
    return answers


def _kind(value: Any) -> str:
    return f"a value of type {type(value).__name__}: {format_value(value)}"


# Tables, with the right rules and the mistaken ones -----------------------------------


@dataclass(frozen=True)
class Rules:
    """The formulas of a layer table; the defaults are the right ones."""

    conv_side: Callable[[int, int, int, int], int] = lambda n, f, p, s: (n + 2 * p - f) // s + 1
    conv_params: Callable[[int, int, int], int] = lambda n_k, f, c: n_k * (f * f * c + 1)
    pool_params: Callable[[int, int], int] = lambda c, size: 0
    flat: Callable[[int, int, int], int] = lambda c, h, w: c * h * w
    dense_params: Callable[[int, int], int] = lambda n, units: n * units + units


MISTAKES: dict[str, tuple[Rules, ...]] = {
    BIAS_NOT_COUNTED: (Rules(conv_params=lambda n_k, f, c: n_k * f * f * c, dense_params=lambda n, u: n * u),),
    BIAS_PER_CHANNEL: (Rules(conv_params=lambda n_k, f, c: n_k * c * (f * f + 1)),),
    POOL_PARAMETERS: (Rules(pool_params=lambda c, size: 2 * c), Rules(pool_params=lambda c, size: size * size * c),
                      Rules(pool_params=lambda c, size: c * (size * size + 1))),
    FLATTEN_WRONG_AXES: (Rules(flat=lambda c, h, w: h * w), Rules(flat=lambda c, h, w: c * h),
                         Rules(flat=lambda c, h, w: c * w)),
    PADDING_ONCE: (Rules(conv_side=lambda n, f, p, s: (n + p - f) // s + 1),),
}


def table(input_shape: tuple[int, ...], layers: Sequence[tuple], rules: Rules = Rules()) -> list | None:
    """The rows of ``layers`` under ``rules``; None when a layer then does not fit."""
    shape, rows = tuple(input_shape), []
    for layer in layers:
        kind, params = layer[0], 0
        if kind == "conv":
            _, n_k, f, padding, stride = layer
            c, h, w = shape
            shape = (n_k, rules.conv_side(h, f, padding, stride), rules.conv_side(w, f, padding, stride))
            params = rules.conv_params(n_k, f, c)
        elif kind == "pool":
            _, size, stride = layer
            c, h, w = shape
            shape, params = (c, (h - size) // stride + 1, (w - size) // stride + 1), rules.pool_params(c, size)
        elif kind == "flatten":
            shape = (rules.flat(*shape),)
        elif kind == "dense":
            shape, params = (layer[1],), rules.dense_params(shape[0], layer[1])
        if min(shape) < 1:
            return None
        rows.append((kind, shape, params))
    return rows


# Architectures -----------------------------------------------------------------------

LENET_INPUT = (1, 32, 32)
LENET_PARAMETERS = 61_706
# Second calls: strides, paddings, channels and sides all apart, so that every mistake
# gives its own answer.
SECOND_STACK = [("conv", 4, 3, 1, 2), ("relu",), ("pool", 2, 2), ("conv", 4, 5, 2, 1), ("pool", 3, 3),
                ("conv", 2, 3, 0, 1)]
SECOND_INPUT = (3, 29, 23)
SECOND_NETWORK = [("conv", 4, 5, 2, 2), ("relu",), ("pool", 3, 2), ("conv", 5, 3, 1, 1), ("pool", 2, 2),
                  ("flatten",), ("dense", 7), ("relu",), ("dense", 3)]


@st.composite
def networks(draw: st.DrawFn, dense: bool = True) -> tuple[tuple[int, int, int], list]:
    """(input_shape, layers) that fit: conv, relu and pool layers, then (if ``dense``) maybe
    flatten and dense layers. Sides stay small enough that every layer fits."""
    channels, height, width = draw(st.integers(1, 4)), draw(st.integers(6, 40)), draw(st.integers(6, 40))
    layers: list = []
    side = min(height, width)
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(("conv", "pool", "relu")))
        if kind == "relu":
            layers.append(("relu",))
            continue
        padding = draw(st.integers(0, 2)) if kind == "conv" else 0
        f = draw(st.integers(1, min(7, side + 2 * padding)))
        stride = draw(st.integers(1, 3))
        layers.append(("conv", draw(st.integers(1, 8)), f, padding, stride) if kind == "conv" else ("pool", f, stride))
        side = (side + 2 * padding - f) // stride + 1
    if dense and draw(st.booleans()):
        layers.append(("flatten",))
        layers += [("dense", draw(st.integers(1, 20))) for _ in range(draw(st.integers(0, 2)))]
    return (channels, height, width), layers
