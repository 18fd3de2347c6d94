#!/usr/bin/python3
"""Reference DICOM JSON from pydicom for every file of a folder tree.

Usage: pydicom_reference.py ROOT > reference.json
Output: {path: {"json": to_json_dict(), "bigEndian": bool} | {"error": "Type: message"}}

Run with Debian's /usr/bin/python3 (pydicom 2.3.1). Files are read with force=True: pydicom then
reads anything it can, and a file it rejects is one it cannot read at all.

pydicom's bundled private dictionary is switched off: RadAI carries no vendor private dictionary,
so a private element of an implicit VR file is UN for both (PS3.5 6.2.2). See docs/dicom-json.md.
"""
import json
import logging
import os
import sys
import warnings

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

import pydicom
import pydicom.dataelem

pydicom.dataelem._private_vr_for_tag = lambda ds, tag: "LO" if tag.is_private_creator else "UN"

SKIP_SUFFIXES = (".py", ".pyc", ".json", ".txt", ".md", ".gz", ".dump")


def main(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            if name.endswith(SKIP_SUFFIXES) or name == "README":
                continue
            path = os.path.join(dirpath, name)
            try:
                ds = pydicom.dcmread(path, force=True)
                out[path] = {"json": ds.to_json_dict(), "bigEndian": not ds.is_little_endian}
            except Exception as e:  # any failure is what the C# test compares against
                out[path] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
