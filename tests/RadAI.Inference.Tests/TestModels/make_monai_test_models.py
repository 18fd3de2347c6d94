#!/usr/bin/python3
"""Builds the tiny ONNX models that stand for networks exported from MONAI bundles in the import tests
(Debian python3-onnx; run by hand, the .onnx files are committed).

    /usr/bin/python3 tests/RadAI.Inference.Tests/TestModels/make_monai_test_models.py

Like a MONAI export they take [N, C, X, Y, Z] (or [N, C, X, Y]) in MONAI's axis order and return logits.
"""

import os

import numpy as np
from onnx import TensorProto, checker, helper, numpy_helper, save

HERE = os.path.dirname(os.path.abspath(__file__))


def model(name, nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="radai-tests")
    m.ir_version = 8
    checker.check_model(m)
    save(m, os.path.join(HERE, f"{name}.onnx"))


def tensor(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def two_class_logits(opset, dims):
    """Background and foreground logits: foreground wins where the (windowed) input is above 0.5."""
    model(f"monai_seg3d{'' if opset >= 13 else '_opset' + str(opset)}{'_static' if isinstance(dims[2], int) else ''}",
          [helper.make_node("Sub", ["input", "half"], ["foreground"]),
           helper.make_node("Neg", ["foreground"], ["background"]),
           helper.make_node("Concat", ["background", "foreground"], ["output"], axis=1)],
          [tensor("input", dims)], [tensor("output", [dims[0], 2, *dims[2:]])],
          [numpy_helper.from_array(np.array(0.5, np.float32), "half")], opset)


two_class_logits(17, ["N", 1, "X", "Y", "Z"])
two_class_logits(11, ["N", 1, "X", "Y", "Z"])
# Exported with a fixed size, as MONAI exports by tracing do: X, Y, Z = 32, 24, 16.
two_class_logits(17, [1, 1, 32, 24, 16])

# An axis probe: channel k is the running sum of the input along spatial axis k, so an input of ones gives
# each voxel its 1-based index along X, Y and Z as the network sees them.
model("monai_axes3d",
      [helper.make_node("CumSum", ["input", f"axis{k}"], [f"along{k}"]) for k in (2, 3, 4)]
      + [helper.make_node("Concat", ["along2", "along3", "along4"], ["output"], axis=1)],
      [tensor("input", ["N", 1, "X", "Y", "Z"])], [tensor("output", ["N", 3, "X", "Y", "Z"])],
      [numpy_helper.from_array(np.array(k, np.int64), f"axis{k}") for k in (2, 3, 4)])

# A 2D classifier: two logits from the mean of the image (class 1 wins when the mean is above 0).
model("monai_cls2d",
      [helper.make_node("ReduceMean", ["input"], ["mean"], axes=[2, 3], keepdims=0),
       helper.make_node("Neg", ["mean"], ["negative"]),
       helper.make_node("Concat", ["negative", "mean"], ["logits"], axis=1)],
      [tensor("input", ["N", 1, "X", "Y"])], [tensor("logits", ["N", 2])])

print("MONAI test models written to", HERE)
