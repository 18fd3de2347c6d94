"""Small helpers to build RadAI's classical ONNX graphs with python3-onnx's helper API (no torch).

Every mask in these graphs is float32 with values in {0, 1}:
  and(a, b) = a * b,  or(a, b) = max(a, b),  not(a) = 1 - a,
  dilation  = MaxPool (out-of-volume voxels are ignored: ONNX MaxPool pads with -inf),
  erosion   = -MaxPool(-x) (so out-of-volume voxels are ignored too: no erosion from the border).
Used by models/*/build_model.py; run with Debian's /usr/bin/python3 (python3-onnx 1.12, opset 17).
"""

import onnx
from onnx import TensorProto, helper, numpy_helper
import numpy as np

OPSET = 17


class Graph:
    """Accumulates nodes, constants, inputs and outputs; names are generated and unique."""

    def __init__(self, name):
        self.name = name
        self.nodes = []
        self.initializers = []
        self.inputs = []
        self.outputs = []
        self._count = 0
        self._consts = {}

    def fresh(self, hint):
        self._count += 1
        return f"{hint}_{self._count}"

    def input(self, name, shape, dtype=TensorProto.FLOAT):
        self.inputs.append(helper.make_tensor_value_info(name, dtype, shape))
        return name

    def output(self, value, name, shape, dtype=TensorProto.FLOAT):
        self.nodes.append(helper.make_node("Identity", [value], [name], name=f"out_{name}"))
        self.outputs.append(helper.make_tensor_value_info(name, dtype, shape))
        return name

    def const(self, value, dtype=np.float32):
        arr = np.asarray(value, dtype=dtype)
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        if key in self._consts:
            return self._consts[key]
        name = self.fresh("c")
        self.initializers.append(numpy_helper.from_array(arr, name))
        self._consts[key] = name
        return name

    def op(self, op_type, inputs, hint=None, **attrs):
        out = self.fresh(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], name=out, **attrs))
        return out

    # --- masks (float32 0/1) -------------------------------------------------------------------
    def cast_f(self, x):
        return self.op("Cast", [x], "f", to=TensorProto.FLOAT)

    def gt(self, x, t):
        return self.cast_f(self.op("Greater", [x, self.const(t)], "gt"))

    def ge(self, x, t):
        return self.cast_f(self.op("GreaterOrEqual", [x, self.const(t)], "ge"))

    def lt(self, x, t):
        return self.cast_f(self.op("Less", [x, self.const(t)], "lt"))

    def le(self, x, t):
        return self.cast_f(self.op("LessOrEqual", [x, self.const(t)], "le"))

    def gt_t(self, x, t_tensor):
        return self.cast_f(self.op("Greater", [x, t_tensor], "gt"))

    def mul(self, a, b):
        return self.op("Mul", [a, b], "and")

    def max(self, a, b):
        return self.op("Max", [a, b], "or")

    def not_(self, a):
        return self.op("Sub", [self.const(1.0), a], "not")

    def neg(self, a):
        return self.op("Neg", [a], "neg")

    # --- morphology ------------------------------------------------------------------------------
    def dilate(self, x, kernel):
        """MaxPool with stride 1 and symmetric padding k//2 (odd kernels only): output size = input size."""
        assert all(k % 2 == 1 for k in kernel)
        pads = [k // 2 for k in kernel] * 2
        return self.op("MaxPool", [x], "dil", kernel_shape=list(kernel), strides=[1] * len(kernel), pads=pads)

    def erode(self, x, kernel):
        return self.neg(self.dilate(self.neg(x), kernel))

    def opening(self, x, kernel):
        return self.dilate(self.erode(x, kernel), kernel)

    def closing(self, x, kernel):
        return self.erode(self.dilate(x, kernel), kernel)

    def binarize(self, x):
        """x > 0.5 as float 0/1: removes the -0.0 that Neg leaves and keeps masks exactly {0, 1}."""
        return self.gt(x, 0.5)

    # --- 'inside' test: in-plane enclosure by the mask along both axes, both directions ---------
    def enclosed(self, mask, axes):
        """1 where, along every axis of `axes`, the mask has a 1 at or before AND at or after the voxel."""
        result = None
        for axis in axes:
            ax = self.const(axis, np.int64)
            for reverse in (0, 1):
                cs = self.op("CumSum", [mask, ax], "cumsum", reverse=reverse)
                hit = self.gt(cs, 0.5)
                result = hit if result is None else self.mul(result, hit)
        return result

    def model(self, doc):
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.initializers)
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_operatorsetid("", OPSET)],
            producer_name="radai-models",
            producer_version="1",
            doc_string=doc,
        )
        model.ir_version = 8
        onnx.checker.check_model(model, full_check=True)
        return model


def save(model, path):
    # Deterministic bytes: no timestamps in ONNX; protobuf serialisation of the same graph is stable.
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
