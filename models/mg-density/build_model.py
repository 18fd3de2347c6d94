#!/usr/bin/python3
"""Builds models/mg-density/model.onnx: breast mask and smoothed normalised image of a mammogram (classical graph).

    /usr/bin/python3 models/mg-density/build_model.py        (Debian python3-onnx 1.12, no torch)

Input  image float32 [1, 1, H, W]  a 'for presentation' mammogram, MONOCHROME2 sense (denser tissue = larger
                                   value), resampled to 0.5 mm pixels by the pipeline.
Outputs, float32 [1, 1, H, W]:
  smoothed  norm = (image - min) / max(max - min, 1e-6), then the mean over the in-image pixels of a 5x5 box
            (AveragePool, pads 2, count_include_pad = 0): values 0..1;
  breast    smoothed > 0.10, then opening and closing with a 5x5 box (MaxPool / -MaxPool(-x)): 0 or 1.
The analyzer `mammo-density` keeps the largest component, removes the pectoral muscle on MLO views and measures
the dense fraction (README.md).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from graphkit import Graph, save  # noqa: E402

BREAST_THRESHOLD = 0.10
SMOOTH = (5, 5)
MORPHOLOGY = (5, 5)


def build():
    g = Graph("mg_breast_mask")
    shape = [1, 1, "H", "W"]
    image = g.input("image", shape)
    mn = g.op("ReduceMin", [image], "min", keepdims=1)
    mx = g.op("ReduceMax", [image], "max", keepdims=1)
    span = g.op("Max", [g.op("Sub", [mx, mn], "span"), g.const(1e-6)], "spanpos")
    norm = g.op("Div", [g.op("Sub", [image, mn], "shift"), span], "norm")
    smoothed = g.op("AveragePool", [norm], "smooth", kernel_shape=list(SMOOTH), strides=[1, 1],
                    pads=[k // 2 for k in SMOOTH] * 2, count_include_pad=0)
    breast0 = g.gt(smoothed, BREAST_THRESHOLD)
    breast = g.binarize(g.closing(g.opening(breast0, MORPHOLOGY), MORPHOLOGY))
    g.output(smoothed, "smoothed", shape)
    g.output(breast, "breast", shape)
    return g.model("RadAI MG breast mask and smoothed normalised image. See models/mg-density/README.md.")


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.onnx")
    save(build(), out)
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")
