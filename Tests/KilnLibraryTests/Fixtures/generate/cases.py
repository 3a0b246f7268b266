"""The forward-value cases shared by gen_forward.py (tf_keras) and
check_keras3.py (Keras 3).  Plain data: no framework imports here.

Each case:
  name      file name (without .json), `<layer>_<variant>` in lower case
  layer     class name in keras.layers
  args      positional arguments, as a Keras user passes them (JSON: tuples -> lists)
  kwargs    keyword arguments, as a Keras user passes them
  inputs    list of input specs: {"shape": [...], "low": a, "high": b} (uniform floats)
            or {"shape": [...], "dtype": "int32", "high": n} (ints in [0, n))
  training  the `training` argument of the call
  bn_keras3 True for training-mode BatchNormalization: output and weights_after
            come from Keras 3 (biased variance in the moving-variance update)
  random    True for layers whose training-mode output depends on TF's RNG
  note      free text copied into the JSON
"""


def inp(*shape, low=-1.0, high=1.0):
    return {"shape": list(shape), "low": low, "high": high}


def ints(*shape, high):
    return {"shape": list(shape), "dtype": "int32", "high": high}


CASES = []


def case(name, layer, args=(), kwargs=None, inputs=None, training=False, note="", **extra):
    c = {"name": name, "layer": layer, "args": list(args), "kwargs": kwargs or {},
         "inputs": inputs, "training": training, "note": note}
    c.update(extra)
    CASES.append(c)


# ---- Dense -------------------------------------------------------------------
case("dense_linear", "Dense", [4], {}, [inp(2, 5)])
case("dense_relu", "Dense", [4], {"activation": "relu"}, [inp(2, 5)])
case("dense_softmax", "Dense", [4], {"activation": "softmax"}, [inp(2, 5)])
case("dense_no_bias", "Dense", [3], {"use_bias": False}, [inp(2, 5)])
case("dense_rank3", "Dense", [3], {"activation": "tanh"}, [inp(2, 3, 5)],
     note="Dense on a rank-3 input acts on the last axis")

# ---- Activation ----------------------------------------------------------------
for act in ["relu", "sigmoid", "tanh", "softmax", "selu", "elu", "softplus", "softsign",
            "swish", "silu", "gelu", "exponential", "hard_sigmoid", "linear", "relu6",
            "leaky_relu", "mish", "log_softmax"]:
    case(f"activation_{act}", "Activation", [act], {}, [inp(2, 8, low=-4.0, high=4.0)])
case("activation_softmax_rank3", "Activation", ["softmax"], {}, [inp(2, 3, 4, low=-3.0, high=3.0)],
     note="softmax over the last axis")

# ---- ReLU / LeakyReLU ---------------------------------------------------------------
case("relu_default", "ReLU", [], {}, [inp(2, 8, low=-4.0, high=4.0)])
case("relu_max_value6", "ReLU", [], {"max_value": 6.0}, [inp(2, 8, low=-9.0, high=9.0)])
case("relu_negative_slope_threshold", "ReLU", [], {"negative_slope": 0.1, "threshold": 0.5},
     [inp(2, 8, low=-3.0, high=3.0)])
case("relu_all_options", "ReLU", [], {"max_value": 2.0, "negative_slope": 0.2, "threshold": 1.0},
     [inp(2, 8, low=-3.0, high=3.0)])
case("leakyrelu_alpha03", "LeakyReLU", [], {"alpha": 0.3}, [inp(2, 8, low=-3.0, high=3.0)],
     note="Keras 3 spells it negative_slope (alpha still accepted with a deprecation warning)")
case("leakyrelu_default", "LeakyReLU", [], {}, [inp(2, 8, low=-3.0, high=3.0)],
     note="tf_keras default alpha=0.3; Keras 3 LeakyReLU default negative_slope=0.3 as well "
          "(but keras.activations.leaky_relu defaults to 0.2)")

# ---- Flatten / Reshape ---------------------------------------------------------------
case("flatten_rank4", "Flatten", [], {}, [inp(2, 3, 2, 2)])
case("reshape_3x4", "Reshape", [[3, 4]], {}, [inp(2, 12)])
case("reshape_minus1", "Reshape", [[-1, 2]], {}, [inp(2, 3, 4)],
     note="-1 infers that dimension")

# ---- Conv1D -------------------------------------------------------------------------
X1 = inp(2, 7, 3)
case("conv1d_valid", "Conv1D", [4, 3], {}, [X1])
case("conv1d_same", "Conv1D", [4, 3], {"padding": "same"}, [X1])
case("conv1d_strides2", "Conv1D", [4, 3], {"strides": 2}, [X1])
case("conv1d_strides2_same", "Conv1D", [4, 2], {"strides": 2, "padding": "same"}, [X1],
     note="kernel 2 stride 2 'same' on length 7: 4 outputs, pad 0 before and 1 after")
case("conv1d_dilation2", "Conv1D", [4, 3], {"dilation_rate": 2, "activation": "relu"}, [X1])
case("conv1d_causal", "Conv1D", [4, 3], {"padding": "causal", "dilation_rate": 2}, [X1],
     note="causal: left padding of dilation*(kernel-1)")
case("conv1d_no_bias", "Conv1D", [2, 1], {"use_bias": False}, [X1])

# ---- Conv2D (channels_last) ------------------------------------------------------------
X2 = inp(2, 6, 6, 3)
case("conv2d_valid", "Conv2D", [4, 3], {}, [X2])
case("conv2d_same", "Conv2D", [4, [3, 3]], {"padding": "same"}, [X2])
case("conv2d_strides2", "Conv2D", [4, [3, 3]], {"strides": [2, 2]}, [X2])
case("conv2d_strides2_same", "Conv2D", [4, 3], {"strides": 2, "padding": "same"}, [X2],
     note="'same' with stride 2 on 6x6, kernel 3: pad 0 before, 1 after (TF puts the extra pad at the end)")
case("conv2d_dilation2", "Conv2D", [4, 2], {"dilation_rate": 2}, [X2])
case("conv2d_no_bias", "Conv2D", [4, 3], {"use_bias": False, "activation": "relu"}, [X2])
case("conv2d_kernel_2x3", "Conv2D", [2, [2, 3]], {"strides": [1, 2], "padding": "same"}, [inp(2, 5, 5, 3)])

# ---- SeparableConv1D / SeparableConv2D ---------------------------------------------------
case("separableconv1d_valid", "SeparableConv1D", [4, 3], {}, [X1])
case("separableconv1d_dm2_same_strides2", "SeparableConv1D", [4, 3],
     {"depth_multiplier": 2, "padding": "same", "strides": 2}, [X1])
case("separableconv2d_dm1", "SeparableConv2D", [4, 3], {}, [X2])
case("separableconv2d_dm2", "SeparableConv2D", [4, 3], {"depth_multiplier": 2, "activation": "relu"}, [X2])
case("separableconv2d_same", "SeparableConv2D", [4, 3], {"padding": "same"}, [X2])
case("separableconv2d_strides2", "SeparableConv2D", [4, 3], {"strides": 2, "padding": "same"}, [X2])
case("separableconv2d_no_bias", "SeparableConv2D", [2, [3, 3]], {"use_bias": False, "depth_multiplier": 2},
     [inp(2, 5, 5, 3)])

# ---- DepthwiseConv2D --------------------------------------------------------------------
case("depthwiseconv2d_dm1_valid", "DepthwiseConv2D", [3], {}, [X2])
case("depthwiseconv2d_dm3_same", "DepthwiseConv2D", [3], {"depth_multiplier": 3, "padding": "same"}, [X2],
     note="output channel index = input_channel * depth_multiplier + m")
case("depthwiseconv2d_dm3_valid", "DepthwiseConv2D", [[3, 3]], {"depth_multiplier": 3}, [X2])
case("depthwiseconv2d_strides2_same", "DepthwiseConv2D", [3], {"strides": 2, "padding": "same",
                                                                "depth_multiplier": 2}, [X2])
case("depthwiseconv2d_strides2_valid_no_bias", "DepthwiseConv2D", [3],
     {"strides": [2, 2], "use_bias": False}, [inp(2, 7, 7, 3)])

# ---- Pooling ------------------------------------------------------------------------------
P1 = inp(2, 7, 3)
case("maxpooling1d_pool2", "MaxPooling1D", [2], {}, [P1], note="default strides = pool_size; length 7 -> 3")
case("maxpooling1d_pool3_strides2_same", "MaxPooling1D", [3], {"strides": 2, "padding": "same"}, [P1])
case("averagepooling1d_pool2", "AveragePooling1D", [2], {}, [P1])
case("averagepooling1d_pool3_strides2_same", "AveragePooling1D", [3], {"strides": 2, "padding": "same"}, [P1],
     note="'same' average pooling divides by the number of non-padding elements")
case("averagepooling1d_pool2_same", "AveragePooling1D", [], {"pool_size": 2, "padding": "same"}, [P1],
     note="length 7, pool 2, stride 2, same: last window has one real element")
P2 = inp(2, 5, 5, 2)
P2E = inp(2, 6, 6, 2)
P2O = inp(2, 7, 7, 2)
case("maxpooling2d_pool2", "MaxPooling2D", [2], {}, [P2], note="5x5 -> 2x2 (floor)")
case("maxpooling2d_pool2_tuple", "MaxPooling2D", [], {"pool_size": [2, 2]}, [P2E])
case("maxpooling2d_pool3_strides2_same", "MaxPooling2D", [3], {"strides": 2, "padding": "same"}, [P2E],
     note="6x6 -> 3x3, pad 0 before / 1 after")
case("maxpooling2d_pool3_strides2_same_odd", "MaxPooling2D", [[3, 3]], {"strides": [2, 2], "padding": "same"}, [P2O],
     note="7x7 -> 4x4, pad 1 before / 1 after")
case("averagepooling2d_pool2", "AveragePooling2D", [2], {}, [P2])
case("averagepooling2d_pool3_strides2_same", "AveragePooling2D", [3], {"strides": 2, "padding": "same"}, [P2E],
     note="'same' average pooling divides by the number of non-padding elements; 6x6 -> 3x3, pad 0 before / 1 after")
case("averagepooling2d_pool3_strides2_same_odd", "AveragePooling2D", [3], {"strides": 2, "padding": "same"}, [P2O],
     note="7x7 -> 4x4, pad 1 before / 1 after; padding excluded from the count")
case("averagepooling2d_pool2_strides1", "AveragePooling2D", [], {"pool_size": 2, "strides": 1}, [P2])

# ---- Global pooling --------------------------------------------------------------------------
case("globalaveragepooling1d", "GlobalAveragePooling1D", [], {}, [inp(2, 5, 3)])
case("globalmaxpooling1d", "GlobalMaxPooling1D", [], {}, [inp(2, 5, 3)])
case("globalaveragepooling2d", "GlobalAveragePooling2D", [], {}, [inp(2, 4, 4, 3)])
case("globalmaxpooling2d", "GlobalMaxPooling2D", [], {}, [inp(2, 4, 4, 3)])
case("globalaveragepooling2d_keepdims", "GlobalAveragePooling2D", [], {"keepdims": True}, [inp(2, 4, 4, 3)])

# ---- BatchNormalization -------------------------------------------------------------------------
B2 = inp(4, 5, low=-2.0, high=3.0)
B4 = inp(2, 3, 3, 4, low=-2.0, high=3.0)
case("batchnormalization_inference_2d", "BatchNormalization", [], {}, [B2],
     note="inference: uses moving_mean/moving_variance, epsilon 0.001")
case("batchnormalization_inference_4d", "BatchNormalization", [], {}, [B4])
case("batchnormalization_inference_center_false", "BatchNormalization", [], {"center": False}, [B4],
     note="no beta weight")
case("batchnormalization_inference_scale_false", "BatchNormalization", [], {"scale": False}, [B2],
     note="no gamma weight")
case("batchnormalization_inference_epsilon", "BatchNormalization", [], {"epsilon": 0.1, "momentum": 0.9}, [B2])
for dims, x in (("2d", B2), ("4d", B4)):
    case(f"batchnormalization_training_{dims}_momentum09", "BatchNormalization", [], {"momentum": 0.9}, [x],
         training=True, bn_keras3=True)
    case(f"batchnormalization_training_{dims}_default", "BatchNormalization", [], {}, [x],
         training=True, bn_keras3=True)
case("batchnormalization_training_center_scale_false", "BatchNormalization", [],
     {"center": False, "scale": False, "momentum": 0.9}, [B4], training=True, bn_keras3=True)
case("batchnormalization_renorm_training", "BatchNormalization", [], {"renorm": True, "momentum": 0.9}, [B2],
     training=True)
case("batchnormalization_renorm_training_4d_clipping", "BatchNormalization", [],
     {"renorm": True, "momentum": 0.9, "renorm_momentum": 0.9,
      "renorm_clipping": {"rmax": 1.5, "rmin": 1.0, "dmax": 0.25}}, [B4], training=True)
case("batchnormalization_renorm_inference", "BatchNormalization", [], {"renorm": True}, [B2],
     note="inference with renorm=True is plain BN with moving_mean/moving_variance")

# ---- LayerNormalization ------------------------------------------------------------------------
case("layernormalization_default", "LayerNormalization", [], {}, [inp(2, 3, 4, low=-2.0, high=3.0)])
case("layernormalization_2d", "LayerNormalization", [], {"epsilon": 1e-6}, [inp(2, 5, low=-2.0, high=3.0)])
case("layernormalization_axes123", "LayerNormalization", [], {"axis": [1, 2, 3]},
     [inp(2, 2, 2, 3, low=-2.0, high=3.0)], note="gamma/beta have shape of the normalized axes")

# ---- Embedding -----------------------------------------------------------------------------------
case("embedding_basic", "Embedding", [10, 4], {}, [ints(2, 5, high=10)],
     note="integer ids are written as floats; see the input's dtype")
case("embedding_input_length", "Embedding", [12, 3], {"input_length": 4}, [ints(2, 4, high=12)])

# ---- Merging ---------------------------------------------------------------------------------------
case("add_2", "Add", [], {}, [inp(2, 3, 4), inp(2, 3, 4)])
case("add_3", "Add", [], {}, [inp(2, 2, 2, 3), inp(2, 2, 2, 3), inp(2, 2, 2, 3)])
case("concatenate_axis_last", "Concatenate", [], {}, [inp(2, 3, 2), inp(2, 3, 4)])
case("concatenate_axis1", "Concatenate", [], {"axis": 1}, [inp(2, 2, 3), inp(2, 4, 3)])
case("concatenate_3_inputs", "Concatenate", [], {"axis": -1}, [inp(2, 2), inp(2, 3), inp(2, 1)])

# ---- Dropout ----------------------------------------------------------------------------------------
case("dropout_inference", "Dropout", [0.5], {}, [inp(2, 8)], note="identity at inference")
case("alphadropout_inference", "AlphaDropout", [0.2], {}, [inp(2, 8)], note="identity at inference")
case("dropout_training", "Dropout", [0.5], {}, [inp(4, 8)], training=True, random=True,
     note="RNG-dependent: output.values is null. Each output element is 0 or x/(1-rate). "
          "output_example is one TF realization, for eyeballing only.")
case("alphadropout_training", "AlphaDropout", [0.2], {}, [inp(4, 8)], training=True, random=True,
     note="RNG-dependent: output.values is null. With p=rate, alpha'=-1.7580993408473766, "
          "a=((1-p)*(1+p*alpha'^2))^-0.5, b=-a*alpha'*p, each element is a*x+b (kept) or a*alpha'+b (dropped). "
          "output_example is one TF realization.")
