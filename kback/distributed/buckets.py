"""Gradient buckets: gradients fused into one contiguous buffer per bucket,
reduced with a non-blocking MPI Iallreduce (Horovod's tensor fusion).

A `Bucket` is the channel of K.exchange (backend/ops/exchange.py): the
compiled step calls `start` as soon as the bucket's last gradient exists and
`wait` before the updates.  MPICH moves a non-blocking collective forward only
inside MPI calls, and backprop makes none: without help, a bucket's allreduce
would only run in its `wait`.  A `Progress` thread therefore tests the
requests in flight every `interval` seconds (the GIL is free while kernels
run), so that the allreduce proceeds during the rest of backprop.
"""
import threading
import time

import numpy as np

from .world import mpi

_FP16_SUM = []      # the MPI op summing float16 bits, created on first use


def _fp16_sum():
    if not _FP16_SUM:
        def add(incoming, inout, datatype):
            out = np.frombuffer(inout, np.float16)
            out += np.frombuffer(incoming, np.float16)
        _FP16_SUM.append(mpi().Op.Create(add, commute=True))
    return _FP16_SUM[0]


class ExchangeStats:
    """Counters of one optimizer's gradient exchanges: steps, bytes sent per
    rank, of which `hidden_bytes` in buckets whose allreduce had finished
    when the step came to wait for it (overlapped with backprop), seconds
    packing and posting (`start_s`) and seconds blocked waiting at the end
    of backprop (`wait_s`: the exposed allreduce, and any wait for a slower
    rank)."""

    def __init__(self):
        self.buckets = 0      # buckets per step, set when the step is built
        self.reset()

    def reset(self):
        self.steps = self.bytes = self.hidden_bytes = 0
        self.start_s = self.wait_s = 0.

    def as_dict(self):
        return {'steps': self.steps, 'bytes': self.bytes, 'hidden_bytes': self.hidden_bytes,
                'start_s': self.start_s, 'wait_s': self.wait_s}


class Progress:
    """The requests in flight of one optimizer's buckets, and a daemon thread
    that calls MPI's progress on them (Testall) every `interval` seconds
    while any is in flight (interval None: no thread).  Every MPI call on
    these requests holds `lock`: MPI forbids completing one request from two
    threads at once."""

    def __init__(self, interval):
        self.interval = interval
        self.lock = threading.Condition()
        self.in_flight = []
        self._thread = None

    def add(self, request):
        with self.lock:
            self.in_flight.append(request)
            if self.interval is None:
                # Without the thread, each start moves the earlier buckets on.
                mpi().Request.Testall(self.in_flight)
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name='kback-mpi-progress')
                self._thread.start()
            self.lock.notify()

    def finish(self, request):
        """Waits for request; returns whether it had already completed."""
        with self.lock:
            done = request.Test()
            if not done:
                request.Wait()
            # By identity: mpi4py compares requests by handle (done ones are all null).
            self.in_flight[:] = [r for r in self.in_flight if r is not request]
        return done

    def _run(self):
        MPI = mpi()
        while True:
            with self.lock:
                while not self.in_flight:
                    self.lock.wait()
                MPI.Request.Testall(self.in_flight)
            time.sleep(self.interval)


class Bucket:
    """One fused bucket: the averaged sum over ranks of the arrays handed to
    `start`, sent as float32 or, with compression='fp16', as float16.  The
    result buffer is reused by the next step (the step's updates read it
    before then)."""

    def __init__(self, comm, average, compression, progress, stats, first):
        self.comm, self.average, self.compression = comm, average, compression
        self.progress, self.stats, self.first = progress, stats, first
        self.request = None
        self._buffers = None

    def _buffers_for(self, n, dtype):
        if self._buffers is None or self._buffers[0].size != n or \
                self._buffers[0].dtype != dtype:
            wire = np.float16 if self.compression == 'fp16' else dtype
            self._buffers = (np.empty(n, dtype), np.empty(n, wire),
                             np.empty(n, wire) if self.compression else None)
        return self._buffers

    def start(self, arrays):
        t0 = time.perf_counter()
        n = sum(a.size for a in arrays)
        result, send, received = self._buffers_for(n, arrays[0].dtype)
        offset = 0
        for a in arrays:
            send[offset:offset + a.size] = a.reshape(-1)
            offset += a.size
        MPI = mpi()
        with self.progress.lock:
            if self.compression == 'fp16':
                self.request = self.comm.Iallreduce([send, MPI.UINT16_T],
                                                    [received, MPI.UINT16_T], _fp16_sum())
            else:
                self.request = self.comm.Iallreduce(send, result, MPI.SUM)
        self.progress.add(self.request)
        if self.first:
            self.stats.steps += 1
        self.stats.bytes += send.nbytes
        self.stats.start_s += time.perf_counter() - t0
        return result

    def wait(self, result):
        t0 = time.perf_counter()
        if self.progress.finish(self.request):
            self.stats.hidden_bytes += self._buffers[1].nbytes
        self.request = None
        scale = 1. / self.comm.Get_size() if self.average else 1.
        if self.compression == 'fp16':
            np.multiply(self._buffers[2], scale, out=result, casting='unsafe')
        elif scale != 1.:
            result *= scale
        self.stats.wait_s += time.perf_counter() - t0
        return result


def fill_buckets(grads, bucket_bytes):
    """Lists of indexes into grads: consecutive in the order backprop computes
    them (node creation order), one dtype per bucket, each up to bucket_bytes
    (a larger gradient is a bucket of its own)."""
    order = sorted(range(len(grads)), key=lambda i: grads[i].id)
    buckets, current, used = [], [], 0
    for i in order:
        nbytes = int(np.prod(grads[i].shape)) * np.dtype(_compute(grads[i].dtype)).itemsize
        if current and (used + nbytes > bucket_bytes or
                        grads[i].dtype != grads[current[0]].dtype):
            buckets.append(current)
            current, used = [], 0
        current.append(i)
        used += nbytes
    if current:
        buckets.append(current)
    return buckets


def _compute(dtype):
    return 'float32' if dtype == 'float16' else dtype
