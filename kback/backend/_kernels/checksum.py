"""CRC-32C of byte strings (TensorBoard's event-file records), compiled."""
from .. import _reference
from ._common import AVAILABLE

if AVAILABLE:
    try:
        from kback_core import checksum as _checksum
    except ImportError:         # a core built before this module existed
        AVAILABLE = False


def crc32c(data):
    """CRC-32C (Castagnoli) of a bytes-like object, as TFRecord files use:
    `crc32c(b'123456789') == 0xE3069283`.

    Arguments:
        data: a contiguous bytes-like object.

    Returns:
        The checksum, an int in [0, 2**32).

    Raises:
        TypeError: for anything but a contiguous bytes-like object.
    """
    if AVAILABLE:
        return _checksum.crc32c(data)
    return _reference.crc32c(data)
