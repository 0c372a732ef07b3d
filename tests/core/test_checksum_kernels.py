"""kback_core.checksum.crc32c against the byte-wise reference and RFC 3720's vectors."""
import os

import numpy as np
import pytest

from kback import backend as K
from kback.backend import _reference

import kback_core.checksum as checksum

# RFC 3720 (iSCSI), B.4, and the customary check value.
VECTORS = [(b'123456789', 0xE3069283), (b'', 0), (bytes(32), 0x8A9136AA),
           (b'\xff' * 32, 0x62A8AB43), (bytes(range(32)), 0x46DD794E),
           (bytes(range(31, -1, -1)), 0x113FDB5C)]

PATHS = [pytest.param(True, id='hardware-if-present'), pytest.param(False, id='table')]


@pytest.mark.parametrize('hardware', PATHS)
def test_known_vectors(hardware):
    for data, crc in VECTORS:
        assert checksum.crc32c(data, hardware) == crc
        assert _reference.crc32c(data) == crc


@pytest.mark.parametrize('hardware', PATHS)
def test_matches_reference_at_every_length_and_alignment(hardware):
    data = os.urandom(300)
    for start in range(9):
        for n in list(range(40)) + [63, 64, 65, 255, 291 - start]:
            piece = data[start:start + n]
            assert checksum.crc32c(piece, hardware) == _reference.crc32c(piece), (start, n)


def test_large_input_releases_the_gil_and_agrees():
    data = np.random.RandomState(0).randint(0, 256, 1 << 17).astype(np.uint8)
    assert checksum.crc32c(data) == checksum.crc32c(data, False) == \
        _reference.crc32c(data.tobytes()) == K.crc32c(data)


@pytest.mark.parametrize('bad', ['123', 5, memoryview(bytes(8))[::2]])
def test_refuses_what_is_not_contiguous_bytes(bad):
    with pytest.raises(TypeError, match='crc32c: expected a contiguous bytes-like object'):
        checksum.crc32c(bad)
    with pytest.raises(TypeError, match='crc32c: expected a contiguous bytes-like object'):
        _reference.crc32c(bad)
