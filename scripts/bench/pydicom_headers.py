#!/usr/bin/python3
"""Reads the headers of DICOM files with pydicom, one after the other, for scripts/bench/dicom-parse.sh.

    pydicom_headers.py [--print] FILE...

Each file is read with dcmread(path, stop_before_pixels=True). Without --print, only the element
structure is parsed (pydicom keeps values raw until asked, like RadAI) and one summary line is printed;
with --print, str(ds) of each dataset is written (every value decoded and formatted), the pydicom
counterpart of `radai dump --header-only` and `dcmdump`.
"""
import sys

from pydicom import dcmread


def main(argv):
    show = "--print" in argv
    paths = [a for a in argv if a != "--print"]
    out = sys.stdout
    elements = 0
    for path in paths:
        ds = dcmread(path, stop_before_pixels=True)
        if show:
            out.write(f"# {path}\n")
            out.write(str(ds.file_meta))
            out.write("\n")
            out.write(str(ds))
            out.write("\n")
        else:
            elements += len(ds) + len(ds.file_meta)
    if not show:
        print(f"parsed {len(paths)} files (header only), {elements} top-level elements")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
