"""A TensorBoard event-file writer without TensorFlow.

An event file is a sequence of TFRecords, each
`uint64 length | uint32 masked_crc32c(length) | payload | uint32 masked_crc32c(payload)`
(little-endian), whose payloads are serialized `tensorflow.Event` protobufs; the
first one carries `file_version = "brain.Event:2"`. The protobuf wire format is
written by hand: only the few messages TensorBoard reads are needed (Event,
Summary, Summary.Value, Summary.Image, HistogramProto, GraphDef/NodeDef).
"""
import io
import os
import socket
import struct
import time

import numpy as np
from PIL import Image

from .. import backend as K

FILE_VERSION = 'brain.Event:2'

# -- records ------------------------------------------------------------------------------


def masked_crc32c(data):
    """The TFRecord mask: rotate right by 15 bits and add a constant, so that
    CRCs of data that itself holds CRCs stay well distributed."""
    crc = K.crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(payload):
    """Frame one payload as a TFRecord."""
    header = struct.pack('<Q', len(payload))
    return b''.join([header, struct.pack('<I', masked_crc32c(header)), payload,
                     struct.pack('<I', masked_crc32c(payload))])


# -- protobuf wire format -----------------------------------------------------------------
# Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.


def varint(n):
    """Base-128 varint; negative int64 values take their 64-bit two's complement."""
    n = int(n)
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        bits = n & 0x7F
        n >>= 7
        if n:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _key(field, wire_type):
    return varint((field << 3) | wire_type)


def f_varint(field, n):
    return _key(field, 0) + varint(n)


def f_double(field, x):
    return _key(field, 1) + struct.pack('<d', float(x))


def f_float(field, x):
    return _key(field, 5) + struct.pack('<f', float(x))


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode('utf-8')
    return _key(field, 2) + varint(len(data)) + data


def f_packed_doubles(field, values):
    return f_bytes(field, np.asarray(values, dtype='<f8').tobytes())


# -- messages ------------------------------------------------------------------------------


def event(wall_time, step=0, file_version=None, graph_def=None, summary=None):
    """Serialized Event: wall_time=1 (double), step=2 (int64), then one of
    file_version=3 (string), graph_def=4 (bytes), summary=5 (Summary)."""
    parts = [f_double(1, wall_time)]
    if step:
        parts.append(f_varint(2, step))
    if file_version is not None:
        parts.append(f_bytes(3, file_version))
    if graph_def is not None:
        parts.append(f_bytes(4, graph_def))
    if summary is not None:
        parts.append(f_bytes(5, summary))
    return b''.join(parts)


def summary(values):
    """Serialized Summary from serialized Summary.Value messages (field 1)."""
    return b''.join(f_bytes(1, v) for v in values)


def scalar_value(tag, value):
    """Summary.Value: tag=1, simple_value=2 (float)."""
    return f_bytes(1, tag) + f_float(2, value)


def histogram_value(tag, values):
    """Summary.Value: tag=1, histo=5 (HistogramProto)."""
    return f_bytes(1, tag) + f_bytes(5, histogram_proto(values))


def image_value(tag, png, height, width, colorspace):
    """Summary.Value: tag=1, image=4 (Summary.Image: height=1, width=2,
    colorspace=3, encoded_image_string=4)."""
    image = (f_varint(1, height) + f_varint(2, width) + f_varint(3, colorspace)
             + f_bytes(4, png))
    return f_bytes(1, tag) + f_bytes(4, image)


def _default_bucket_limits():
    # TensorFlow's default histogram buckets: 1e-12 * 1.1**k up to 1e20 on each
    # side of zero, closed by +-DBL_MAX.
    pos = []
    v = 1.0e-12
    while v < 1.0e20:
        pos.append(v)
        v *= 1.1
    pos.append(np.finfo('float64').max)
    return np.array([-p for p in reversed(pos)] + [0.0] + pos)


_BUCKET_LIMITS = _default_bucket_limits()


def histogram_proto(values):
    """Serialized HistogramProto (min=1, max=2, num=3, sum=4, sum_squares=5,
    bucket_limit=6, bucket=7) over TensorFlow's default buckets: a value
    counts in the first bucket whose limit exceeds it; runs of empty buckets
    are merged into one, as TensorFlow does."""
    x = np.asarray(values, dtype='float64').ravel()
    x = x[np.isfinite(x)]
    counts = np.bincount(np.searchsorted(_BUCKET_LIMITS, x, side='right'),
                         minlength=len(_BUCKET_LIMITS))[:len(_BUCKET_LIMITS)]
    limits, buckets = [], []
    i, n = 0, len(counts)
    while i < n:
        end, count = _BUCKET_LIMITS[i], counts[i]
        i += 1
        if count == 0:
            while i < n and counts[i] == 0:
                end = _BUCKET_LIMITS[i]
                i += 1
        limits.append(end)
        buckets.append(count)
    lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
    return b''.join([f_double(1, lo), f_double(2, hi), f_double(3, x.size),
                     f_double(4, x.sum()), f_double(5, np.dot(x, x)),
                     f_packed_doubles(6, limits), f_packed_doubles(7, buckets)])


def graph_def(nodes):
    """Serialized GraphDef (node=1; versions=4 with producer=1) from
    (name, op, [input names]) triples: NodeDef name=1, op=2, input=3."""
    parts = []
    for name, op, inputs in nodes:
        node = f_bytes(1, name) + f_bytes(2, op) + b''.join(f_bytes(3, i) for i in inputs)
        parts.append(f_bytes(1, node))
    parts.append(f_bytes(4, f_varint(1, 1)))
    return b''.join(parts)


# -- PNG -----------------------------------------------------------------------------------


def encode_png(pixels):
    """PNG bytes (Pillow's encoder) of a uint8 array of shape (height, width)
    (grayscale) or (height, width, 3) (RGB)."""
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3) or (
            pixels.ndim == 3 and pixels.shape[2] != 3):
        raise ValueError('encode_png: expected uint8 pixels of shape (h, w) or (h, w, 3), '
                         'got %s %s' % (pixels.dtype, pixels.shape))
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), 'L' if pixels.ndim == 2 else 'RGB') \
        .save(out, format='PNG')
    return out.getvalue()


def float_image_to_uint8(image):
    """TensorFlow's image-summary scaling of a float image: without negative
    values the largest maps to 255; otherwise 0 maps to 128 and the largest
    magnitude to 127 away from it. Non-finite values show as 0."""
    x = np.asarray(image, dtype='float64')
    finite = np.isfinite(x)
    x = np.where(finite, x, 0.)
    lo, hi = (x.min(), x.max()) if x.size else (0., 0.)
    bound = max(-lo, hi)
    if lo < 0:
        scale, offset = (127. / bound if bound > 0 else 0.), 128.
    else:
        scale, offset = (255. / bound if bound > 0 else 0.), 0.
    out = np.clip(np.round(x * scale + offset), 0, 255).astype(np.uint8)
    out[~finite] = 0
    return out


# -- the writer ----------------------------------------------------------------------------


class EventFileWriter(object):
    """Appends events to a new `events.out.tfevents.<time>.<host>` file in
    `log_dir` (created if needed). A second writer opened in the same second
    gets a `.<pid>.<n>` suffix, which sorts after the first file, so
    TensorBoard reads them in order."""

    _opened = 0

    def __init__(self, log_dir):
        if not isinstance(log_dir, (str, bytes, os.PathLike)):
            raise TypeError('EventFileWriter: log_dir must be a path, got %r' % (log_dir,))
        os.makedirs(log_dir, exist_ok=True)
        base = os.path.join(log_dir, 'events.out.tfevents.%010d.%s'
                            % (int(time.time()), socket.gethostname()))
        path = base
        while True:
            try:
                self._file = open(path, 'xb')
                break
            except FileExistsError:
                EventFileWriter._opened += 1
                path = '%s.%d.%06d' % (base, os.getpid(), EventFileWriter._opened)
        self.path = path
        self.write_event(event(time.time(), file_version=FILE_VERSION))
        self.flush()

    @property
    def closed(self):
        return self._file.closed

    def write_event(self, payload):
        if self._file.closed:
            raise ValueError('EventFileWriter: %s is closed' % self.path)
        self._file.write(tfrecord(payload))

    def add_summary(self, values, step):
        """Write one Event holding the serialized Summary.Value messages."""
        self.write_event(event(time.time(), step=step, summary=summary(values)))

    def add_scalars(self, scalars, step):
        """One event per tag, as Keras writes them."""
        for tag, value in scalars:
            self.add_summary([scalar_value(tag, value)], step)

    def add_graph(self, nodes):
        self.write_event(event(time.time(), graph_def=graph_def(nodes)))

    def flush(self):
        if not self._file.closed:
            self._file.flush()

    def close(self):
        if not self._file.closed:
            self._file.close()
