"""Tries to reach a server on the machine's loopback interface."""
import socket

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def zero_pad(x, pad):
    return np.pad(x, pad)


def conv2d(port, unused):
    with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
        connection.sendall(b"leak")
    return "connected"
