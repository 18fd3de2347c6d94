#!/usr/bin/python3
"""Runs models/ct-lung-quant/analyzer_reference.py on the cases LungAnalyzerTests writes, for the C#-vs-Python test.

    /usr/bin/python3 lung_reference.py <case folder> <models/ct-lung-quant folder>

The folder holds cases.json (a list of {name, shape [d, h, w], spacing [sz, sy, sx], superiorIsLowerZ,
leftIsHighX}) and, per case, <name>.hu.f32 and <name>.lung.f32 (raw little-endian float32, [z, y, x], x fastest, in
the C# volume's index order). Writes <name>.labels.u8 (1 right lung, 2 left lung, same index order) and
reference.json ({name: measures and notes, or {"error": message}}).

The reference wants z growing towards the head: a volume whose slice index grows towards the feet is reversed along
z before the analysis and its masks reversed back.
"""

import json
import os
import sys

import numpy as np


def main():
    folder, package = sys.argv[1], sys.argv[2]
    sys.path.insert(0, package)
    from analyzer_reference import analyze  # noqa: E402

    with open(os.path.join(folder, "cases.json")) as f:
        cases = json.load(f)
    results = {}
    for case in cases:
        name, shape = case["name"], tuple(case["shape"])
        hu = np.fromfile(os.path.join(folder, name + ".hu.f32"), dtype="<f4").reshape(shape)
        lung = np.fromfile(os.path.join(folder, name + ".lung.f32"), dtype="<f4").reshape(shape)
        flip = case["superiorIsLowerZ"]
        if flip:
            hu, lung = hu[::-1], lung[::-1]
        try:
            res, right, left, _ = analyze(hu, lung, tuple(case["spacing"]), left_is_high_x=case["leftIsHighX"])
        except ValueError as e:
            results[name] = {"error": str(e)}
            continue
        if flip:
            right, left = right[::-1], left[::-1]
        labels = np.zeros(shape, np.uint8)
        labels[right] = 1
        labels[left] = 2
        labels.tofile(os.path.join(folder, name + ".labels.u8"))
        results[name] = res
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
