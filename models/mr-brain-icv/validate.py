#!/usr/bin/python3
"""Validates model.onnx (ONNX Runtime 1.31 through models/tools/onnx-run) and the brain-icv analyzer reference on
synthetic head phantoms with known ICV, noise, bias and ghost. Prints the table that README.md quotes.

    /usr/bin/python3 models/mr-brain-icv/validate.py
"""

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
sys.path.insert(0, HERE)
import onnxrun  # noqa: E402
from analyzer_reference import INTERIOR_BOX, _box, analyze  # noqa: E402
from phantom import make_head  # noqa: E402

CASES = [
    ("A sigma 0.02, bias 10 %", dict(seed=1)),
    ("B sigma 0.02, bias 10 %, small head", dict(seed=2, scale=0.9)),
    ("C sigma 0.05, bias 10 %", dict(seed=3, sigma=0.05)),
    ("D sigma 0.02, no bias", dict(seed=4, bias=0.0)),
    ("E sigma 0.02, bias 20 %", dict(seed=5, bias=0.20)),
    ("F sigma 0.02, ghost 2 %", dict(seed=6, ghost=0.02)),
    ("G sigma 0.02, ghost 5 %", dict(seed=7, ghost=0.05)),
    ("H sigma 0.02, intensities x 1000", dict(seed=8), 1000.0),
]


def dice(a, b):
    return 2.0 * (a & b).sum() / (a.sum() + b.sum())


def main():
    model = os.path.join(HERE, "model.onnx")
    print("| phantom | ICV mL (truth) | ICV error | Dice vs truth | SNR (truth S/sigma) | ghosting % | uniformity % (noiseless) |")
    print("|---|---|---|---|---|---|---|")
    for case in CASES:
        name, kwargs = case[0], case[1]
        factor = case[2] if len(case) > 2 else 1.0
        image, truth = make_head(**kwargs)
        image = image * np.float32(factor)
        out = onnxrun.run(model, {"image": image[None, None]})
        res, icv = analyze(image, out["head"][0, 0], out["brain"][0, 0])
        interior = _box(icv, INTERIOR_BOX, False)
        true_snr = truth["noiseless"][interior].mean() / truth["sigma"]
        from analyzer_reference import quality
        noiseless_q = quality(truth["noiseless"], out["head"][0, 0], icv)
        err = 100.0 * (res["icvMl"] - truth["icv_ml"]) / truth["icv_ml"]
        fmt = lambda v: "n/a" if v is None else f"{v:.2f}"  # noqa: E731
        print(f"| {name} | {res['icvMl']:.1f} ({truth['icv_ml']:.1f}) | {err:+.2f} % | {dice(icv, truth['icv']):.4f} | "
              f"{fmt(res['snr'])} ({true_snr:.2f}) | {fmt(res['ghostingPercent'])} | "
              f"{res['uniformityPercent']:.2f} ({noiseless_q['uniformityPercent']:.2f}) |", flush=True)


if __name__ == "__main__":
    main()
