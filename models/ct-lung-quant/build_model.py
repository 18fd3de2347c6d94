#!/usr/bin/python3
"""Builds models/ct-lung-quant/model.onnx: candidate lung voxels of a chest CT, as a classical ONNX graph.

    /usr/bin/python3 models/ct-lung-quant/build_model.py        (Debian python3-onnx 1.12, no torch)

Input  hu   float32 [1, 1, D, H, W]  Hounsfield units, index order [z, y, x] (any D, H, W >= 1).
Output lung float32 [1, 1, D, H, W]  1 = candidate lung voxel (lungs + airways + any enclosed gas), else 0.

Steps (masks are float32 0/1; dilation = MaxPool, stride 1, pads k//2, out-of-volume ignored;
erosion = -MaxPool(-x), out-of-volume ignored too):
  1. body0  = HU > -500
  2. body   = closing(body0, kernel [1, 5, 5])                    (in-plane: bridges thin gaps in the wall)
  3. inside = per axial slice, body is present at or before AND at or after the voxel along x, and along y
              (CumSum of body along W forward/reverse and along H forward/reverse, each > 0.5, multiplied)
  4. low    = (HU >= -1024) AND (HU <= -400)
  5. cand   = low AND inside
  6. closed = closing(cand, kernel [3, 3, 3])                     (fills vessels up to ~2 voxels wide)
  7. opened = opening(closed, kernel [3, 3, 3])                   (removes isolated voxels and thin strands)
  8. lung   = opened > 0.5
The output is deterministic bit for bit: only comparisons, products, maxima and sums of 0/1 values.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from graphkit import Graph, save  # noqa: E402

BODY_HU = -500.0
LOW_MIN_HU = -1024.0
LOW_MAX_HU = -400.0
BODY_CLOSING = (1, 5, 5)
OPENING = (3, 3, 3)
CLOSING = (3, 3, 3)


def build():
    g = Graph("ct_lung_candidates")
    shape = [1, 1, "D", "H", "W"]
    hu = g.input("hu", shape)
    body0 = g.gt(hu, BODY_HU)
    body = g.binarize(g.closing(body0, BODY_CLOSING))
    inside = g.enclosed(body, axes=[3, 4])
    low = g.mul(g.ge(hu, LOW_MIN_HU), g.le(hu, LOW_MAX_HU))
    cand = g.mul(low, inside)
    closed = g.closing(cand, CLOSING)
    opened = g.opening(closed, OPENING)
    lung = g.binarize(opened)
    g.output(lung, "lung", shape)
    return g.model("RadAI CT lung candidates: HU thresholds, slice-wise enclosure by the body, MaxPool morphology. "
                   "See models/ct-lung-quant/README.md.")


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.onnx")
    save(build(), out)
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")
