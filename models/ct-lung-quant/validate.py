#!/usr/bin/python3
"""Validates model.onnx (run by ONNX Runtime 1.31 through models/tools/onnx-run) and the analyzer reference on
synthetic chest phantoms with known lungs. Prints the table that README.md quotes.

    /usr/bin/python3 models/ct-lung-quant/validate.py
"""

import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
sys.path.insert(0, HERE)
import onnxrun  # noqa: E402
from analyzer_reference import analyze, measure  # noqa: E402
from phantom import AIRWAY, LEFT, RIGHT, make_chest  # noqa: E402

CASES = [
    # name, kwargs
    ("A 80x128x128 3.0/2.7 mm", dict(seed=1)),
    ("B 80x128x128 3.0/2.7 mm", dict(seed=2)),
    ("C 120x160x160 2.0/2.2 mm", dict(seed=3, shape=(120, 160, 160), spacing=(2.0, 2.2, 2.2))),
    ("D touching lungs", dict(seed=4, lung_gap_mm=-6.0)),
    ("E noise 40 HU", dict(seed=5, noise_hu=40.0)),
    ("F severe emphysema", dict(seed=6, pockets_per_lung=(30, 40), pocket_radius_mm=(8.0, 16.0))),
]


def dice(a, b):
    return 2.0 * (a & b).sum() / (a.sum() + b.sum())


def main():
    model = os.path.join(HERE, "model.onnx")
    rows = []
    for name, kwargs in CASES:
        spacing = kwargs.get("spacing", (3.0, 2.7, 2.7))
        hu, labels = make_chest(**kwargs)
        start = time.time()
        out = onnxrun.run(model, {"hu": hu[None, None]})["lung"][0, 0]
        seconds = time.time() - start
        assert set(np.unique(out)) <= {0.0, 1.0}
        m = out >= 0.5
        res, right, left, airway = analyze(hu, out, spacing)
        truth_r, truth_l = labels == RIGHT, labels == LEFT
        tr, tl = measure(hu, truth_r, spacing), measure(hu, truth_l, spacing)
        rows.append((name, dice(m, truth_r | truth_l | (labels == AIRWAY)), dice(m, truth_r | truth_l),
                     dice(right, truth_r), dice(left, truth_l), res, tr, tl, res["airwayNote"], res["split"], seconds))

    print("| phantom | graph Dice (lungs+airway) | graph Dice (lungs) | Dice R / L after analyzer | "
          "volume R / L mL (truth) | %LAA-950 R / L (truth) | Perc15 R / L HU (truth) | MLD R / L HU (truth) | notes |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, d_all, d_lungs, d_r, d_l, res, tr, tl, note, split, seconds in rows:
        r, l = res["right"], res["left"]
        print(f"| {name} | {d_all:.4f} | {d_lungs:.4f} | {d_r:.4f} / {d_l:.4f} | "
              f"{r['volumeMl']:.1f} ({tr['volumeMl']:.1f}) / {l['volumeMl']:.1f} ({tl['volumeMl']:.1f}) | "
              f"{r['laa950Percent']:.2f} ({tr['laa950Percent']:.2f}) / {l['laa950Percent']:.2f} ({tl['laa950Percent']:.2f}) | "
              f"{r['perc15Hu']:.1f} ({tr['perc15Hu']:.1f}) / {l['perc15Hu']:.1f} ({tl['perc15Hu']:.1f}) | "
              f"{r['meanHu']:.1f} ({tr['meanHu']:.1f}) / {l['meanHu']:.1f} ({tl['meanHu']:.1f}) | "
              f"{note}{'; split at the junction' if split else ''}; ORT {seconds:.1f} s |")


if __name__ == "__main__":
    main()
