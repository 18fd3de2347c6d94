#!/usr/bin/python3
"""In-process pydicom timings, the counterpart of the BenchmarkDotNet numbers (scripts/bench/dicom-parse.sh).

    pydicom_inprocess.py ROUNDS FILE...

Prints JSON, microseconds per file, medians over ROUNDS rounds after one warm-up round:
  header_from_memory_us: dcmread(BytesIO(bytes of the middle file), stop_before_pixels=True)
  header_from_file_us:   dcmread(path, stop_before_pixels=True) over all the files
  full_from_file_us:     dcmread(path) over all the files (pydicom reads Pixel Data into memory)
"""
import io
import json
import statistics
import sys
import time

from pydicom import dcmread


def per_file_us(action, items):
    start = time.perf_counter()
    for item in items:
        action(item)
    return (time.perf_counter() - start) * 1e6 / len(items)


def main(argv):
    rounds = int(argv[0])
    paths = argv[1:]
    with open(paths[len(paths) // 2], "rb") as f:
        middle = f.read()
    memory_items = [middle] * 500
    cases = {
        "header_from_memory_us": (lambda b: dcmread(io.BytesIO(b), stop_before_pixels=True), memory_items),
        "header_from_file_us": (lambda p: dcmread(p, stop_before_pixels=True), paths),
        "full_from_file_us": (lambda p: dcmread(p), paths),
    }
    result = {}
    for name, (action, items) in cases.items():
        per_file_us(action, items)  # warm-up
        result[name] = statistics.median(per_file_us(action, items) for _ in range(rounds))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
