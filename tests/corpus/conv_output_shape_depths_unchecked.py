# Bug: conv_output_shape never checks n_k or D_in, so a layer of 0 kernels or an input of depth 0 gets a shape instead of a ValueError.
# Loses points: conv_output_shape
# Misconception: none
"""Only what differs from solutions/cnn/cnn.py; tests/support/corpus.py builds the whole file."""


def conv_output_shape(
    input_shape: tuple[int, int, int], n_k: int, f: int, padding: int = 0, stride: int = 1
) -> tuple[int, int, int]:
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (D_in, H, W), got {input_shape!r}")
    _, h, w = input_shape
    return (int(n_k), conv_output_size(h, f, padding, stride), conv_output_size(w, f, padding, stride))
