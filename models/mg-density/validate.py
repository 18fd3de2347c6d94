#!/usr/bin/python3
"""Validates model.onnx (ONNX Runtime 1.31 through models/tools/onnx-run) and the mammo-density analyzer reference
on synthetic mammograms with known breast, pectoral and dense areas. Prints the table that README.md quotes.

    /usr/bin/python3 models/mg-density/validate.py
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
sys.path.insert(0, HERE)
import onnxrun  # noqa: E402
from analyzer_reference import analyze  # noqa: E402
from phantom import make_mammogram  # noqa: E402

CASES = [
    ("A MLO, chest wall left", dict(seed=1, view="MLO")),
    ("B MLO, chest wall right", dict(seed=2, view="MLO", flip=True)),
    ("C MLO, dense (12-16 blobs)", dict(seed=3, view="MLO", blobs=(12, 16))),
    ("D MLO, fatty (1-2 small blobs)", dict(seed=4, view="MLO", blobs=(1, 2), blob_scale=0.5)),
    ("E CC, chest wall left", dict(seed=5, view="CC")),
    ("F CC, chest wall right, no marker", dict(seed=6, view="CC", flip=True, marker=False)),
]


def dice(a, b):
    s = a.sum() + b.sum()
    return 1.0 if s == 0 else 2.0 * (a & b).sum() / s


def main():
    model = os.path.join(HERE, "model.onnx")
    print("| phantom | breast Dice | pectoral Dice | dense Dice | PD % (truth) | dense area cm2 (truth) | notes |")
    print("|---|---|---|---|---|---|---|")
    for name, kwargs in CASES:
        image, truth = make_mammogram(**kwargs)
        out = onnxrun.run(model, {"image": image[None, None]})
        res, b, pect, dense = analyze(out["smoothed"][0, 0], out["breast"][0, 0], kwargs["view"])
        pd = "n/a" if kwargs["view"] != "MLO" else f"{dice(pect, truth['pectoral']):.4f}"
        print(f"| {name} | {dice(b, truth['breast']):.4f} | {pd} | {dice(dense, truth['dense']):.4f} | "
              f"{res['percentDensity']:.2f} ({truth['percentDensity']:.2f}) | {res['denseAreaCm2']:.2f} "
              f"({truth['dense'].sum() * 0.0025:.2f}) | {res['pectoralNote']} |", flush=True)


if __name__ == "__main__":
    main()
