"""model.summary() text, compared with Keras 2.3's format."""
from kback.layers import Input, Dense, Concatenate, Add
from kback.models import Model, Sequential


def _summary(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return '\n'.join(lines) + '\n'


SEQUENTIAL = '''\
Model: "mlp"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
dense_1 (Dense)              (None, 512)               401920    
_________________________________________________________________
dense_2 (Dense)              (None, 10)                5130      
=================================================================
Total params: 407,050
Trainable params: 407,050
Non-trainable params: 0
_________________________________________________________________
'''


def test_sequential_mlp_summary():
    model = Sequential([Dense(512, activation='relu', input_shape=(784,)),
                        Dense(10, activation='softmax')], name='mlp')
    assert _summary(model) == SEQUENTIAL


def test_summary_prints_with_print_by_default(capsys):
    model = Sequential([Dense(512, input_shape=(784,)), Dense(10)], name='mlp')
    model.summary()
    assert capsys.readouterr().out == SEQUENTIAL


FUNCTIONAL = '''\
Model: "merged"
__________________________________________________________________________________________________
Layer (type)                    Output Shape         Param #     Connected to                     
==================================================================================================
left (InputLayer)               (None, 3)            0                                            
__________________________________________________________________________________________________
dense_a (Dense)                 (None, 4)            16          left[0][0]                       
__________________________________________________________________________________________________
right (InputLayer)              (None, 2)            0                                            
__________________________________________________________________________________________________
concatenate_1 (Concatenate)     (None, 6)            0           dense_a[0][0]                    
                                                                 right[0][0]                      
__________________________________________________________________________________________________
out (Dense)                     (None, 1)            7           concatenate_1[0][0]              
==================================================================================================
Total params: 23
Trainable params: 23
Non-trainable params: 0
__________________________________________________________________________________________________
'''


def test_functional_merge_summary():
    left, right = Input((3,), name='left'), Input((2,), name='right')
    merged = Concatenate()([Dense(4, name='dense_a')(left), right])
    model = Model([left, right], Dense(1, name='out')(merged), name='merged')
    assert _summary(model) == FUNCTIONAL


def test_shared_layer_summary_lists_each_call_and_frozen_params():
    a, b = Input((4,), name='a'), Input((4,), name='b')
    shared = Dense(3, name='shared')
    model = Model([a, b], Add(name='add')([shared(a), shared(b)]), name='twin')
    shared.trainable = False
    text = _summary(model)
    lines = text.splitlines()
    row = [i for i, l in enumerate(lines) if l.startswith('shared (Dense)')][0]
    assert lines[row] == 'shared (Dense)'.ljust(32) + '(None, 3)'.ljust(21) + \
        '15'.ljust(12) + 'a[0][0]'.ljust(33)
    assert lines[row + 1] == ' ' * 65 + 'b[0][0]'.ljust(33)
    add_row = [i for i, l in enumerate(lines) if l.startswith('add (Add)')][0]
    assert lines[add_row].rstrip().endswith('shared[0][0]')
    assert lines[add_row + 1].strip() == 'shared[1][0]'
    assert 'Total params: 15' in lines
    assert 'Trainable params: 0' in lines
    assert 'Non-trainable params: 15' in lines


def test_nested_sequential_row_and_custom_width():
    inner = Sequential([Dense(3, input_shape=(2,))], name='inner')
    outer = Sequential([inner, Dense(1, name='head')], name='outer')
    lines = _summary(outer, line_length=50).splitlines()
    assert lines[1] == '_' * 50
    assert lines[4].startswith('inner (Sequential)')
    assert '(None, 3)' in lines[4] and lines[4].rstrip().endswith('9')
    assert lines[-4] == 'Total params: 13'
