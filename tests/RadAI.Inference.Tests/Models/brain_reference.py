#!/usr/bin/python3
"""Phantoms and reference results for BrainAnalyzerTests: models/mr-brain-icv/phantom.py and analyzer_reference.py.

    /usr/bin/python3 brain_reference.py phantoms <case folder> <models/mr-brain-icv folder>
    /usr/bin/python3 brain_reference.py analyze <case folder> <models/mr-brain-icv folder>

phantoms: reads phantoms.json (a list of {name, kwargs of make_head, factor}) and writes, per phantom, <name>.image.f32
(the image times factor), <name>.noiseless.f32, <name>.truth.u8 (voxels inside the inner skull surface) and
phantoms-out.json ({name: {shape [d, h, w], icvMl, sigma}}).

analyze: reads cases.json (a list of {name, shape [d, h, w], spacing, noiseless (file name or null), sigma}) and, per
case, <name>.image.f32, <name>.head.f32 and <name>.brain.f32; writes <name>.icv.u8 and <name>.background.u8 and
reference.json ({name: the reference's measures, plus the phantom's true S/sigma and noiseless uniformity when a
noiseless image is given; or {"empty": true} when the candidate is empty}).

All arrays are raw little-endian, [z, y, x] with x fastest (the C# volume's index order).
"""

import json
import os
import sys

import numpy as np


def phantoms(folder):
    from phantom import make_head

    with open(os.path.join(folder, "phantoms.json")) as f:
        cases = json.load(f)
    out = {}
    for case in cases:
        image, truth = make_head(**case["kwargs"])
        image = image * np.float32(case.get("factor", 1.0))
        name = case["name"]
        image.astype("<f4").tofile(os.path.join(folder, name + ".image.f32"))
        (truth["noiseless"] * case.get("factor", 1.0)).astype("<f4").tofile(os.path.join(folder, name + ".noiseless.f32"))
        truth["icv"].astype(np.uint8).tofile(os.path.join(folder, name + ".truth.u8"))
        out[name] = {"shape": list(image.shape), "icvMl": float(truth["icv_ml"]),
                     "sigma": float(truth["sigma"]) * case.get("factor", 1.0)}
    with open(os.path.join(folder, "phantoms-out.json"), "w") as f:
        json.dump(out, f)


def analyze_cases(folder):
    from analyzer_reference import BACKGROUND_BOX, INTERIOR_BOX, _box, analyze, quality

    with open(os.path.join(folder, "cases.json")) as f:
        cases = json.load(f)
    results = {}
    for case in cases:
        name, shape = case["name"], tuple(case["shape"])

        def load(suffix):
            return np.fromfile(os.path.join(folder, f"{name}.{suffix}.f32"), dtype="<f4").reshape(shape)

        image, head, brain = load("image"), load("head"), load("brain")
        if not (brain >= 0.5).any():
            results[name] = {"empty": True}
            continue
        res, icv = analyze(image, head, brain, tuple(case["spacing"]))
        icv.astype(np.uint8).tofile(os.path.join(folder, name + ".icv.u8"))
        (~_box(head >= 0.5, BACKGROUND_BOX, True)).astype(np.uint8).tofile(os.path.join(folder, name + ".background.u8"))
        res = {k: (None if v is None else float(v)) for k, v in res.items()}
        if case.get("noiseless"):
            noiseless = np.fromfile(os.path.join(folder, case["noiseless"]), dtype="<f4").reshape(shape).astype(np.float64)
            interior = _box(icv, INTERIOR_BOX, False)
            res["trueSnr"] = float(noiseless[interior].mean() / case["sigma"])
            res["noiselessUniformityPercent"] = float(quality(noiseless, head, icv)["uniformityPercent"])
        results[name] = res
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(results, f)


def main():
    mode, folder, package = sys.argv[1], sys.argv[2], sys.argv[3]
    sys.path.insert(0, package)
    if mode == "phantoms":
        phantoms(folder)
    else:
        analyze_cases(folder)


if __name__ == "__main__":
    main()
