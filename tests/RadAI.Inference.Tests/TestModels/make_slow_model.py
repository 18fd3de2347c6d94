#!/usr/bin/python3
"""Builds slow3d.onnx: a model that never finishes in a test's lifetime (a Loop of 2^62 iterations around the
identity), so that a test can prove that a run is terminated when its time is up. Run by hand; the file is committed.

    /usr/bin/python3 tests/RadAI.Inference.Tests/TestModels/make_slow_model.py
"""

import os

import numpy as np
from onnx import TensorProto, checker, helper, numpy_helper, save

HERE = os.path.dirname(os.path.abspath(__file__))

# Loop body: (iteration, condition, y) -> (condition, y + 0): keeps going, never changes y. The output is named
# 'mask' as the other test models' are.
body = helper.make_graph(
    [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
     helper.make_node("Add", ["y_in", "zero"], ["y_out"])],
    "body",
    [helper.make_tensor_value_info("i", TensorProto.INT64, []),
     helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
     helper.make_tensor_value_info("y_in", TensorProto.FLOAT, None)],
    [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
     helper.make_tensor_value_info("y_out", TensorProto.FLOAT, None)],
    [numpy_helper.from_array(np.array(0.0, np.float32), "zero")])

graph = helper.make_graph(
    [helper.make_node("Loop", ["trips", "keep_going", "x"], ["mask"], body=body)],
    "slow3d",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, "D", "H", "W"])],
    [helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["N", 1, "D", "H", "W"])],
    [numpy_helper.from_array(np.array(2 ** 62, np.int64), "trips"), numpy_helper.from_array(np.array(True), "keep_going")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="radai-tests")
model.ir_version = 7
checker.check_model(model)
save(model, os.path.join(HERE, "slow3d.onnx"))
print("slow3d.onnx written to", HERE)
