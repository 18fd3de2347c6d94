#!/usr/bin/python3
"""Phantoms and reference results for MammoAnalyzerTests: models/mg-density/phantom.py and analyzer_reference.py.

    /usr/bin/python3 mammo_reference.py phantoms <case folder> <models/mg-density folder>
    /usr/bin/python3 mammo_reference.py analyze <case folder> <models/mg-density folder>

phantoms: reads phantoms.json (a list of {name, kwargs of make_mammogram}) and writes, per phantom, <name>.image.f32
(values 0..1), <name>.truth.u8 (1 breast, 2 dense, 3 pectoral; later wins) and phantoms-out.json ({name: {shape
[h, w], percentDensity}}).

analyze: reads cases.json (a list of {name, shape [h, w], view, spacing [row, column]}) and, per case,
<name>.smoothed.f32 and <name>.breast.f32 (the model's outputs on the model grid); writes <name>.labels.u8 (1 breast,
2 dense, 3 pectoral, the C# analyzer's label order) and reference.json ({name: the reference's measures; or
{"empty": true} when there is no breast}).

All arrays are raw little-endian, row-major with x fastest (the C# image's index order).
"""

import json
import os
import sys

import numpy as np


def phantoms(folder):
    from phantom import make_mammogram

    with open(os.path.join(folder, "phantoms.json")) as f:
        cases = json.load(f)
    out = {}
    for case in cases:
        kwargs = dict(case["kwargs"])
        if "shape" in kwargs:
            kwargs["shape"] = tuple(kwargs["shape"])
        image, truth = make_mammogram(**kwargs)
        name = case["name"]
        image.astype("<f4").tofile(os.path.join(folder, name + ".image.f32"))
        labels = np.zeros(image.shape, np.uint8)
        labels[truth["breast"]] = 1
        labels[truth["dense"]] = 2
        labels[truth["pectoral"]] = 3
        labels.tofile(os.path.join(folder, name + ".truth.u8"))
        out[name] = {"shape": list(image.shape), "percentDensity": float(truth["percentDensity"])}
    with open(os.path.join(folder, "phantoms-out.json"), "w") as f:
        json.dump(out, f)


def analyze_cases(folder):
    from analyzer_reference import analyze

    with open(os.path.join(folder, "cases.json")) as f:
        cases = json.load(f)
    results = {}
    for case in cases:
        name, shape = case["name"], tuple(case["shape"])

        def load(suffix):
            return np.fromfile(os.path.join(folder, f"{name}.{suffix}.f32"), dtype="<f4").reshape(shape)

        smoothed, breast = load("smoothed"), load("breast")
        if not (breast >= 0.5).any():
            results[name] = {"empty": True}
            continue
        res, b, pect, dense = analyze(smoothed, breast, case["view"], tuple(case["spacing"]))
        labels = np.zeros(shape, np.uint8)
        labels[b] = 1
        labels[dense] = 2
        labels[pect] = 3
        labels.tofile(os.path.join(folder, name + ".labels.u8"))
        res["line"] = None if res["line"] is None else [float(v) for v in res["line"]]
        results[name] = {k: (float(v) if isinstance(v, (np.floating, np.integer)) else v) for k, v in res.items()}
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
