#!/usr/bin/python3
"""Builds the tiny ONNX models the inference tests run (Debian python3-onnx; run by hand, the .onnx files are committed).

    /usr/bin/python3 tests/RadAI.Inference.Tests/TestModels/make_test_models.py
"""

import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

HERE = os.path.dirname(os.path.abspath(__file__))


def model(name, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="radai-tests")
    m.ir_version = 7
    save(m, os.path.join(HERE, f"{name}.onnx"))


def tensor(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


# Output = input: resampling, padding, windows and slicing must give the input back.
model("identity3d", [helper.make_node("Identity", ["x"], ["y"])], [tensor("x", ["N", 1, "D", "H", "W"])], [tensor("y", ["N", 1, "D", "H", "W"])])
model("identity2d", [helper.make_node("Identity", ["x"], ["y"])], [tensor("x", ["N", 1, "H", "W"])], [tensor("y", ["N", 1, "H", "W"])])

# 2.5D: three channels in (slice below, slice, slice above); the output is the middle one.
model("middle25d",
      [helper.make_node("Slice", ["x", "starts", "ends", "axes"], ["y"])],
      [tensor("x", ["N", 3, "H", "W"])], [tensor("y", ["N", 1, "H", "W"])],
      [numpy_helper.from_array(np.array([1], np.int64), "starts"), numpy_helper.from_array(np.array([2], np.int64), "ends"),
       numpy_helper.from_array(np.array([1], np.int64), "axes")])

# A probability map: 1 where the (windowed) input is above 0.5.
model("threshold3d",
      [helper.make_node("Greater", ["x", "half"], ["above"]), helper.make_node("Cast", ["above"], ["mask"], to=TensorProto.FLOAT)],
      [tensor("x", ["N", 1, "D", "H", "W"])], [tensor("mask", ["N", 1, "D", "H", "W"])],
      [numpy_helper.from_array(np.array(0.5, np.float32), "half")])

# A scalar output: the mean of the image.
model("mean2d", [helper.make_node("ReduceMean", ["x"], ["mean"], keepdims=0)], [tensor("x", ["N", 1, "H", "W"])], [tensor("mean", [])])

with open(os.path.join(HERE, "broken.onnx"), "wb") as f:
    f.write(b"this is not an ONNX model\n")
print("test models written to", HERE)
