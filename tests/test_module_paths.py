"""Every public name of Keras 2.3.1's modules is importable from kback's
module of the same path (`keras.layers.convolutional.Conv3D` ->
`kback.layers.convolutional.Conv3D`), or is listed below, with the reason,
as one kback lacks.

KERAS_2_3_1 was collected from the Keras 2.3.1 wheel on PyPI with `ast`: for
each module, the names without a leading underscore that it defines at top
level (def, class, assignment, also under `if`), plus, for packages and for
`keras.engine.topology`, the names they import from inside keras (their
exports; `from .. import backend` excluded); `keras.layers.convolutional`
adds the pooling and legacy layers it imports "for backwards namespace
compatibility", `keras.objectives` (`from .losses import *`) the names of
`keras.losses`.  Keras's other backends, its legacy interfaces and the
modules in LACKING_MODULES are left out as whole modules.
"""
import importlib

import pytest

KERAS_2_3_1 = {
    'keras': (
        'Input Model Sequential activations applications backend callbacks constraints datasets '
        'engine initializers layers losses metrics models optimizers preprocessing regularizers '
        'utils wrappers'),
    'keras.activations': (
        'deserialize elu exponential get hard_sigmoid linear relu selu serialize sigmoid softmax '
        'softplus softsign tanh'),
    'keras.applications': (
        'DenseNet121 DenseNet169 DenseNet201 InceptionResNetV2 InceptionV3 MobileNet MobileNetV2 '
        'NASNetLarge NASNetMobile ResNet101 ResNet101V2 ResNet152 ResNet152V2 ResNet50 ResNet50V2 '
        'VGG16 VGG19 Xception keras_modules_injection'),
    'keras.applications.densenet': (
        'DenseNet121 DenseNet169 DenseNet201 decode_predictions preprocess_input'),
    'keras.applications.imagenet_utils': 'decode_predictions preprocess_input',
    'keras.applications.inception_resnet_v2': (
        'InceptionResNetV2 decode_predictions preprocess_input'),
    'keras.applications.inception_v3': 'InceptionV3 decode_predictions preprocess_input',
    'keras.applications.mobilenet': 'MobileNet decode_predictions preprocess_input',
    'keras.applications.mobilenet_v2': 'MobileNetV2 decode_predictions preprocess_input',
    'keras.applications.nasnet': (
        'NASNetLarge NASNetMobile decode_predictions preprocess_input'),
    'keras.applications.resnet': (
        'ResNet101 ResNet152 ResNet50 decode_predictions preprocess_input'),
    'keras.applications.resnet50': 'ResNet50 decode_predictions preprocess_input',
    'keras.applications.resnet_v2': (
        'ResNet101V2 ResNet152V2 ResNet50V2 decode_predictions preprocess_input'),
    'keras.applications.vgg16': 'VGG16 decode_predictions preprocess_input',
    'keras.applications.vgg19': 'VGG19 decode_predictions preprocess_input',
    'keras.applications.xception': 'Xception decode_predictions preprocess_input',
    'keras.backend': (
        'abs all any arange argmax argmin backend batch_dot batch_flatten batch_get_value '
        'batch_normalization batch_set_value bias_add binary_crossentropy cast cast_to_floatx '
        'categorical_crossentropy clear_session clip concatenate constant control_dependencies '
        'conv1d conv2d conv2d_transpose conv3d conv3d_transpose cos count_params ctc_batch_cost '
        'ctc_decode ctc_label_dense_to_sparse cumprod cumsum depthwise_conv2d dot dropout dtype '
        'eager elu epsilon equal eval exp expand_dims eye flatten floatx foldl foldr function '
        'gather get_session get_uid get_value gradients greater greater_equal hard_sigmoid '
        'identity image_data_format in_test_phase in_top_k in_train_phase int_shape '
        'is_keras_tensor is_placeholder is_sparse is_tensor is_variable l2_normalize '
        'learning_phase less less_equal local_conv1d local_conv2d log logsumexp '
        'manual_variable_initialization map_fn max maximum mean min minimum moving_average_update '
        'name_scope ndim normalize_batch_in_training normalize_data_format not_equal one_hot ones '
        'ones_like pattern_broadcast permute_dimensions placeholder pool2d pool3d pow '
        'print_tensor prod random_binomial random_normal random_normal_variable random_uniform '
        'random_uniform_variable relu repeat repeat_elements reset_uids reshape resize_images '
        'resize_volumes reverse rnn round separable_conv1d separable_conv2d set_epsilon '
        'set_floatx set_image_data_format set_learning_phase set_session set_value shape sigmoid '
        'sign sin size slice softmax softplus softsign sparse_categorical_crossentropy '
        'spatial_2d_padding spatial_3d_padding sqrt square squeeze stack std stop_gradient sum '
        'switch symbolic tanh temporal_padding tile to_dense transpose truncated_normal update '
        'update_add update_sub var variable zeros zeros_like'),
    'keras.callbacks': (
        'BaseLogger CSVLogger Callback CallbackList EarlyStopping History LambdaCallback '
        'LearningRateScheduler ModelCheckpoint ProgbarLogger ReduceLROnPlateau RemoteMonitor '
        'TensorBoard TerminateOnNaN'),
    'keras.callbacks.callbacks': (
        'BaseLogger CSVLogger Callback CallbackList EarlyStopping History LambdaCallback '
        'LearningRateScheduler ModelCheckpoint ProgbarLogger ReduceLROnPlateau RemoteMonitor '
        'TerminateOnNaN'),
    'keras.constraints': (
        'Constraint MaxNorm MinMaxNorm NonNeg UnitNorm deserialize get max_norm maxnorm '
        'min_max_norm non_neg nonneg serialize unit_norm unitnorm'),
    'keras.datasets': 'boston_housing cifar10 cifar100 fashion_mnist imdb mnist reuters',
    'keras.datasets.boston_housing': 'load_data',
    'keras.datasets.cifar': 'load_batch',
    'keras.datasets.cifar10': 'load_data',
    'keras.datasets.cifar100': 'load_data',
    'keras.datasets.fashion_mnist': 'load_data',
    'keras.datasets.imdb': 'get_word_index load_data',
    'keras.datasets.mnist': 'load_data',
    'keras.datasets.reuters': 'get_word_index load_data',
    'keras.engine': 'Input InputLayer InputSpec Layer Model get_source_inputs',
    'keras.engine.base_layer': 'InputSpec Layer Node disable_tracking',
    'keras.engine.input_layer': 'Input InputLayer',
    'keras.engine.network': 'Network',
    'keras.engine.saving': (
        'allow_read_from_gcs allow_write_to_gcs load_attributes_from_hdf5_group load_model '
        'load_weights_from_hdf5_group load_weights_from_hdf5_group_by_name model_from_config '
        'model_from_json model_from_yaml pickle_model preprocess_weights_for_loading '
        'save_attributes_to_hdf5_group save_model save_weights_to_hdf5_group unpickle_model'),
    'keras.engine.sequential': 'Sequential',
    'keras.engine.topology': (
        'Input InputLayer InputSpec Layer Network Node get_source_inputs'),
    'keras.engine.training': 'Model',
    'keras.engine.training_utils': (
        'batch_shuffle call_metric_function check_array_length_consistency '
        'check_generator_arguments check_loss_and_target_compatibility check_num_samples '
        'collect_per_output_metric_info get_input_shape_and_dtype get_loss_function '
        'get_metric_function get_metric_name get_output_sample_weight_and_mode '
        'get_static_batch_size is_generator_or_sequence is_sequence iter_sequence_infinite '
        'make_batches prepare_loss_functions prepare_loss_weights prepare_sample_weights '
        'should_run_validation standardize_class_weights standardize_input_data '
        'standardize_sample_or_class_weights standardize_sample_weights standardize_single_array '
        'standardize_weights weighted_masked_objective'),
    'keras.initializers': (
        'Constant Identity Initializer Ones Orthogonal RandomNormal RandomUniform TruncatedNormal '
        'VarianceScaling Zeros constant deserialize get glorot_normal glorot_uniform he_normal '
        'he_uniform identity lecun_normal lecun_uniform normal one ones orthogonal random_normal '
        'random_uniform serialize truncated_normal uniform zero zeros'),
    'keras.layers': (
        'Activation ActivityRegularization Add AlphaDropout AtrousConvolution1D '
        'AtrousConvolution2D Average AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D '
        'AvgPool2D AvgPool3D BatchNormalization Bidirectional Concatenate Conv1D Conv2D '
        'Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM2D ConvLSTM2DCell ConvRecurrent2D '
        'Convolution1D Convolution2D Convolution3D Cropping1D Cropping2D Cropping3D CuDNNGRU '
        'CuDNNLSTM Deconvolution2D Deconvolution3D Dense DepthwiseConv2D Dot Dropout ELU '
        'Embedding Flatten GRU GRUCell GaussianDropout GaussianNoise GlobalAveragePooling1D '
        'GlobalAveragePooling2D GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D '
        'GlobalAvgPool3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D GlobalMaxPooling1D '
        'GlobalMaxPooling2D GlobalMaxPooling3D Highway Input InputLayer InputSpec LSTM LSTMCell '
        'Lambda Layer LeakyReLU LocallyConnected1D LocallyConnected2D Masking MaxPool1D MaxPool2D '
        'MaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D Maximum MaxoutDense Minimum Multiply '
        'PReLU Permute RNN ReLU Recurrent RepeatVector Reshape SeparableConv1D SeparableConv2D '
        'SimpleRNN SimpleRNNCell Softmax SpatialDropout1D SpatialDropout2D SpatialDropout3D '
        'StackedRNNCells Subtract ThresholdedReLU TimeDistributed UpSampling1D UpSampling2D '
        'UpSampling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D add average concatenate '
        'deserialize deserialize_keras_object dot maximum minimum multiply serialize subtract'),
    'keras.layers.advanced_activations': 'ELU LeakyReLU PReLU ReLU Softmax ThresholdedReLU',
    'keras.layers.convolutional': (
        'AtrousConv1D AtrousConv2D AtrousConvolution1D AtrousConvolution2D AveragePooling1D '
        'AveragePooling2D AveragePooling3D Conv1D Conv2D Conv2DTranspose Conv3D Conv3DTranspose '
        'Convolution1D Convolution2D Convolution2DTranspose Convolution3D Cropping1D Cropping2D '
        'Cropping3D Deconv2D Deconv3D Deconvolution2D Deconvolution3D DepthwiseConv2D '
        'MaxPooling1D MaxPooling2D MaxPooling3D SeparableConv1D SeparableConv2D '
        'SeparableConvolution1D SeparableConvolution2D UpSampling1D UpSampling2D UpSampling3D '
        'ZeroPadding1D ZeroPadding2D ZeroPadding3D'),
    'keras.layers.convolutional_recurrent': 'ConvLSTM2D ConvLSTM2DCell ConvRNN2D',
    'keras.layers.core': (
        'Activation ActivityRegularization Dense Dropout Flatten Lambda Masking Permute '
        'RepeatVector Reshape SpatialDropout1D SpatialDropout2D SpatialDropout3D'),
    'keras.layers.cudnn_recurrent': 'CuDNNGRU CuDNNLSTM',
    'keras.layers.embeddings': 'Embedding',
    'keras.layers.local': 'LocallyConnected1D LocallyConnected2D',
    'keras.layers.merge': (
        'Add Average Concatenate Dot Maximum Minimum Multiply Subtract add average concatenate '
        'dot maximum minimum multiply subtract'),
    'keras.layers.noise': 'AlphaDropout GaussianDropout GaussianNoise',
    'keras.layers.normalization': 'BatchNormalization',
    'keras.layers.pooling': (
        'AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D '
        'GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D GlobalAvgPool1D '
        'GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D '
        'GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D MaxPool1D MaxPool2D MaxPool3D '
        'MaxPooling1D MaxPooling2D MaxPooling3D'),
    'keras.layers.recurrent': (
        'GRU GRUCell LSTM LSTMCell RNN SimpleRNN SimpleRNNCell StackedRNNCells'),
    'keras.layers.wrappers': 'Bidirectional TimeDistributed Wrapper',
    'keras.losses': (
        'BinaryCrossentropy CategoricalCrossentropy CategoricalHinge Hinge Huber KLD KLDivergence '
        'LogCosh Loss LossFunctionWrapper MAE MAPE MSE MSLE MeanAbsoluteError '
        'MeanAbsolutePercentageError MeanSquaredError MeanSquaredLogarithmicError Poisson '
        'SparseCategoricalCrossentropy SquaredHinge binary_crossentropy categorical_crossentropy '
        'categorical_hinge cosine cosine_proximity cosine_similarity deserialize get hinge '
        'huber_loss is_categorical_crossentropy kld kullback_leibler_divergence logcosh mae mape '
        'mean_absolute_error mean_absolute_percentage_error mean_squared_error '
        'mean_squared_logarithmic_error mse msle poisson serialize '
        'sparse_categorical_crossentropy squared_hinge'),
    'keras.metrics': (
        'AUC Accuracy BaseMeanIoU BinaryAccuracy BinaryCrossentropy CategoricalAccuracy '
        'CategoricalCrossentropy CategoricalHinge CosineSimilarity FalseNegatives FalsePositives '
        'Hinge KLDivergence LogCoshError MAE MAPE MSE MSLE Mean MeanAbsoluteError '
        'MeanAbsolutePercentageError MeanIoU MeanMetricWrapper MeanSquaredError '
        'MeanSquaredLogarithmicError Metric Poisson Precision Recall Reduce RootMeanSquaredError '
        'SensitivityAtSpecificity SensitivitySpecificityBase SparseCategoricalAccuracy '
        'SparseCategoricalCrossentropy SparseTopKCategoricalAccuracy SpecificityAtSensitivity '
        'SquaredHinge Sum TopKCategoricalAccuracy TrueNegatives TruePositives accuracy '
        'binary_accuracy categorical_accuracy clone_metric clone_metrics cosine cosine_proximity '
        'cosine_similarity deserialize get mae mape mse msle serialize '
        'sparse_categorical_accuracy sparse_top_k_categorical_accuracy top_k_categorical_accuracy'),
    'keras.models': 'clone_model',
    'keras.objectives': (
        'BinaryCrossentropy CategoricalCrossentropy CategoricalHinge Hinge Huber KLD KLDivergence '
        'LogCosh Loss LossFunctionWrapper MAE MAPE MSE MSLE MeanAbsoluteError '
        'MeanAbsolutePercentageError MeanSquaredError MeanSquaredLogarithmicError Poisson '
        'SparseCategoricalCrossentropy SquaredHinge binary_crossentropy categorical_crossentropy '
        'categorical_hinge cosine cosine_proximity cosine_similarity deserialize get hinge '
        'huber_loss is_categorical_crossentropy kld kullback_leibler_divergence logcosh mae mape '
        'mean_absolute_error mean_absolute_percentage_error mean_squared_error '
        'mean_squared_logarithmic_error mse msle poisson serialize '
        'sparse_categorical_crossentropy squared_hinge'),
    'keras.optimizers': (
        'Adadelta Adagrad Adam Adamax Nadam Optimizer RMSprop SGD TFOptimizer adadelta adagrad '
        'adam adamax clip_norm deserialize get nadam rmsprop serialize sgd'),
    'keras.preprocessing': 'image sequence text',
    'keras.preprocessing.image': (
        'DataFrameIterator DirectoryIterator ImageDataGenerator Iterator NumpyArrayIterator '
        'apply_affine_transform apply_brightness_shift apply_channel_shift array_to_img '
        'img_to_array load_img random_brightness random_channel_shift random_rotation '
        'random_shear random_shift random_zoom save_img'),
    'keras.preprocessing.sequence': (
        'TimeseriesGenerator make_sampling_table pad_sequences skipgrams'),
    'keras.preprocessing.text': (
        'Tokenizer hashing_trick one_hot text_to_word_sequence tokenizer_from_json'),
    'keras.regularizers': 'L1L2 Regularizer deserialize get l1 l1_l2 l2 serialize',
    'keras.utils': (
        'CustomObjectScope GeneratorEnqueuer H5Dict HDF5Matrix OrderedEnqueuer Progbar Sequence '
        'conv_utils convert_all_kernels_in_model custom_object_scope data_utils '
        'deserialize_keras_object generic_utils get_custom_objects get_file get_source_inputs '
        'io_utils losses_utils metrics_utils model_to_dot multi_gpu_model normalize np_utils '
        'plot_model print_summary serialize_keras_object to_categorical'),
    'keras.utils.conv_utils': (
        'conv_input_length conv_output_length convert_kernel deconv_length normalize_padding '
        'normalize_tuple'),
    'keras.utils.data_utils': (
        'GeneratorEnqueuer OrderedEnqueuer Sequence SequenceEnqueuer chunk_read get_file '
        'get_index init_pool init_pool_generator next_sample urlretrieve validate_file'),
    'keras.utils.generic_utils': (
        'CustomObjectScope Progbar check_for_unexpected_keys custom_object_scope '
        'deserialize_keras_object func_dump func_load get_custom_objects getargspec has_arg '
        'is_all_none object_list_uid serialize_keras_object slice_arrays to_list transpose_shape '
        'unpack_singleton'),
    'keras.utils.io_utils': (
        'H5Dict HDF5Matrix ask_to_proceed_with_overwrite h5dict load_from_binary_h5py '
        'save_to_binary_h5py'),
    'keras.utils.layer_utils': (
        'convert_all_kernels_in_model convert_dense_weights_data_format count_params '
        'get_source_inputs print_summary'),
    'keras.utils.losses_utils': (
        'Reduction broadcast_weights compute_weighted_loss reduce_weighted_loss '
        'squeeze_or_expand_dimensions'),
    'keras.utils.metrics_utils': (
        'AUCCurve AUCSummationMethod ConfusionMatrix NEG_INF Reduction assert_thresholds_range '
        'filter_top_k parse_init_thresholds result_wrapper to_list '
        'update_confusion_matrix_variables update_state_wrapper weighted_assign_add'),
    'keras.utils.np_utils': 'normalize to_categorical',
    'keras.utils.vis_utils': 'add_edge is_model is_wrapped_model model_to_dot plot_model',
    'keras.wrappers': 'scikit_learn',
    'keras.wrappers.scikit_learn': 'BaseWrapper KerasClassifier KerasRegressor',
}

# -- what kback lacks on purpose -----------------------------------------------------------

ONE_BACKEND = ('kback has one backend; its K functions are all in kback.backend, which the '
               'table checks against keras.backend')
LEGACY = ('Keras 1 layers and argument converters that Keras 2 keeps under keras.legacy; '
          'kback has no argument-renaming compatibility layers (DESIGN.md)')
ONE_LOOP = ("Keras's separate loops for arrays and generators; kback runs fit, evaluate and "
            'predict on arrays and generators alike with one loop (engine.training_loop)')

LACKING_MODULES = {
    'keras.backend.cntk_backend': ONE_BACKEND,
    'keras.backend.theano_backend': ONE_BACKEND,
    'keras.backend.numpy_backend': ONE_BACKEND,
    'keras.backend.tensorflow_backend': ONE_BACKEND,
    'keras.backend.common': ONE_BACKEND,
    'keras.backend.load_backend': ONE_BACKEND,
    'keras.legacy': LEGACY,
    'keras.legacy.interfaces': LEGACY,
    'keras.legacy.layers': LEGACY,
    'keras.callbacks.tensorboard_v1': ('TensorBoard for TensorFlow 1 and 2; kback has one, '
                                       'kback.callbacks.TensorBoard'),
    'keras.callbacks.tensorboard_v2': ('TensorBoard for TensorFlow 1 and 2; kback has one, '
                                       'kback.callbacks.TensorBoard'),
    'keras.engine.training_arrays': ONE_LOOP,
    'keras.engine.training_generator': ONE_LOOP,
    'keras.utils.multi_gpu_utils': 'multi_gpu_model replicates a model on GPUs; kback runs on CPUs',
    'keras.utils.test_utils': "Keras's own test helpers (kback's are in tests/)",
}

# module: (names, reason)
NOT_YET_APPLICATIONS = ('ImageNet models outside issue 13\'s list (VGG, ResNet50, MobileNet(V2), '
                        'InceptionV3, DenseNet, Xception): not built yet')
LACKING = {
    'keras.applications': [
        ('InceptionResNetV2 NASNetLarge NASNetMobile ResNet101 ResNet101V2 ResNet152 '
         'ResNet152V2 ResNet50V2', NOT_YET_APPLICATIONS),
        ('keras_modules_injection', "keras-applications' internal decorator that hands it "
                                    "Keras's modules")],
    'keras.applications.inception_resnet_v2': [('*', NOT_YET_APPLICATIONS)],
    'keras.applications.nasnet': [('*', NOT_YET_APPLICATIONS)],
    'keras.applications.resnet': [('*', NOT_YET_APPLICATIONS)],
    'keras.applications.resnet_v2': [('*', NOT_YET_APPLICATIONS)],
    'keras.backend': [
        ('control_dependencies get_session set_session',
         'TensorFlow sessions and control dependencies: a kback graph has no session, and a '
         'K.function computes its outputs before it applies its updates'),
        ('pattern_broadcast', 'Theano only (broadcastable patterns)')],
    'keras.layers': [('AtrousConvolution1D AtrousConvolution2D ConvRecurrent2D Highway '
                      'MaxoutDense Recurrent', LEGACY)],
    'keras.layers.convolutional': [('AtrousConv1D AtrousConv2D AtrousConvolution1D '
                                    'AtrousConvolution2D', LEGACY)],
    'keras.engine.saving': [
        ('allow_read_from_gcs allow_write_to_gcs', 'Google Cloud Storage paths (TensorFlow io)'),
        ('load_attributes_from_hdf5_group load_weights_from_hdf5_group '
         'load_weights_from_hdf5_group_by_name save_attributes_to_hdf5_group '
         'save_weights_to_hdf5_group',
         "Keras's internal h5 helpers of save_model/load_weights; kback's saving has its own")],
    'keras.engine.training_utils': [(
        'batch_shuffle call_metric_function check_array_length_consistency '
        'check_loss_and_target_compatibility check_num_samples collect_per_output_metric_info '
        'get_input_shape_and_dtype get_loss_function get_metric_function get_metric_name '
        'get_output_sample_weight_and_mode get_static_batch_size is_generator_or_sequence '
        'is_sequence iter_sequence_infinite prepare_loss_functions prepare_loss_weights '
        'prepare_sample_weights should_run_validation standardize_class_weights '
        'standardize_input_data standardize_sample_or_class_weights '
        'standardize_single_array weighted_masked_objective',
        "internal helpers of Keras's training code; kback's engine has its own")],
    'keras.metrics': [('BaseMeanIoU', "the base class Keras picks for MeanIoU (object or "
                                      "tf.keras's MeanIoU); kback.metrics.MeanIoU is a Metric")],
    'keras.optimizers': [('TFOptimizer', 'wraps a TensorFlow optimizer')],
    'keras.preprocessing.image': [('DataFrameIterator', 'flow_from_dataframe reads pandas '
                                                        'DataFrames; kback does not use pandas')],
    'keras.utils': [('multi_gpu_model', LACKING_MODULES['keras.utils.multi_gpu_utils'])],
    'keras.utils.data_utils': [('chunk_read get_index init_pool init_pool_generator '
                                'next_sample urlretrieve',
                                "internal helpers of Keras's get_file and enqueuers")],
    'keras.utils.generic_utils': [('check_for_unexpected_keys getargspec is_all_none '
                                   'transpose_shape',
                                   "internal helpers of Keras's own layers (argument checks, "
                                   "Python 2's getargspec), outside its documented API")],
    'keras.utils.metrics_utils': [('filter_top_k result_wrapper update_state_wrapper '
                                   'weighted_assign_add',
                                   "internal helpers of Keras's metric classes")],
}

# Added by the other parts of issue 13, on their own branches: module ->
# (names or '*' for the whole module, the part).  Once they are merged, this
# table empties and every name here is checked like the rest.
def _kback_module(keras_module):
    return 'kback' + keras_module[len('keras'):]


def _listed(table, module):
    """Names of `module` listed in LACKING ('*': all of them)."""
    entries = table.get(module, [])
    entries = entries if isinstance(entries, list) else [entries]
    names = set()
    for listed, _ in entries:
        names |= set(KERAS_2_3_1[module].split()) if listed == '*' else set(listed.split())
    return names


def _lacks(module, name=None):
    try:
        found = importlib.import_module(_kback_module(module))
    except ModuleNotFoundError:
        return True
    return name is not None and not hasattr(found, name)


@pytest.mark.parametrize('module', sorted(KERAS_2_3_1))
def test_every_public_name_of_the_keras_module_is_importable_from_kback(module):
    excused = _listed(LACKING, module)
    wanted = [n for n in KERAS_2_3_1[module].split() if n not in excused]
    if not wanted:
        return
    found = importlib.import_module(_kback_module(module))
    missing = [n for n in wanted if not hasattr(found, n)]
    assert not missing, f'{_kback_module(module)} lacks {missing} (Keras 2.3.1 {module} has them)'


@pytest.mark.parametrize('module', sorted(LACKING_MODULES))
def test_modules_listed_as_lacking_are_missing(module):
    assert module not in KERAS_2_3_1
    assert _lacks(module), f'{_kback_module(module)} exists now: remove it from LACKING_MODULES'


@pytest.mark.parametrize('module', sorted(LACKING))
def test_names_listed_as_lacking_are_keras_names_that_kback_lacks(module):
    for names, reason in LACKING[module]:
        assert reason
        for name in KERAS_2_3_1[module].split() if names == '*' else names.split():
            assert name in KERAS_2_3_1[module].split(), f'{module}.{name} is no Keras 2.3.1 name'
            assert _lacks(module, name), \
                f'{_kback_module(module)}.{name} exists now: remove it from LACKING'
