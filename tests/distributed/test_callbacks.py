"""Rank-0 duties and the learning-rate callbacks (in one process: a rank
other than 0 is simulated with set_primary_process(False))."""
import os

import numpy as np
import pytest

from kback import backend as K, layers, models, optimizers
from kback.callbacks import (CSVLogger, ModelCheckpoint, TensorBoard, LambdaCallback,
                             set_primary_process)
from kback.distributed import LearningRateScheduleCallback


def _model(opt=None):
    model = models.Sequential([layers.Dense(2, input_shape=(3,), activation='softmax')])
    model.compile(opt or optimizers.SGD(0.1, momentum=0.5), 'categorical_crossentropy')
    return model


@pytest.fixture
def secondary():
    set_primary_process(False)
    yield
    set_primary_process(True)


def test_a_secondary_rank_prints_and_writes_nothing(secondary, tmp_path, capsys):
    x, y = np.ones((8, 3)), np.eye(2)[np.arange(8) % 2]
    seen = []
    callbacks = [CSVLogger(str(tmp_path / 'log.csv')), TensorBoard(str(tmp_path / 'tb')),
                 ModelCheckpoint(str(tmp_path / 'm.h5')),
                 LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))]
    _model().fit(x, y, epochs=2, batch_size=4, verbose=1, callbacks=callbacks,
                 validation_data=(x, y))
    _model().evaluate(x, y, verbose=1)
    assert capsys.readouterr().out == ''
    assert os.listdir(tmp_path) == []
    assert seen == [0, 1]                         # the other callbacks still run


def test_a_secondary_rank_writes_when_asked(secondary, tmp_path):
    logger = CSVLogger(str(tmp_path / 'log.csv'))
    logger.primary_only = False
    _model().fit(np.ones((4, 3)), np.eye(2)[[0, 1, 0, 1]], verbose=0, callbacks=[logger])
    assert os.listdir(tmp_path) == ['log.csv']


def test_schedule_multiplies_the_initial_rate_and_corrects_momentum():
    model = _model()
    rates, momenta = [], []
    spy = LambdaCallback(on_batch_begin=lambda b, logs: (
        rates.append(float(K.get_value(model.optimizer.lr))),
        momenta.append(float(K.get_value(model.optimizer.momentum)))))
    schedule = LearningRateScheduleCallback(lambda epoch: 0.5 ** epoch, start_epoch=1,
                                            end_epoch=3)
    history = model.fit(np.ones((4, 3)), np.eye(2)[[0, 1, 0, 1]], batch_size=2, epochs=4,
                        verbose=0, callbacks=[schedule, spy])
    np.testing.assert_allclose(rates, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025])
    # The momentum is scaled on the batch where the rate changes, then restored.
    np.testing.assert_allclose(momenta, [0.5, 0.5, 0.25, 0.5, 0.25, 0.5, 0.5, 0.5])
    np.testing.assert_allclose(history.history['lr'], [0.1, 0.05, 0.025, 0.025])


def test_a_smooth_schedule_needs_the_steps_per_epoch():
    model = _model()
    schedule = LearningRateScheduleCallback(lambda e: 1., staircase=False)

    def batches():
        while True:
            yield np.ones((2, 3)), np.eye(2)
    # A generator fit knows its steps, so staircase=False works there ...
    model.fit(batches(), steps_per_epoch=2, verbose=0, callbacks=[schedule])
    # ... and an array fit, which counts samples, asks for them.
    with pytest.raises(ValueError, match='staircase=False needs steps_per_epoch'):
        model.fit(np.ones((4, 3)), np.eye(2)[[0, 1, 0, 1]], verbose=0,
                  callbacks=[LearningRateScheduleCallback(lambda e: 1., staircase=False)])


def test_the_progress_bar_prints_the_logs_as_the_callbacks_left_them(capsys):
    """As in Keras 2.3 the bar comes last, so rank 0 prints the metrics that
    MetricAverageCallback averaged (here a stand-in that rewrites them)."""
    model = _model()
    model.compile(optimizers.SGD(0.1), 'categorical_crossentropy', metrics=['accuracy'])
    rewrite = LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update(accuracy=0.125))
    model.fit(np.ones((4, 3)), np.eye(2)[[0, 1, 0, 1]], verbose=2, callbacks=[rewrite])
    assert 'accuracy: 0.1250' in capsys.readouterr().out
