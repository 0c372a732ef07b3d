"""Keras-2 data sets: `load_data()` functions that download once into the
cache (`$KBACK_HOME` or `~/.kback`, subfolder `datasets`) and return numpy
arrays as `(x_train, y_train), (x_test, y_test)`."""
from . import mnist, fashion_mnist, cifar10, cifar100, boston_housing, imdb, reuters  # noqa: F401,E501
