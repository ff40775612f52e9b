"""Returns things that try to pass a comparison without being the right answer."""
import numpy as np


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __repr__(self):
        return "AlwaysEqual()"


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return True


class BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr for you")


def _nest(value, depth):
    for _ in range(depth):
        value = (value,)
    return value


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(kind, x):
    return {
        "always_equal": lambda: AlwaysEqual(),
        "subclass": lambda: x.view(Agreeable),
        "matrix": lambda: np.matrix(x),
        "list": lambda: x.tolist(),
        "dict": lambda: {"answer": x},
        "numpy_scalar": lambda: np.float64(x.sum()),
        "complex": lambda: x.astype(complex),
        "object": lambda: np.array([AlwaysEqual()], dtype=object),
        "nested": lambda: (x, {"a": 1}),
        "bad_repr": lambda: BadRepr(),
        "huge_int": lambda: 10**2000,
        "deep": lambda: _nest(x, 40),
    }[kind]()
