"""How many threads a parallel kernel uses now: the setting, or fewer while
other processes want the cores.

Why: a parallel region ends when its slowest thread does.  When another
process is running, the OS deschedules one of kback's threads for a time
slice at a time, and each of a step's dozens of regions waits for it: with
one busy-looping process beside it, a 2-thread MLP step (4096-256-10, batch
64) took 3-7x its 1-thread time at the median, and 40x was seen.
(benchmarks/contention.py measures it.)

How: at most every SAMPLE_S, read how many tasks are runnable on the machine
(/proc/loadavg, a pread of ~2-4 us), take away kback's own (the caller and
the workers still spinning after a region, whose state /proc/self/task/<tid>/stat
gives), and leave a core to each of the others.  Fewer threads take effect
when two samples in a row ask for them (a task seen once is passing by); more
only after HOLD_S in which every sample allowed them, so the team does not flap.  Without /proc (not Linux), with
`config.adaptive_threads()` off or at 1 thread the setting is used as is.
The kernels' results do not depend on their thread count, so neither do
kback's.
"""
import os
import time

from .. import config

SAMPLE_S = 0.004
HOLD_S = 0.05


class Team:
    def __init__(self, thread_ids):
        """thread_ids(n): the OS ids of a team of n threads, the caller first
        (kback_core's team_thread_ids), or None without the compiled core."""
        self._thread_ids = thread_ids
        self._pid = None
        self._reset()

    def _reset(self):
        self._loadavg = None
        self._workers = {}       # team size -> fds of its workers' stat files
        self._sampled = -1.0
        self._window = -1.0      # start of the hold window
        self._allowed = None     # the fewest threads a sample of this window allowed
        self._previous = None    # the last sample
        self._cores = None       # (usable cores, online cores)

    def threads(self, n):
        """Threads for a parallel kernel when the setting is n."""
        if n == 1 or self._thread_ids is None or not config.adaptive_threads():
            return n
        now = time.perf_counter()
        if now - self._sampled < SAMPLE_S and self._allowed is not None:
            return min(n, self._allowed)
        self._sampled = now
        sample = self._free_threads(n)
        if sample is None:
            return n
        # A task seen by one sample only is passing by: believe two in a row.
        sample, self._previous = max(sample, n if self._previous is None else self._previous), sample
        if self._allowed is None or now - self._window >= HOLD_S:
            self._window, self._allowed = now, sample
            self._cores = None           # the affinity may have changed: read it again
        else:
            self._allowed = min(self._allowed, sample)
        return min(n, self._allowed)

    def _free_threads(self, n):
        """Threads that leave a core to every other runnable task, or None
        when the OS does not say."""
        counts = self._runnable(n)
        if counts is None:
            return None
        runnable, ours = counts
        others = max(0, runnable - ours)
        if self._cores is None:          # os.cpu_count() reads /sys: 15 us
            self._cores = config.usable_cores(), os.cpu_count() or 1
        cores, online = self._cores
        if online > cores:               # the count covers every core, ours are a share
            others = round(others * cores / online)
        spare = max(0, cores - n)        # cores the setting leaves idle anyway
        return max(1, n - max(0, others - spare))

    def _runnable(self, n):
        """(tasks runnable on the machine, those of them that are this team's
        threads: the caller and its spinning workers), or None."""
        if self._pid != os.getpid():     # a forked child has none of its parent's threads
            self._close()
            self._pid = os.getpid()
        try:
            if self._loadavg is None:
                self._loadavg = os.open('/proc/loadavg', os.O_RDONLY)
            runnable = int(os.pread(self._loadavg, 128, 0).split()[3].split(b'/')[0])
            fds = self._worker_fds(n)
        except (OSError, ValueError, IndexError):
            self._close()
            self._thread_ids = None      # no /proc or no thread ids here: stop asking
            return None
        try:
            ours = 1 + sum(os.pread(fd, 512, 0).rpartition(b')')[2][1:2] == b'R' for fd in fds)
        except OSError:                  # a worker has gone: ask for the team again
            self._close()
            return None
        return runnable, ours

    def _worker_fds(self, n):
        fds = self._workers.get(n)
        if fds is None:
            ids = self._thread_ids(n)[1:]
            if any(tid < 0 for tid in ids):
                raise OSError('no thread ids')
            fds = self._workers[n] = [os.open(f'/proc/self/task/{tid}/stat', os.O_RDONLY)
                                      for tid in ids]
        return fds

    def _close(self):
        for fd in [self._loadavg] + [fd for fds in self._workers.values() for fd in fds]:
            if fd is not None:
                os.close(fd)
        self._reset()
