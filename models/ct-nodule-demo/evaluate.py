#!/usr/bin/python3
"""Evaluates model.onnx (ONNX Runtime 1.31 through models/tools/onnx-run) on held-out synthetic slices (data.py,
seed not used in training): per-nodule sensitivity by size, false-positive components per slice, pixel Dice.

    /usr/bin/python3 models/ct-nodule-demo/evaluate.py

A nodule counts as detected when at least one pixel of a predicted component (probability > 0.5, 8-connected)
lies on it; a predicted component touching no nodule is a false positive.
"""

import os
import sys

import numpy as np
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
sys.path.insert(0, HERE)
import data  # noqa: E402
import onnxrun  # noqa: E402

SEED = 20240501 + 10
SLICES = 300
SIZE = 128
BINS = ((3.0, 6.0), (6.0, 10.0), (10.0, 20.0))
EIGHT = ndimage.generate_binary_structure(2, 2)


def main():
    x, y, nodules = data.make_batch(np.random.default_rng(SEED), SLICES, SIZE, SIZE)
    p = onnxrun.run(os.path.join(HERE, "model.onnx"), {"image": x})["nodule"]
    found = {b: [0, 0] for b in BINS}
    false_positives = 0
    inter = union = 0
    for i in range(SLICES):
        pred = p[i, 0] > 0.5
        truth = y[i, 0] > 0.5
        inter += (pred & truth).sum()
        union += pred.sum() + truth.sum()
        plab, pn = ndimage.label(pred, EIGHT)
        tlab, tn = ndimage.label(truth, EIGHT)
        for j in range(1, pn + 1):
            if not truth[plab == j].any():
                false_positives += 1
        for j in range(1, tn + 1):
            cy, cx = ndimage.center_of_mass(tlab == j)
            diameter = min(nodules[i], key=lambda n: (n[0] - cy) ** 2 + (n[1] - cx) ** 2)[2]
            b = next(b for b in BINS if b[0] <= diameter <= b[1])
            found[b][1] += 1
            found[b][0] += int(pred[tlab == j].any())
    total = [sum(v[0] for v in found.values()), sum(v[1] for v in found.values())]
    print(f"held-out: {SLICES} slices {SIZE}x{SIZE} at {data.PIXEL_MM} mm, seed {SEED}")
    for b, (hit, n) in found.items():
        print(f"sensitivity {b[0]:g}-{b[1]:g} mm: {hit}/{n} = {hit / max(n, 1):.3f}")
    print(f"sensitivity all: {total[0]}/{total[1]} = {total[0] / max(total[1], 1):.3f}")
    print(f"false-positive components: {false_positives} = {false_positives / SLICES:.3f} per slice")
    print(f"pixel Dice: {2 * inter / union:.4f}")


if __name__ == "__main__":
    main()
