# Bug: dense_param_count leaves the biases out.
# Loses points: dense_param_count
# Misconception: bias left out of the parameter count
"""Only what differs from solutions/architecture/architecture.py; tests/support/corpus.py builds the whole file."""


def dense_param_count(n_in: int, n_out: int, bias: bool = True) -> int:
    if n_in < 1 or n_out < 1:
        raise ValueError("too small")
    return n_in * n_out
