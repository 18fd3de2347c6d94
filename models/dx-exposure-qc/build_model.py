#!/usr/bin/python3
"""Builds models/dx-exposure-qc/model.onnx: image statistics for CR/DX exposure QC, as a classical ONNX graph.

    /usr/bin/python3 models/dx-exposure-qc/build_model.py        (Debian python3-onnx 1.12, no torch)

Input  image float32 [1, 1, H, W]  the stored pixel values after the Modality LUT (Rescale Slope/Intercept), as the
                                   pipeline hands an image2d input (no VOI LUT, no windowing).
Outputs, each float32 [1]:
  minValue, maxValue, meanValue     over the whole image;
  fractionAtMax                     fraction of pixels equal to maxValue (clipping at the top of the range);
  fractionAtMin                     fraction of pixels equal to minValue;
  fractionAtZero                    fraction of pixels equal to 0;
  p01, p50, p99                     percentiles of a subsample: every s-th row and column from the first, with
                                    s = max(1, ceil(sqrt(H * W / 65536))); on the n ascending sampled values the
                                    p-th percentile is value[(p * (n - 1)) div 100] (integer division: the lower
                                    order statistic, no interpolation).
The analyzer `exposure-qc` turns fractionAtMax into the saturation fraction by comparing maxValue with the
detector's full scale from the header (see README.md).
"""

import os
import sys

import numpy as np
from onnx import TensorProto

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from graphkit import Graph, save  # noqa: E402

SAMPLES = 65536
PERCENTILES = (1, 50, 99)


def build():
    g = Graph("dx_exposure_stats")
    image = g.input("image", [1, 1, "H", "W"])
    flat = g.op("Reshape", [image, g.const([-1], np.int64)], "flat")
    mn = g.op("ReduceMin", [flat], "min", keepdims=1)
    mx = g.op("ReduceMax", [flat], "max", keepdims=1)
    mean = g.op("ReduceMean", [flat], "mean", keepdims=1)

    def fraction(mask_bool):
        return g.op("ReduceMean", [g.cast_f(mask_bool)], "frac", keepdims=1)

    at_max = fraction(g.op("Equal", [flat, mx], "eqmax"))
    at_min = fraction(g.op("Equal", [flat, mn], "eqmin"))
    at_zero = fraction(g.op("Equal", [flat, g.const(0.0)], "eqzero"))

    # Subsample stride s = max(1, ceil(sqrt(H*W / 65536))).
    shape = g.op("Shape", [image], "shape")
    hw = g.op("ReduceProd", [g.op("Slice", [shape, g.const([2], np.int64), g.const([4], np.int64)], "hwdims")],
              "hw", keepdims=1)
    ratio = g.op("Div", [g.op("Cast", [hw], "hwf", to=TensorProto.DOUBLE), g.const([float(SAMPLES)], np.float64)], "ratio")
    stride_d = g.op("Max", [g.op("Ceil", [g.op("Sqrt", [ratio], "sqrt")], "ceil"), g.const([1.0], np.float64)], "strided")
    stride = g.op("Cast", [stride_d], "stride", to=TensorProto.INT64)
    steps = g.op("Concat", [stride, stride], "steps", axis=0)
    sub = g.op("Slice", [image, g.const([0, 0], np.int64), g.const([2 ** 62, 2 ** 62], np.int64),
                         g.const([2, 3], np.int64), steps], "sub")
    sub_flat = g.op("Reshape", [sub, g.const([-1], np.int64)], "subflat")
    n = g.op("Reshape", [g.op("Size", [sub_flat], "n"), g.const([1], np.int64)], "n1")
    ascending = g.op("TopK", [sub_flat, n], "sorted", axis=0, largest=0, sorted=1)
    # TopK has two outputs (values, indices); keep values.
    g.nodes[-1].output.append(g.fresh("indices"))
    last = g.op("Sub", [n, g.const([1], np.int64)], "last")
    outputs = {}
    for p in PERCENTILES:
        index = g.op("Div", [g.op("Mul", [last, g.const([p], np.int64)], "pn"), g.const([100], np.int64)], "pidx")
        outputs[f"p{p:02d}"] = g.op("Gather", [ascending, index], "pval", axis=0)

    for name, value in (("minValue", mn), ("maxValue", mx), ("meanValue", mean), ("fractionAtMax", at_max),
                        ("fractionAtMin", at_min), ("fractionAtZero", at_zero), *outputs.items()):
        g.output(value, name, [1])
    return g.model("RadAI CR/DX exposure QC statistics. See models/dx-exposure-qc/README.md.")


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.onnx")
    save(build(), out)
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")
