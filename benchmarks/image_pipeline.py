"""Throughput of the image input pipeline (keras.preprocessing.image).

    python benchmarks/image_pipeline.py [--images N] [--repeats R]

Writes N 128x128 RGB JPEGs (smooth random content, 2 classes) to a temporary
folder, then measures one epoch of

    ImageDataGenerator(rescale=1/255., horizontal_flip=True,
                       width_shift_range=0.1, height_shift_range=0.1)
        .flow_from_directory(dir, target_size=(128, 128), batch_size=32)

(a) iterated in the main thread, (b) through kback's OrderedEnqueuer with
2 worker threads, (c) with 2 worker processes (use_multiprocessing=True; the
pool starts before the timed epochs, as in a training run's later epochs); and
a breakdown: decoding only (no generator), and augmentation of
an in-memory batch with `transform_batch` vs a per-sample `random_transform`
loop. Prints medians (images/s).
"""
import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]   # runnable from a source checkout
from _timing import median_seconds  # noqa: E402

from PIL import Image  # noqa: E402

from kback.preprocessing.image import DirectoryIterator, ImageDataGenerator  # noqa: E402
from kback.utils.data_utils import OrderedEnqueuer  # noqa: E402

SIZE = 128
BATCH = 32


def write_images(root, n, seed=0):
    """n smooth random JPEGs (random 8x8 colour fields upsampled), 2 classes."""
    rng = np.random.RandomState(seed)
    for cls in ('class_a', 'class_b'):
        os.makedirs(os.path.join(root, cls))
    for i in range(n):
        small = Image.fromarray((rng.rand(8, 8, 3) * 255).astype('uint8'))
        img = small.resize((SIZE, SIZE), Image.Resampling.BICUBIC)
        cls = ('class_a', 'class_b')[i % 2]
        img.save(os.path.join(root, cls, 'img%05d.jpg' % i), quality=90)


def quiet(fn, *args, **kwargs):
    """Calls fn without its 'Found N images' print."""
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


def epoch_main_thread(it):
    for i in range(len(it)):
        it[i]


def epoch_enqueued(it, workers=2):
    enqueuer = OrderedEnqueuer(it, shuffle=False)
    enqueuer.start(workers=workers, max_queue_size=10)
    try:
        batches = enqueuer.get()
        for _ in range(len(it)):
            next(batches)
    finally:
        enqueuer.stop()


def median_epoch(fn, it, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(it)
        times.append(time.perf_counter() - start)
        it.on_epoch_end()
    return statistics.median(times)


def median_epoch_processes(it, repeats, workers=2):
    """Epochs through one OrderedEnqueuer with worker processes: the first
    epoch (starting the fork server and the workers) is not timed, and each
    later one includes the workers' restart with the reshuffled iterator."""
    enqueuer = OrderedEnqueuer(it, shuffle=False, use_multiprocessing=True)
    enqueuer.start(workers=workers, max_queue_size=10)
    try:
        batches = enqueuer.get()
        times = []
        for _ in range(repeats + 1):
            start = time.perf_counter()
            for _ in range(len(it)):
                next(batches)
            times.append(time.perf_counter() - start)
    finally:
        enqueuer.stop()
    return statistics.median(times[1:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--images', type=int, default=1024)
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()
    n, repeats = args.images, args.repeats

    root = tempfile.mkdtemp(prefix='kback_image_bench_')
    try:
        start = time.perf_counter()
        write_images(root, n)
        print('wrote %d %dx%d JPEGs in %.1f s (%s)' % (n, SIZE, SIZE,
                                                     time.perf_counter() - start, root))
        gen = ImageDataGenerator(rescale=1 / 255., horizontal_flip=True,
                                 width_shift_range=0.1, height_shift_range=0.1)
        it = quiet(gen.flow_from_directory, root, target_size=(SIZE, SIZE),
                   batch_size=BATCH, seed=0)
        decode_it = quiet(DirectoryIterator, root, None, target_size=(SIZE, SIZE),
                          batch_size=BATCH, seed=0)
        epoch_main_thread(it)  # warm-up: file cache, kernels

        rows = []
        t = median_epoch(epoch_main_thread, it, repeats)
        rows.append(('flow_from_directory epoch, main thread', n / t))
        t = median_epoch(epoch_enqueued, it, repeats)
        rows.append(('flow_from_directory epoch, OrderedEnqueuer 2 threads', n / t))
        t = median_epoch_processes(it, repeats)
        rows.append(('flow_from_directory epoch, OrderedEnqueuer 2 processes', n / t))
        t = median_epoch(epoch_main_thread, decode_it, repeats)
        rows.append(('decode only (no generator), main thread', n / t))

        x = it[0][0] * 255.  # an in-memory batch of decoded images
        rng = np.random.RandomState(0)
        t = median_seconds(lambda: gen.transform_batch(x.copy(), rng), repeats=5)
        rows.append(('augmentation only: transform_batch on a batch of %d' % BATCH,
                     len(x) / t))

        def per_sample():
            for img in x:
                gen.standardize(gen.random_transform(img.copy()))
        t = median_seconds(per_sample, repeats=5)
        rows.append(('augmentation only: per-sample random_transform loop', len(x) / t))

        width = max(len(r[0]) for r in rows)
        print('\n%-*s  %10s' % (width, 'median of %d' % repeats, 'images/s'))
        for name, rate in rows:
            print('%-*s  %10.0f' % (width, name, rate))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    main()
