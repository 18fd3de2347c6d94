#!/usr/bin/python3
"""Builds models/mr-brain-icv/model.onnx: head and intracranial-candidate masks of a brain MR, as a classical graph.

    /usr/bin/python3 models/mr-brain-icv/build_model.py        (Debian python3-onnx 1.12, no torch)

Input  image float32 [1, 1, D, H, W]  MR magnitude (any scale, >= 0), resampled to 1 mm isotropic by the pipeline.
Outputs (float32 [1, 1, D, H, W], values in {0, 1}):
  head   the head: smoothed > 0.20, closed (3x5x5), then filled slice-wise by the enclosure test;
  brain  the intracranial candidate: smoothed > 0.25 inside the head, eroded by a 5x5x5 box (2 mm), so that the
         scalp is detached from the intracranial contents; the analyzer keeps the largest component and dilates
         it back (see README.md).
Steps:
  1. m0     = mean(image)                                     (whole volume)
  2. fg     = image > m0
  3. fgMean = sum(image * fg) / max(sum(fg), 1)                (mean of the above-average voxels)
  4. norm   = image / max(fgMean, 1e-6)
  5. smooth = AveragePool(norm, 3x3x3, pads 1, count_include_pad = 0)   (mean of the in-volume neighbours)
  6. head   = enclosed_yx(closing(smooth > 0.20, [3, 5, 5]))
  7. brain  = erosion((smooth > 0.25) * head, [5, 5, 5])
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from graphkit import Graph, save  # noqa: E402

HEAD_THRESHOLD = 0.20
BRAIN_THRESHOLD = 0.25
SMOOTH = (3, 3, 3)
HEAD_CLOSING = (3, 5, 5)
BRAIN_EROSION = (5, 5, 5)


def build():
    g = Graph("mr_brain_masks")
    shape = [1, 1, "D", "H", "W"]
    image = g.input("image", shape)
    m0 = g.op("ReduceMean", [image], "mean", keepdims=1)
    fg = g.cast_f(g.op("Greater", [image, m0], "fg"))
    fg_sum = g.op("ReduceSum", [g.op("Mul", [image, fg])], "fgsum", keepdims=1)
    fg_count = g.op("ReduceSum", [fg], "fgcount", keepdims=1)
    fg_mean = g.op("Div", [fg_sum, g.op("Max", [fg_count, g.const(1.0)])], "fgmean")
    norm = g.op("Div", [image, g.op("Max", [fg_mean, g.const(1e-6)])], "norm")
    smooth = g.op("AveragePool", [norm], "smooth", kernel_shape=list(SMOOTH), strides=[1, 1, 1],
                  pads=[k // 2 for k in SMOOTH] * 2, count_include_pad=0)
    head0 = g.gt(smooth, HEAD_THRESHOLD)
    head = g.enclosed(g.binarize(g.closing(head0, HEAD_CLOSING)), axes=[3, 4])
    brain0 = g.mul(g.gt(smooth, BRAIN_THRESHOLD), head)
    brain = g.binarize(g.erode(brain0, BRAIN_EROSION))
    g.output(head, "head", shape)
    g.output(brain, "brain", shape)
    return g.model("RadAI MR brain: head mask and intracranial candidate (eroded). See models/mr-brain-icv/README.md.")


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.onnx")
    save(build(), out)
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")
