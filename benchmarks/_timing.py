"""Timing helpers for the benchmark scripts: medians of repeated runs."""
import statistics
import time


def median_seconds(fn, repeats=15, min_time=0.02):
    """Median time of one call; each sample loops until it lasts min_time."""
    fn()   # warm-up
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        if time.perf_counter() - start >= min_time:
            break
        loops *= 2
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        samples.append((time.perf_counter() - start) / loops)
    return statistics.median(samples)


def try_import_torch():
    try:
        import torch
        return torch
    except ImportError:
        return None
