"""TensorBoard: Keras 2.3's callback, writing TensorBoard event files itself
(no TensorFlow needed; see `_tfevents.py`)."""
import numbers
import warnings

import numpy as np

from .. import backend as K
from . import _tfevents
from .base import Callback


class TensorBoard(Callback):
    """Writes logs that TensorBoard (`tensorboard --logdir=<log_dir>`) shows.

    Each `fit` writes a new `events.out.tfevents.<time>.<host>` file in
    `log_dir` (kback writes the event files itself; no TensorFlow is needed):
    every value of the logs (loss, metrics, `val_*`, `lr` when a callback adds
    it) as a scalar tagged with the log's name, plus weight histograms, weight
    images and the layer graph when asked for.

    Arguments:
        log_dir: the directory of the event files (created if needed).
        histogram_freq: every how many epochs (0: never) to write a histogram
            of each layer's weights, tagged like the weight's name with ':'
            turned into '_' (e.g. `dense_1/kernel_0`), at step `epoch`, for
            epochs where `epoch % histogram_freq == 0`. As in Keras, training
            must validate (`validation_data` or `validation_split`), else a
            `ValueError` is raised at the end of the first epoch.
        batch_size: the batch size Keras's activation histograms were computed
            with; accepted and unused (only weight histograms are written).
        write_graph: write the model's layer graph (one node per layer, its
            class as the op, edges from its inbound layers) for the Graphs tab.
        write_grads: gradient histograms; not supported (warns once).
        write_images: with histograms, also write the weights as grayscale
            images (`<weight>/image/<i>`, at most 3 per weight): a 2D kernel
            as one image (wider than tall), a 3D kernel (after dropping
            dimensions of 1) as one image per filter, a bias as a column;
            4D and larger kernels are skipped, as in Keras.
        embeddings_freq: embedding projector checkpoints are not written
            (warns once); as in Keras, a nonzero `embeddings_freq` without
            `embeddings_data` raises `ValueError` at the end of an epoch.
        embeddings_layer_names: accepted for compatibility.
        embeddings_metadata: accepted for compatibility.
        embeddings_data: accepted for compatibility.
        update_freq: `'epoch'` writes the logs after each epoch at step
            `epoch`; `'batch'` after each batch; an int `n` whenever at least
            `n` samples were trained since the last write. With `'batch'` or
            an int, the step is the number of samples seen (counted across
            every `fit` this callback is used in) and the epoch's logs are
            written at the end of each epoch at that step too.

    Raises:
        ValueError: if a frequency, `batch_size` or `update_freq` is invalid.

    Example::

        model.fit(x, y, validation_split=0.1,
                  callbacks=[TensorBoard(log_dir='./logs', histogram_freq=1)])
    """

    primary_only = True

    def __init__(self, log_dir='./logs', histogram_freq=0, batch_size=None, write_graph=True,
                 write_grads=False, write_images=False, embeddings_freq=0,
                 embeddings_layer_names=None, embeddings_metadata=None, embeddings_data=None,
                 update_freq='epoch'):
        super(TensorBoard, self).__init__()
        self.histogram_freq = _check_freq('histogram_freq', histogram_freq)
        self.embeddings_freq = _check_freq('embeddings_freq', embeddings_freq)
        if batch_size is not None and not (_is_int(batch_size) and batch_size > 0):
            raise ValueError('TensorBoard: batch_size must be None or a positive int, got %r'
                             % (batch_size,))
        if update_freq == 'batch':
            update_freq = 1  # as often as possible
        elif update_freq != 'epoch' and not (_is_int(update_freq) and update_freq > 0):
            raise ValueError("TensorBoard: update_freq must be 'batch', 'epoch' or a positive "
                             "int (a number of samples), got %r" % (update_freq,))
        self.update_freq = update_freq
        self.log_dir = log_dir
        self.batch_size = batch_size
        self.write_graph = write_graph
        self.write_grads = write_grads
        self.write_images = write_images
        self.embeddings_layer_names = embeddings_layer_names
        self.embeddings_metadata = embeddings_metadata or {}
        self.embeddings_data = embeddings_data
        self.samples_seen = 0
        self.samples_seen_at_last_write = 0
        self.writer = None
        self._warned = set()

    # -- hooks ---------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self._open()
        if self.write_graph and self.model is not None:
            self.writer.add_graph(_layer_graph(self.model))
            self.writer.flush()
        if self.write_grads:
            self._warn_once('write_grads', 'TensorBoard: write_grads is not supported by '
                            'kback; no gradient histograms are written.')

    def on_batch_end(self, batch, logs=None):
        if self.update_freq == 'epoch':
            return
        logs = logs or {}
        self.samples_seen += int(logs.get('size', 0))
        if self.samples_seen - self.samples_seen_at_last_write >= self.update_freq:
            self._write_logs(logs, self.samples_seen)
            self.samples_seen_at_last_write = self.samples_seen

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        has_val = self.validation_data is not None and len(self.validation_data) > 0
        if self.histogram_freq and not (has_val or self.params.get('do_validation')):
            self._close()
            raise ValueError('TensorBoard: if printing histograms (histogram_freq=%d), '
                             'validation_data must be provided.' % self.histogram_freq)
        if self.embeddings_freq and self.embeddings_data is None:
            self._close()
            raise ValueError('TensorBoard: to visualize embeddings (embeddings_freq=%d), '
                             'embeddings_data must be provided.' % self.embeddings_freq)
        self._open()
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._warn_once('embeddings', 'TensorBoard: embeddings are not supported by '
                            'kback; no projector checkpoints are written.')
        self._write_logs(logs, epoch if self.update_freq == 'epoch' else self.samples_seen)

    def on_train_end(self, logs=None):
        self._close()

    # -- writing -------------------------------------------------------------------------

    def _open(self):
        if self.writer is None or self.writer.closed:
            self.writer = _tfevents.EventFileWriter(self.log_dir)

    def _close(self):
        if self.writer is not None:
            self.writer.close()

    def _write_logs(self, logs, step):
        self._open()
        scalars = []
        for name, value in logs.items():
            if name in ('batch', 'size'):
                continue
            value = _scalar(value)
            if value is not None:
                scalars.append((name, value))
        self.writer.add_scalars(scalars, step)
        self.writer.flush()

    def _write_weights(self, step):
        values = []
        for layer in getattr(self.model, 'layers', ()):
            weights = list(getattr(layer, 'weights', ()))
            if not weights:
                continue
            for weight, array in zip(weights, K.batch_get_value(weights)):
                tag = str(getattr(weight, 'name', 'weight')).replace(':', '_')
                values.append(_tfevents.histogram_value(tag, array))
                if self.write_images:
                    values.extend(_weight_images(tag, array))
        if values:
            self.writer.add_summary(values, step)

    def _warn_once(self, key, message):
        if key not in self._warned:
            self._warned.add(key)
            warnings.warn(message)

    def __del__(self):
        writer = getattr(self, 'writer', None)
        if writer is not None:
            writer.close()


# -- helpers -------------------------------------------------------------------------------


def _is_int(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _check_freq(name, value):
    if not _is_int(value) or value < 0:
        raise ValueError('TensorBoard: %s must be a non-negative int, got %r' % (name, value))
    return int(value)


def _scalar(value):
    """The log value as a float, or None when it is not a single number."""
    if isinstance(value, (str, bytes)):
        return None
    try:
        array = np.asarray(value, dtype='float64')
    except (TypeError, ValueError):
        return None
    return float(array.reshape(())) if array.size == 1 else None


def _weight_images(tag, array, max_images=3):
    """Keras's weight images: squeeze, then 2-D (transposed to be wide), 3-D
    (one image per last-axis filter when channels_last) or 1-D (a column)."""
    w = np.squeeze(np.asarray(array))
    if w.ndim == 2:
        images = [w.T if w.shape[0] > w.shape[1] else w]
    elif w.ndim == 3:
        if K.image_data_format() == 'channels_last':
            w = np.transpose(w, (2, 0, 1))
        images = list(w)
    elif w.ndim == 1:
        images = [w.reshape(-1, 1)]
    else:
        return []
    out = []
    for i, image in enumerate(images[:max_images]):
        pixels = _tfevents.float_image_to_uint8(image)
        out.append(_tfevents.image_value('%s/image/%d' % (tag, i), _tfevents.encode_png(pixels),
                                         pixels.shape[0], pixels.shape[1], 1))
    return out


def _layer_graph(model):
    """(name, op, inputs) per layer of the model, plus the input layers that
    `model.layers` leaves out; only the model's own nodes give edges."""
    own = getattr(model, '_network_nodes', None)
    nodes, names = [], set()
    pending = []
    for layer in getattr(model, 'layers', ()):
        inputs = []
        for n, node in enumerate(getattr(layer, '_inbound_nodes', ())):
            if own is not None and (id(layer), n) not in own:
                continue
            for inbound in getattr(node, 'inbound_layers', ()):
                if inbound.name not in inputs:
                    inputs.append(inbound.name)
                pending.append(inbound)
        nodes.append((layer.name, type(layer).__name__, inputs))
        names.add(layer.name)
    for layer in pending:
        if layer.name not in names:
            names.add(layer.name)
            nodes.append((layer.name, type(layer).__name__, []))
    return nodes
