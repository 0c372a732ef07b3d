"""The progress bar's exact text, with the clock fixed."""
import io
import sys

import pytest

from kback.utils import Progbar
from kback.utils import progbar as progbar_module


class _Clock(object):
    def __init__(self):
        self.now = 0.0

    def time(self):
        return self.now


class _Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def clock(monkeypatch):
    c = _Clock()
    monkeypatch.setattr(progbar_module, 'time', c)
    return c


class _Captured(object):
    """capsys's text so far (pytest resets sys.stdout between a fixture's
    setup and the test, so the stream cannot be swapped in a fixture)."""

    def __init__(self, capsys):
        self.capsys = capsys
        self.text = ''

    def getvalue(self):
        self.text += self.capsys.readouterr().out
        return self.text


@pytest.fixture
def out(capsys):
    return _Captured(capsys)


def test_final_line_matches_keras(clock, out):
    bar = Progbar(4000)
    clock.now = 1.0
    bar.update(4000, [('loss', 0.2548), ('accuracy', 0.9263)])
    assert out.getvalue() == ('\n4000/4000 [==============================] - 1s 250us/step'
                              ' - loss: 0.2548 - accuracy: 0.9263\n')


def test_running_line_shows_eta_and_arrow(clock, out):
    bar = Progbar(4000)
    clock.now = 0.25
    bar.update(1000, [('loss', 0.5)])
    assert out.getvalue() == ('\n1000/4000 [======>.......................] - ETA: 0s'
                              ' - loss: 0.5000')


def test_counter_is_right_aligned_to_target_width(clock, out):
    bar = Progbar(1000)
    clock.now = 1.0
    bar.update(50)
    assert out.getvalue().startswith('\n  50/1000 [>')


def test_average_is_weighted_by_units(clock, out):
    bar = Progbar(4000)
    clock.now = 1.0
    bar.update(1000, [('loss', 1.0)])
    clock.now = 2.0
    bar.update(4000, [('loss', 0.0)])
    last = out.getvalue().split('\n')[-2]
    assert last.endswith(' - loss: 0.2500')
    assert ' - 2s 500us/step' in last


def test_stateful_metric_shown_as_given(clock, out):
    bar = Progbar(10, stateful_metrics=['acc'])
    clock.now = 1.0
    bar.update(5, [('acc', 0.2), ('loss', 2.0)])
    clock.now = 2.0
    bar.update(10, [('acc', 0.9), ('loss', 1.0)])
    assert out.getvalue().split('\n')[-2].endswith(' - acc: 0.9000 - loss: 1.5000')


def test_add_advances_by_n(clock, out):
    bar = Progbar(10)
    clock.now = 1.0
    bar.add(4, [('loss', 1.0)])
    clock.now = 2.0
    bar.add(6, [('loss', 2.0)])
    assert out.getvalue().split('\n')[-2] == (
        '10/10 [==============================] - 2s 200ms/step - loss: 1.6000')


def test_time_units(clock, out):
    bar = Progbar(2)
    clock.now = 5.0
    bar.update(2)
    assert ' - 5s 2s/step' in out.getvalue()


@pytest.mark.parametrize('elapsed,expected', [(0.5, 'ETA: 49s'), (0.7, 'ETA: 1:09'),
                                              (40.0, 'ETA: 1:06:00')])
def test_eta_formats(clock, out, elapsed, expected):
    bar = Progbar(100)
    clock.now = elapsed
    bar.update(1)
    assert ' - ' + expected in out.getvalue()


def test_small_values_use_exponent(clock, out):
    bar = Progbar(1)
    clock.now = 1.0
    bar.update(1, [('loss', 1e-4), ('neg', -0.5)])
    assert out.getvalue().endswith(' - loss: 1.0000e-04 - neg: -0.5000\n')


def test_interval_throttles_but_final_update_always_prints(clock, out):
    bar = Progbar(10, interval=1.0)
    clock.now = 0.5   # first update: last_update starts at 0, 0.5 < 1.0
    bar.update(1)
    assert out.getvalue() == ''
    clock.now = 1.5
    bar.update(2)
    clock.now = 1.6
    bar.update(3)      # within the interval: skipped
    clock.now = 1.7
    bar.update(10)     # final: printed
    lines = out.getvalue().split('\n')
    assert [line[:5] for line in lines[1:3]] == [' 2/10', '10/10']
    assert len(lines) == 4 and lines[-1] == ''


def test_dynamic_display_rewrites_in_place(clock, monkeypatch):
    tty = _Tty()
    monkeypatch.setattr(sys, 'stdout', tty)
    bar = Progbar(10)
    clock.now = 1.0
    bar.update(5, [('loss', 1.0)])
    first = tty.getvalue()
    assert first.startswith('\r 5/10')
    width = len(first) - 1
    clock.now = 2.0
    bar.update(10, [('loss', 1.0)])
    rest = tty.getvalue()[len(first):]
    assert rest.startswith('\b' * width + '\r10/10 [====')
    assert rest.endswith('\n')


def test_shorter_line_is_padded_over_the_previous_one(clock, monkeypatch):
    tty = _Tty()
    monkeypatch.setattr(sys, 'stdout', tty)
    bar = Progbar(10)
    clock.now = 7200.0
    bar.update(1, [('loss', 1.0)])   # ETA: 18:00:00 is long
    first = tty.getvalue()
    clock.now = 7201.0
    bar.update(9, [('loss', 1.0)])
    second = tty.getvalue()[len(first):].lstrip('\b')
    assert len(second) - 1 >= len(first) - 1  # '\r' aside, covers the old line
    assert second.endswith(' ')


def test_verbose_2_prints_one_line_at_the_end(clock, out):
    bar = Progbar(10, verbose=2)
    clock.now = 1.0
    bar.update(5, [('loss', 1.0)])
    assert out.getvalue() == ''
    clock.now = 3.0
    bar.update(10, [('loss', 0.0), ('val', -0.5)])
    assert out.getvalue() == ' - 3s - loss: 0.5000 - val: -5.0000e-01\n'


def test_verbose_0_is_silent(clock, out):
    bar = Progbar(10, verbose=0)
    clock.now = 1.0
    bar.update(10, [('loss', 1.0)])
    assert out.getvalue() == ''


def test_unknown_target(clock, out):
    bar = Progbar(None)
    clock.now = 1.0
    bar.update(50, [('loss', 1.0)])
    assert out.getvalue() == '\n     50/Unknown - 1s 20ms/step - loss: 1.0000'


def test_unit_name(clock, out):
    bar = Progbar(4, unit_name='sample')
    clock.now = 1.0
    bar.update(4)
    assert ' - 1s 250ms/sample' in out.getvalue()


def test_negative_target_rejected():
    with pytest.raises(ValueError, match='target'):
        Progbar(-1)
