"""The cnn reference solution: known answers, a worked lecture example, and agreement with
a second, loop-based implementation on generated inputs."""

from __future__ import annotations

import copy
import doctest
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.spec import load_assignment

LOOPS_PATH = Path(__file__).parent / "reference_impls" / "loops_cnn.py"


def load(path: Path, name: str) -> ModuleType:
    """Import a cnn.py from its path, under its own module name."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cnn = load(load_assignment("cnn").reference, "reference_cnn")
loops = load(LOOPS_PATH, "loops_cnn")

# d2l.ai, chapter 7 (conv-layer, channels, padding-and-strides, pooling).
X = np.arange(9.0).reshape(3, 3)
K = np.array([[0.0, 1.0], [2.0, 3.0]])
X16 = np.arange(16.0).reshape(4, 4)
EDGES = np.ones((6, 8))
EDGES[:, 2:6] = 0
K_MULTI_IN = np.stack([K, K + 1])
K_MULTI_IN_OUT = np.stack([K_MULTI_IN, K_MULTI_IN + 1, K_MULTI_IN + 2])

D2L_CASES = [
    pytest.param(lambda: cnn.cross_correlate2d(X, K), [[19, 25], [37, 43]], id="d2l corr2d"),
    pytest.param(lambda: cnn.cross_correlate2d(EDGES, np.array([[1.0, -1.0]])),
                 np.tile([0, 1, 0, 0, 0, -1, 0], (6, 1)), id="d2l edge detection"),
    pytest.param(lambda: cnn.conv_stage(np.stack([X, X + 1]), K_MULTI_IN[None], np.zeros(1))[0],
                 [[56, 72], [104, 120]], id="d2l corr2d_multi_in"),
    pytest.param(lambda: cnn.conv_stage(np.stack([X, X + 1]), K_MULTI_IN_OUT, np.zeros(3)),
                 [[[56, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]],
                 id="d2l corr2d_multi_in_out"),
    pytest.param(lambda: cnn.pool2d(X, 2, stride=1, mode="max"), [[4, 5], [7, 8]], id="d2l pool2d max 2x2 stride 1"),
    pytest.param(lambda: cnn.pool2d(X, 2, stride=1, mode="avg"), [[2, 3], [5, 6]], id="d2l pool2d avg 2x2 stride 1"),
    pytest.param(lambda: cnn.pool2d(X16, 3), [[10]], id="d2l MaxPool2d(3), stride defaults to 3"),
    pytest.param(lambda: cnn.pool2d(cnn.zero_pad(X16, 1), 3, stride=2), [[5, 7], [13, 15]],
                 id="d2l MaxPool2d(3, padding=1, stride=2)"),
    pytest.param(lambda: cnn.pool2d(cnn.zero_pad(X16, (0, 1)), (2, 3), stride=(2, 3)), [[5, 7], [13, 15]],
                 id="d2l MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))"),
    pytest.param(lambda: cnn.pool2d(cnn.zero_pad(np.stack([X16, X16 + 1]), 1), 3, stride=2),
                 [[[5, 7], [13, 15]], [[6, 8], [14, 16]]], id="d2l pooling two channels"),
    pytest.param(lambda: cnn.conv2d(X, K, stride=(3, 2), padding=1), [[0, 8], [6, 8]], id="d2l stride figure"),
    pytest.param(lambda: [cnn.conv2d(np.zeros((8, 8)), np.ones(f), stride=s, padding=p).shape for f, p, s in
                          [((3, 3), 1, 1), ((5, 3), (2, 1), 1), ((3, 3), 1, 2), ((3, 5), (0, 1), (3, 4))]],
                 [[8, 8], [8, 8], [4, 4], [2, 2]], id="d2l output shapes on 8x8"),
]


@pytest.mark.parametrize(("compute", "expected"), D2L_CASES)
def test_reference_reproduces_the_d2l_known_answers(compute, expected):
    np.testing.assert_allclose(compute(), expected)


def test_reference_cross_correlation_matches_the_lecture_figure_worked_by_hand():
    a, b, c, d, e, f, g, h, i, j, k, l = range(1, 13)  # noqa: E741 (the figure's letters)
    w, x, y, z = range(1, 5)
    image = np.array([[a, b, c, d], [e, f, g, h], [i, j, k, l]])
    by_hand = [
        [a * w + b * x + e * y + f * z, b * w + c * x + f * y + g * z, c * w + d * x + g * y + h * z],
        [e * w + f * x + i * y + j * z, f * w + g * x + j * y + k * z, g * w + h * x + k * y + l * z],
    ]
    np.testing.assert_array_equal(cnn.cross_correlate2d(image, np.array([[w, x], [y, z]])), by_hand)


def test_reference_size_formulas_match_the_lecture():
    assert cnn.conv_output_size(32, 5) == 28
    assert cnn.conv_output_size(7, 3, padding=1, stride=2) == 4
    assert cnn.conv_param_count(3, 5, 10) == 10 * 5 * 5 * 3 + 10
    assert cnn.conv_output_shape((3, 32, 32), 10, 5, padding=2) == (10, 32, 32)


def test_reference_docstring_examples_hold():
    assert doctest.testmod(cnn).failed == 0


@pytest.mark.parametrize(
    ("function", "args", "kwargs"),
    [
        pytest.param("zero_pad", (np.ones((2, 2)), -1), {}, id="negative padding"),
        pytest.param("zero_pad", (np.ones(3), 1), {}, id="1-D input to zero_pad"),
        pytest.param("cross_correlate2d", (np.ones((2, 2)), np.ones((3, 1))), {}, id="kernel larger than image"),
        pytest.param("conv2d", (np.ones((3, 3)), np.ones((2, 2))), {"stride": 0}, id="stride 0"),
        pytest.param("conv_stage", (np.ones((2, 3, 3)), np.ones((1, 3, 2, 2)), np.zeros(1)), {}, id="depth mismatch"),
        pytest.param("conv_stage", (np.ones((2, 3, 3)), np.ones((2, 2, 2, 2)), np.zeros(1)), {}, id="one bias short"),
        pytest.param("pool2d", (np.ones((3, 3)), 2), {"mode": "median"}, id="unknown pooling mode"),
        pytest.param("pool2d", (np.ones((3, 3)), 4), {}, id="pool window larger than input"),
        pytest.param("conv_output_size", (3, 6), {"padding": 1}, id="kernel larger than padded input"),
        pytest.param("conv_param_count", (3, 3, 0), {}, id="no kernels"),
        pytest.param("conv_output_shape", ((32, 32), 4, 3), {}, id="input shape without depth"),
        pytest.param("zero_pad", (np.ones((2, 2)), (0, -1)), {}, id="negative width padding"),
        pytest.param("zero_pad", (np.ones((1, 1, 2, 2)), 1), {}, id="4-D input to zero_pad"),
        pytest.param("cross_correlate2d", (np.ones((2, 2)), np.ones((1, 3))), {}, id="kernel wider than image"),
        pytest.param("conv2d", (np.ones((3, 3)), np.ones((2, 2))), {"stride": (1, -1)}, id="negative stride"),
        pytest.param("conv2d", (np.ones((3, 3)), np.ones((2, 2))), {"padding": (0, -1)}, id="negative padding"),
        pytest.param("conv2d", (np.ones((2, 3)), np.ones((1, 6))), {"padding": 1}, id="kernel wider than padded"),
        pytest.param("conv_stage", (np.ones((2, 3, 3)), np.ones((1, 2, 2, 2)), np.zeros(2)), {},
                     id="one bias too many"),
        pytest.param("conv_stage", (np.ones((1, 3, 3)), np.ones((1, 1, 5, 1)), np.zeros(1)), {"padding": (0, 1)},
                     id="kernel taller than padded input"),
        pytest.param("pool2d", (np.ones((3, 3)), (1, 4)), {}, id="pool window wider than input"),
        pytest.param("pool2d", (np.ones((3, 3)), 2), {"stride": (0, 1)}, id="pool stride 0"),
        pytest.param("pool2d", (np.ones((1, 1, 3, 3)), 2), {}, id="4-D input to pool2d"),
        pytest.param("conv_output_size", (0, 1), {"padding": 1}, id="empty input with padding"),
        pytest.param("conv_output_shape", ((3, 8, 8), 0, 3), {}, id="no kernels in conv_output_shape"),
        pytest.param("conv_output_shape", ((0, 8, 8), 2, 3), {}, id="input without channels"),
        pytest.param("conv_output_shape", ((3, 8, 2), 2, 3), {}, id="kernel wider than input shape"),
        pytest.param("conv_layer", (np.ones((1, 3, 3)), np.ones((1, 1, 2, 2)), np.zeros(1)), {"pool_size": 3},
                     id="pool window larger than the feature maps"),
    ],
)
def test_reference_rejects_invalid_arguments_with_value_error(function, args, kwargs):
    with pytest.raises(ValueError):
        getattr(cnn, function)(*args, **kwargs)


UINT8 = np.array([[200, 100, 250], [50, 255, 120], [90, 0, 30]], dtype=np.uint8)
ARRAY_CALLS = [
    pytest.param("cross_correlate2d", (UINT8, UINT8[:2, :2]), {}, id="cross_correlate2d"),
    pytest.param("conv2d", (UINT8, UINT8[:2, :2]), {"stride": (2, 1), "padding": 1}, id="conv2d"),
    pytest.param("conv_stage", (UINT8[None], UINT8[None, None, :2, :2], np.array([3], dtype=np.uint8)), {},
                 id="conv_stage"),
    pytest.param("pool2d", (UINT8, 2), {"stride": 1, "mode": "l2"}, id="pool2d"),
    pytest.param("relu", (UINT8[None, None],), {}, id="relu of a 4-D array"),
    pytest.param("conv_layer", (UINT8[None], UINT8[None, None, :1, :1], np.array([1], dtype=np.uint8)),
                 {"pool_size": 1}, id="conv_layer"),
]


@pytest.mark.parametrize(("function", "args", "kwargs"), ARRAY_CALLS)
def test_reference_returns_new_exact_float_arrays_for_integer_inputs(function, args, kwargs):
    """The dtype rule of the module docstring: floats, computed without wrapping uint8 products."""
    got = getattr(cnn, function)(*args, **kwargs)
    wide = [np.asarray(a, dtype=float) if isinstance(a, np.ndarray) else a for a in args]
    assert type(got) is np.ndarray and got.dtype == np.float64
    np.testing.assert_allclose(got, getattr(cnn, function)(*wide, **kwargs))
    assert not any(np.shares_memory(got, a) for a in args if isinstance(a, np.ndarray))


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8, np.bool_])
def test_reference_zero_pad_keeps_the_dtype_and_returns_a_new_array(dtype):
    x = np.ones((2, 3), dtype=dtype)
    for pad in (0, (1, 0)):
        padded = cnn.zero_pad(x, pad)
        assert padded.dtype == dtype and not np.shares_memory(padded, x)


# Agreement with the loop-based implementation ----------------------------------------

VALUES = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
SIDES = st.integers(1, 7)


def int_or_pair(low: int, high: int) -> st.SearchStrategy[int | tuple[int, int]]:
    values = st.integers(low, high)
    return st.one_of(values, st.tuples(values, values))


def grid(*shape: int) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=VALUES)


@st.composite
def convolutions(draw: st.DrawFn) -> dict[str, Any]:
    """Arguments of conv_stage (and of conv_layer, pooling kept to 1×1 windows)."""
    depth, n_k, h, w = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(SIDES), draw(SIDES)
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    fh, fw = draw(st.integers(1, h + 2 * ph)), draw(st.integers(1, w + 2 * pw))
    return dict(x=draw(grid(depth, h, w)), kernels=draw(grid(n_k, depth, fh, fw)), biases=draw(grid(n_k)),
                stride=draw(int_or_pair(1, 3)), padding=(ph, pw))


@st.composite
def poolings(draw: st.DrawFn) -> dict[str, Any]:
    channels = draw(st.one_of(st.just(()), st.tuples(st.integers(1, 3))))
    x = draw(grid(*channels, draw(SIDES), draw(SIDES)))
    size = (draw(st.integers(1, x.shape[-2])), draw(st.integers(1, x.shape[-1])))
    return dict(x=x, size=size, stride=draw(st.one_of(st.none(), int_or_pair(1, 3))),
                mode=draw(st.sampled_from(["max", "avg", "l2"])))


def agree(function: str, *args: Any, **kwargs: Any) -> Any:
    """Call both implementations; they must return equal values of the same kind."""
    ours, theirs = getattr(cnn, function)(*args, **kwargs), getattr(loops, function)(*args, **kwargs)
    assert type(ours) is type(theirs), f"{function}: {type(ours).__name__} vs {type(theirs).__name__}"
    if isinstance(ours, np.ndarray):
        assert ours.dtype == theirs.dtype, f"{function}: dtype {ours.dtype} vs {theirs.dtype}"
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)
    else:
        assert ours == theirs
    return ours


@settings(max_examples=60)
@given(x=st.one_of(grid(3, 4), hnp.arrays(np.int64, (2, 3, 2))), pad=int_or_pair(0, 3))
def test_reference_zero_pad_agrees_with_loops(x, pad):
    agree("zero_pad", x, pad)


@settings(max_examples=60)
@given(case=convolutions())
def test_reference_convolutions_agree_with_loops(case):
    x, kernels, stride, padding = case["x"], case["kernels"], case["stride"], case["padding"]
    if all(k <= s for k, s in zip(kernels.shape[2:], x.shape[1:])):
        agree("cross_correlate2d", x[0], kernels[0, 0])
    agree("conv2d", x[0], kernels[0, 0], stride=stride, padding=padding)
    stage = agree("conv_stage", **case)
    agree("conv_layer", **case, pool_size=1)
    np.testing.assert_allclose(agree("relu", stage), np.maximum(stage, 0))


@settings(max_examples=60)
@given(case=poolings())
def test_reference_pool2d_agrees_with_loops(case):
    agree("pool2d", **case)


@settings(max_examples=60)
@given(n=st.integers(1, 40), f=st.integers(1, 12), padding=st.integers(0, 4), stride=st.integers(1, 5),
       d_in=st.integers(1, 8), n_k=st.integers(1, 8), bias=st.booleans())
def test_reference_size_formulas_agree_with_loops(n, f, padding, stride, d_in, n_k, bias):
    agree("conv_param_count", d_in, f, n_k, bias=bias)
    if f <= n + 2 * padding:
        agree("conv_output_size", n, f, padding=padding, stride=stride)
        agree("conv_output_shape", (d_in, n, n + 1), n_k, f, padding=padding, stride=stride)
    else:
        with pytest.raises(ValueError):
            cnn.conv_output_size(n, f, padding=padding, stride=stride)


# Arguments left unchanged -----------------------------------------------------------


@settings(max_examples=40)
@given(case=convolutions(), pooling=poolings())
def test_reference_leaves_its_arguments_unchanged(case, pooling):
    calls = [
        ("zero_pad", (case["x"], case["padding"]), {}),
        ("cross_correlate2d", (case["x"][0], case["x"][0, :1, :1]), {}),
        ("conv2d", (case["x"][0], case["kernels"][0, 0]), {"stride": case["stride"], "padding": case["padding"]}),
        ("conv_stage", (), case),
        ("conv_layer", (), {**case, "pool_size": 1}),
        ("relu", (case["x"],), {}),
        ("pool2d", (), pooling),
    ]
    for function, args, kwargs in calls:
        before = copy.deepcopy((args, kwargs))
        getattr(cnn, function)(*args, **kwargs)
        for old, new in zip([*before[0], *before[1].values()], [*args, *kwargs.values()]):
            np.testing.assert_array_equal(old, new, err_msg=f"{function} modified an argument")
