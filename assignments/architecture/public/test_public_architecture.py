"""Public tests: one or two known answers per function, from the lecture (the striped image
and K = [1 −1], the 1-megapixel layer, LeNet-5). Run them with ``pytest`` in the folder that
holds your architecture.py. A failed test reads as on Gradescope: a wrong type, then a wrong
shape, then wrong values (for a table: the first wrong row and field).

Passing these is a good sign, not a guarantee: the hidden tests try your kernels on many
generated images and your functions on many generated networks.
"""

import numpy as np
import pytest

try:  # on Gradescope: the autograder's checks
    from autograder.checks import Call, expect_array, expect_int, expect_rows
    from autograder.feedback import Feedback, format_value
except ImportError:  # on your computer: the same code, shipped as autograder_local.py
    from autograder_local import Call, Feedback, expect_array, expect_int, expect_rows, format_value

STRIPES = np.ones((6, 8))
STRIPES[:, 2:6] = 0  # the lecture's image: black stripe in the middle, edges after columns 1 and 5
LENET = [("conv", 6, 5, 0, 1), ("relu",), ("pool", 2, 2), ("conv", 16, 5, 0, 1), ("relu",), ("pool", 2, 2),
         ("flatten",), ("dense", 120), ("relu",), ("dense", 84), ("relu",), ("dense", 10)]
LENET_ROWS = [("conv", (6, 28, 28), 156), ("relu", (6, 28, 28), 0), ("pool", (6, 14, 14), 0),
              ("conv", (16, 10, 10), 2416), ("relu", (16, 10, 10), 0), ("pool", (16, 5, 5), 0),
              ("flatten", (400,), 0), ("dense", (120,), 48120), ("relu", (120,), 0),
              ("dense", (84,), 10164), ("relu", (84,), 0), ("dense", (10,), 850)]


def call(function: str, **arguments) -> Call:
    """The call ``function(**arguments)``, as the checks show it."""
    return Call(function, (), arguments, arguments)


def cross_correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The lecture's "valid" cross-correlation, to see what a kernel does."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijmn,mn->ij", windows, kernel)


def kernel_of(student, shown: Call) -> np.ndarray:
    kernel = shown.run(student)
    if type(kernel) is not np.ndarray or kernel.ndim != 2:
        raise Feedback(f"{shown.function} returned {format_value(kernel)}; expected a 2-D numpy array.")
    return kernel


@pytest.mark.question("edge_kernel")
def test_edge_kernels_on_the_lectures_striped_image(student):
    """edge_kernel("vertical") responds only at the two edges of the striped image; the horizontal one not at all"""
    vertical = cross_correlate(STRIPES, kernel_of(student, call("edge_kernel", direction="vertical")))
    fw = STRIPES.shape[1] - vertical.shape[1] + 1
    near_edge = np.array([(j <= 1 < j + fw - 1) or (j <= 5 < j + fw - 1) for j in range(vertical.shape[1])])
    if np.any(np.abs(vertical[:, ~near_edge]) > 1e-9) or not np.all(np.abs(vertical[:, near_edge]).max(axis=1) > 0):
        raise Feedback(f"Your vertical kernel must respond next to the edges of the striped image (between columns "
                       f"1 and 2, 5 and 6) and nowhere else; it gives\n{format_value(vertical)}")
    horizontal = cross_correlate(STRIPES, kernel_of(student, call("edge_kernel", direction="horizontal")))
    if np.any(np.abs(horizontal) > 1e-9):
        raise Feedback(f"Your horizontal kernel responds to the striped image, which has vertical edges only; it "
                       f"gives\n{format_value(horizontal)}")


@pytest.mark.question("blur_kernel")
def test_blur_kernel_keeps_a_constant_image(student):
    """blur_kernel(3) is 3×3 and leaves a constant image unchanged"""
    kernel = kernel_of(student, call("blur_kernel", size=3))
    expect_array(cross_correlate(np.full((5, 6), 2.5), kernel), np.full((3, 4), 2.5), dtype_kind="f",
                 call=call("cross_correlate", image=np.full((5, 6), 2.5), kernel=kernel))


@pytest.mark.question("dense_param_count")
def test_dense_param_count_of_the_lectures_megapixel_layer(student):
    """dense_param_count of a 1-megapixel image into 10³ units: 10⁹ weights and 10³ biases"""
    shown = call("dense_param_count", n_in=10**6, n_out=10**3)
    expect_int(shown.run(student), 10**9 + 10**3, call=shown)


@pytest.mark.question("conv_as_matrix")
def test_conv_as_matrix_of_a_two_value_kernel(student):
    """conv_as_matrix of the kernel [1, 2] on inputs of length 4: each row the kernel, shifted by one"""
    shown = call("conv_as_matrix", kernel=np.array([1.0, 2.0]), n=4)
    expect_array(shown.run(student), np.array([[1.0, 2, 0, 0], [0, 1, 2, 0], [0, 0, 1, 2]]), call=shown,
                 dtype_kind="f")


@pytest.mark.question("receptive_field")
def test_receptive_field_of_two_three_by_three_convolutions(student):
    """receptive_field of two 3×3 convolutions with stride 1 is 5"""
    shown = call("receptive_field", layers=[("conv", 8, 3, 1, 1), ("relu",), ("conv", 8, 3, 1, 1)])
    expect_int(shown.run(student), 5, call=shown)


@pytest.mark.question("layer_table")
def test_layer_table_of_lenet5(student):
    """layer_table of LeNet-5 on a 32×32 grayscale input, row by row (61,706 parameters in all)"""
    shown = call("layer_table", input_shape=(1, 32, 32), layers=LENET)
    expect_rows(shown.run(student), LENET_ROWS, call=shown, fields=("kind", "output shape", "params"))


@pytest.mark.question("lenet5")
def test_lenet5_has_the_described_kinds_of_layers(student):
    """lenet5 is a list of 12 layer tuples: two conv-relu-pool stages, flatten, three dense layers with relu between"""
    layers = call("lenet5").run(student)
    kinds = ["conv", "relu", "pool", "conv", "relu", "pool", "flatten", "dense", "relu", "dense", "relu", "dense"]
    if type(layers) is not list or [type(layer) for layer in layers] != [tuple] * len(layers):
        raise Feedback(f"lenet5 returned {format_value(layers)}; expected a list of layer tuples.")
    got = [layer[0] if layer else None for layer in layers]
    if got != kinds:
        raise Feedback(f"Your LeNet-5 has the layers {got}; its docstring describes {kinds}.")
