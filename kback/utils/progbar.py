"""The Keras-2 text progress bar (`kback.utils.Progbar`).

Output is character-for-character Keras 2.3's:

    4000/4000 [==============================] - 1s 250us/step - loss: 0.2548 - accuracy: 0.9263

While running, the time column is an ETA; at the end it is the elapsed time
and the time per unit. Non-stateful values are averaged over the units seen
(each update weighted by how many units it covers); stateful ones are shown
as last given.
"""
import os
import sys
import time

import numpy as np


def _is_dynamic(stream):
    """Redraw in place ('\\b' + '\\r') on terminals and notebooks; a log file or
    a pipe gets one line per redraw instead."""
    isatty = getattr(stream, 'isatty', None)
    try:
        if isatty is not None and isatty():
            return True
    except ValueError:  # closed stream
        return False
    return 'ipykernel' in sys.modules or 'PYCHARM_HOSTED' in os.environ


def _format_eta(eta):
    if eta > 3600:
        return '%d:%02d:%02d' % (eta // 3600, (eta % 3600) // 60, eta % 60)
    if eta > 60:
        return '%d:%02d' % (eta // 60, eta % 60)
    return '%ds' % eta


def _format_per_unit(seconds, unit_name):
    if seconds >= 1:
        return ' %.0fs/%s' % (seconds, unit_name)
    if seconds >= 1e-3:
        return ' %.0fms/%s' % (seconds * 1e3, unit_name)
    return ' %.0fus/%s' % (seconds * 1e6, unit_name)


class Progbar(object):
    """Displays a progress bar.

    Arguments:
        target: total number of units expected, None if unknown.
        width: width of the bar in characters.
        verbose: 0 silent, 1 bar redrawn in place, 2 one line at the end.
        interval: minimum seconds between two redraws (verbose=1).
        stateful_metrics: names whose values are shown as given instead of
            being averaged over time.
        unit_name: the unit in the time-per-unit column ('step', 'sample').
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05,
                 stateful_metrics=None, unit_name='step'):
        if target is not None and target < 0:
            raise ValueError('Progbar: target must be None or >= 0, got %r' % (target,))
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self._dynamic_display = _is_dynamic(sys.stdout)
        self._total_width = 0
        self._seen_so_far = 0
        # name -> [weighted sum, weight]; a dict keeps first-seen order.
        self._values = {}
        self._start = time.time()
        self._last_update = 0

    def update(self, current, values=None):
        """Moves the bar to `current` units.

        Arguments:
            current: index of the current unit (the count seen so far).
            values: list of `(name, value_for_last_update)` tuples.
        """
        for k, v in values or []:
            if k in self.stateful_metrics:
                # One sample of weight 1: shown as-is, with numeric formatting.
                self._values[k] = [v, 1]
                continue
            step = current - self._seen_so_far
            if k in self._values:
                self._values[k][0] += v * step
                self._values[k][1] += step
            else:
                self._values[k] = [v * step, step]
        self._seen_so_far = current

        now = time.time()
        info = ' - %.0fs' % (now - self._start)
        if self.verbose == 1:
            finished = self.target is not None and current >= self.target
            if (now - self._last_update < self.interval and self.target is not None
                    and not finished):
                return
            out = sys.stdout
            prev_total_width = self._total_width
            if self._dynamic_display:
                out.write('\b' * prev_total_width)
                out.write('\r')
            else:
                out.write('\n')

            bar = self._bar(current)
            self._total_width = len(bar)
            out.write(bar)

            time_per_unit = (now - self._start) / current if current else 0
            if self.target is not None and current < self.target:
                info = ' - ETA: %s' % _format_eta(time_per_unit * (self.target - current))
            else:
                info += _format_per_unit(time_per_unit, self.unit_name)
            info += self._metrics_text(abs_threshold=True)

            self._total_width += len(info)
            if prev_total_width > self._total_width:
                # Blank out what is left of a longer previous line.
                info += ' ' * (prev_total_width - self._total_width)
            if finished:
                info += '\n'
            out.write(info)
            out.flush()

        elif self.verbose == 2:
            if self.target is None or current >= self.target:
                # Keras 2.3 compares the signed value here (negatives use %e).
                info += self._metrics_text(abs_threshold=False) + '\n'
                sys.stdout.write(info)
                sys.stdout.flush()

        self._last_update = now

    def add(self, n, values=None):
        """Advances the bar by `n` units."""
        self.update(self._seen_so_far + n, values)

    def _bar(self, current):
        if self.target is None:
            return '%7d/Unknown' % current
        numdigits = int(np.floor(np.log10(self.target))) + 1 if self.target > 0 else 1
        bar = ('%%%dd/%d [' % (numdigits, self.target)) % current
        prog = float(current) / self.target if self.target else 1.0
        prog_width = int(self.width * prog)
        if prog_width > 0:
            bar += '=' * (prog_width - 1)
            bar += '>' if current < self.target else '='
        bar += '.' * (self.width - prog_width)
        return bar + ']'

    def _metrics_text(self, abs_threshold):
        text = ''
        for k, (total, weight) in self._values.items():
            avg = np.mean(total / max(1, weight))
            small = abs(avg) <= 1e-3 if abs_threshold else not avg > 1e-3
            text += (' - %s: %.4e' if small else ' - %s: %.4f') % (k, avg)
        return text
