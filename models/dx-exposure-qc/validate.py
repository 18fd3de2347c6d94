#!/usr/bin/python3
"""Validates model.onnx (ONNX Runtime 1.31 through models/tools/onnx-run) on synthetic radiographs with known
saturated, empty and percentile values, and the exposure-qc analyzer reference on header examples with known
answers. Prints the tables that README.md quotes.

    /usr/bin/python3 models/dx-exposure-qc/validate.py
"""

import math
import os
import sys

import numpy as np
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
sys.path.insert(0, HERE)
import onnxrun  # noqa: E402
from analyzer_reference import analyze  # noqa: E402


def radiograph(seed, h, w, bits, saturated_rows, collimated_cols):
    """Chest-like radiograph: a smooth anatomy (10-80 % of full scale), a direct-exposure band at the top clipped
    at full scale over `saturated_rows` rows, collimator shutters (0) over `collimated_cols` columns each side."""
    rng = np.random.default_rng(seed)
    top = (1 << bits) - 1
    anatomy = ndimage.gaussian_filter(rng.normal(size=(h, w)), 12.0)
    anatomy = (anatomy - anatomy.min()) / (anatomy.max() - anatomy.min())
    image = np.rint((0.1 + 0.7 * anatomy) * top + rng.normal(0, 0.01 * top, (h, w)))
    image = np.clip(image, 1, top - 1)
    image[:saturated_rows, :] = top
    image[:, :collimated_cols] = 0
    image[:, w - collimated_cols:] = 0
    return image.astype(np.float32), top


def main():
    model = os.path.join(HERE, "model.onnx")
    print("| image | saturated (truth) | at zero (truth) | p01 / p50 / p99 (numpy on the same subsample) | max abs error |")
    print("|---|---|---|---|---|")
    for seed, (h, w, bits, rows, cols) in enumerate([(2048, 1680, 12, 100, 60), (3000, 2500, 14, 0, 120),
                                                    (1024, 1024, 16, 300, 0), (512, 700, 10, 5, 5)]):
        image, top = radiograph(seed, h, w, bits, rows, cols)
        out = {k: float(v[0]) for k, v in onnxrun.run(model, {"image": image[None, None]}).items()}
        s = max(1, math.ceil(math.sqrt(h * w / 65536)))
        sample = np.sort(image[::s, ::s].ravel())
        n = sample.size
        truth = {"fractionAtMax": (image == image.max()).mean(), "fractionAtZero": (image == 0).mean(),
                 **{f"p{p:02d}": sample[(p * (n - 1)) // 100] for p in (1, 50, 99)}}
        err = max(abs(out[k] - truth[k]) for k in truth)
        res = analyze({"BitsStored": bits, "PixelRepresentation": 0}, out)
        print(f"| {h}×{w}, {bits} bits, stride {s} | {res['saturationFraction']:.5f} ({(image == top).mean():.5f}) | "
              f"{out['fractionAtZero']:.5f} ({truth['fractionAtZero']:.5f}) | {out['p01']:g} / {out['p50']:g} / "
              f"{out['p99']:g} ({truth['p01']:g} / {truth['p50']:g} / {truth['p99']:g}) | {err:.2e} |")

    print()
    print("| header | DI (source) | band | pixel spacing mm (source) |")
    print("|---|---|---|---|")
    stats = {"maxValue": 4095.0, "fractionAtMax": 0.0, "fractionAtZero": 0.0, "fractionAtMin": 0.0}
    examples = [
        ("EI 400, EI_T 250", {"ExposureIndex": 400, "TargetExposureIndex": 250, "ImagerPixelSpacing": [0.143, 0.143],
                              "EstimatedRadiographicMagnificationFactor": 1.1}),
        ("EI 125, EI_T 250, DI absent", {"ExposureIndex": 125, "TargetExposureIndex": 250,
                                         "ImagerPixelSpacing": [0.15, 0.15], "DistanceSourceToDetector": 1800,
                                         "DistanceSourceToPatient": 1600}),
        ("EI 260, EI_T 250, DI 0.2 in header", {"ExposureIndex": 260, "TargetExposureIndex": 250, "DeviationIndex": 0.2,
                                                "PixelSpacing": [0.139, 0.139], "ImagerPixelSpacing": [0.15, 0.15]}),
        ("EI 2500, EI_T 250", {"ExposureIndex": 2500, "TargetExposureIndex": 250, "PixelSpacing": [0.1, 0.1],
                               "ImagerPixelSpacing": [0.1, 0.1]}),
        ("EI only", {"ExposureIndex": 300, "PixelSpacing": [0.2, 0.2], "PixelSpacingCalibrationType": "GEOMETRY",
                     "ImagerPixelSpacing": [0.2, 0.2]}),
    ]
    for name, header in examples:
        res = analyze({"BitsStored": 12, **header}, stats)
        di = "n/a" if res["deviationIndex"] is None else f"{res['deviationIndex']:+.2f}"
        sp = "n/a" if res["pixelSpacingMm"] is None else " × ".join(f"{v:.4f}" for v in res["pixelSpacingMm"])
        print(f"| {name} | {di} ({res['deviationIndexSource']}) | {res['deviationIndexBand']} | {sp} ({res['pixelSpacingSource']}) |")


if __name__ == "__main__":
    main()
