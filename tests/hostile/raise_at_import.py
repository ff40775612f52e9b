"""Raises while being imported."""
import numpy as np


def relu(x):
    return np.maximum(x, 0)


raise ValueError("the dataset file is missing")
