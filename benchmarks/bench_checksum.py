"""Benchmark row: CRC-32C of 64 KiB, as TensorBoard's writer frames each record
(see kernels.py for the table). numpy column = the byte-wise pure-Python table
that the writer used before (backend/_reference.py); single-threaded both."""
import os

from kback import backend as K
from kback.backend import _reference

N = 1 << 16


def rows(torch):
    data = os.urandom(N)
    yield 'crc32c', (N,), lambda: K.crc32c(data), lambda: _reference.crc32c(data), None
