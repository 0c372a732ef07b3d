"""The Keras-2 backend API of kback: `from kback import backend as K`.

An explicit list of public names; the code lives in the topic modules.
"""
from .config import (backend, epsilon, set_epsilon, floatx, set_floatx, cast_to_floatx,
                     image_data_format, set_image_data_format, normalize_data_format,
                     get_num_threads, set_num_threads)
from .tensor import Tensor, Variable, Placeholder, is_tensor
from .core import (variable, placeholder, constant, is_variable, is_placeholder,
                   is_keras_tensor, int_shape, shape, ndim, dtype, eval, get_value,
                   set_value, batch_get_value, batch_set_value, count_params, cast,
                   zeros, ones, eye, zeros_like, ones_like, identity, update, update_add,
                   update_sub, moving_average_update, function, gradients, stop_gradient,
                   clear_session, get_uid, reset_uids, learning_phase, set_learning_phase,
                   learning_phase_scope, graph_mark, created_after)
from .math import (dot, batch_dot, transpose, gather, max, min, sum, prod, mean, var, std,
                   any, all, cumsum, cumprod, argmax, argmin, square, abs, sqrt, exp, log,
                   logsumexp, round, sign, pow, clip, equal, not_equal, greater,
                   greater_equal, less, less_equal, maximum, minimum, sin, cos, switch,
                   in_train_phase, in_test_phase)
from .nn import (relu, elu, selu, softmax, softplus, softsign, sigmoid, hard_sigmoid, tanh,
                 categorical_crossentropy, sparse_categorical_crossentropy,
                 binary_crossentropy, dropout, l2_normalize, in_top_k, bias_add)
from .normalization import batch_normalization, normalize_batch_in_training
from .shape import (concatenate, reshape, permute_dimensions, resize_images,
                    repeat_elements, repeat, tile, flatten, batch_flatten, expand_dims,
                    squeeze, stack, one_hot, slice, reverse, temporal_padding,
                    spatial_2d_padding, spatial_3d_padding, resize_volumes, arange)
from .conv import (conv2d, separable_conv2d, depthwise_conv2d, conv2d_transpose, conv3d,
                   conv3d_transpose)
from .pool import pool2d, pool3d
# The shape arithmetic of the conv and pool ops, shared with Keras's conv_utils and the
# layers; check_shape (kback's own) is K.placeholder's check of a static shape, for Input.
from ._shapes import (conv_output_length, deconv_output_length, channel_axis, spatial_axes,
                      layout_shape, check_shape)
from .higher_order import map_fn, foldl, foldr
from .composed_conv import conv1d, separable_conv1d, local_conv1d, local_conv2d
from .random import (random_uniform_variable, random_normal_variable, random_uniform,
                     random_normal, truncated_normal, random_binomial)
from .compat import (manual_variable_initialization, symbolic, eager, is_symbolic,
                     is_sparse, to_dense, get_variable_shape, size, print_tensor)
# Layer.__call__ runs the layer's call in K.name_scope(layer.name): nodes remember it.
from .graph_state import name_scope
# Importing the submodule `shape` above rebinds the name; K.shape is the function.
from .core import shape  # noqa: E402,F811
from .rnn import rnn
# kback's own: the variable an update op sets (a metric reads its result through its updates).
from .core import assigned_variable
from .ctc import ctc_batch_cost, ctc_decode, ctc_label_dense_to_sparse
# kback's own: the fused recurrent loops (LSTM, GRU, SimpleRNN) the recurrent layers run.
from .recurrent import (lstm_sequence, gru_sequence, simple_rnn_sequence,
                        fused_rnn_activations)
# kback's own: the compiled image warp on numpy batches (preprocessing's augmentation).
from ._kernels.image import affine_warp
# kback's own: the compiled CRC-32C of byte strings (the TensorBoard event files).
from ._kernels.checksum import crc32c
# kback's own: the fused in-place optimizer steps (kback.optimizers' compiled form).
from .ops.optim import optimizer_step, optimizer_step_covers
# kback's own: a fused, non-blocking reduction across processes (kback.distributed).
from .exchange import exchange
