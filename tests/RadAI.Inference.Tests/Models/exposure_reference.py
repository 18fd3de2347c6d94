#!/usr/bin/python3
"""Radiographs and reference results for ExposureAnalyzerTests: models/dx-exposure-qc/validate.py's radiograph() and
analyzer_reference.py.

    /usr/bin/python3 exposure_reference.py radiographs <case folder> <models/dx-exposure-qc folder>
    /usr/bin/python3 exposure_reference.py analyze <case folder> <models/dx-exposure-qc folder>

radiographs: reads radiographs.json (a list of {name, seed, h, w, bits, saturatedRows, collimatedColumns}) and writes
<name>.image.f32 (raw little-endian float32, row-major) and radiographs-out.json ({name: {top, fractionAtTop,
fractionAtZero}}).

analyze: reads cases.json (a list of {name, header: DICOM keyword -> number, list or string, stats: the graph's
outputs}) and writes reference.json ({name: the reference's result}).
"""

import json
import os
import sys

import numpy as np


def radiographs(folder):
    from validate import radiograph

    with open(os.path.join(folder, "radiographs.json")) as f:
        cases = json.load(f)
    out = {}
    for case in cases:
        image, top = radiograph(case["seed"], case["h"], case["w"], case["bits"], case["saturatedRows"], case["collimatedColumns"])
        image.astype("<f4").tofile(os.path.join(folder, case["name"] + ".image.f32"))
        out[case["name"]] = {"top": int(top), "fractionAtTop": float((image == top).mean()),
                             "fractionAtZero": float((image == 0).mean())}
    with open(os.path.join(folder, "radiographs-out.json"), "w") as f:
        json.dump(out, f)


def analyze_cases(folder):
    from analyzer_reference import analyze

    with open(os.path.join(folder, "cases.json")) as f:
        cases = json.load(f)
    results = {case["name"]: analyze(case["header"], case["stats"]) for case in cases}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(results, f)


def main():
    mode, folder, package = sys.argv[1], sys.argv[2], sys.argv[3]
    sys.path.insert(0, package)
    sys.path.insert(0, os.path.join(package, "..", "tools"))
    if mode == "radiographs":
        radiographs(folder)
    else:
        analyze_cases(folder)


if __name__ == "__main__":
    main()
