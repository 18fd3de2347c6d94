#!/usr/bin/python3
"""Reads the headers of DICOM files with pydicom, one after the other, for scripts/bench/dicom-parse.sh.

    pydicom_headers.py [--print | --scan] FILE...

Each file is read with dcmread(path, stop_before_pixels=True). Without an option, only the element
structure is parsed (pydicom keeps values raw until asked, like RadAI) and one summary line is printed;
with --print, str(ds) of each dataset is written (every value decoded and formatted), the pydicom
counterpart of `radai dump --header-only` and `dcmdump`; with --scan, the files are grouped by study and
series and the same text as `radai scan` is printed (dicom-parse.sh checks that it is the same).
"""
import sys

from pydicom import dcmread
from pydicom.uid import UID

NONE = "(none)"


def text(ds, keyword):
    value = ds.get(keyword)
    return str(value) if value not in (None, "") else NONE


def scan(paths, out):
    studies = {}  # study UID -> {series UID -> [modality, files, duplicates, SOP classes, instances]}; dicts keep insertion order
    for path in paths:
        ds = dcmread(path, stop_before_pixels=True)
        series = studies.setdefault(text(ds, "StudyInstanceUID"), {}).setdefault(
            text(ds, "SeriesInstanceUID"), [text(ds, "Modality"), 0, 0, set(), set()])
        series[1] += 1
        sop_class = text(ds, "SOPClassUID")
        series[3].add(sop_class if sop_class != NONE else text(ds.file_meta, "MediaStorageSOPClassUID"))
        instance = ds.get("SOPInstanceUID")
        if instance:
            if instance in series[4]:
                series[2] += 1
            series[4].add(instance)
    count = duplicates = 0
    for study_uid, all_series in studies.items():
        out.write(f"study {study_uid}\n")
        for series_uid, (modality, files, dups, classes, _) in all_series.items():
            count += 1
            duplicates += dups
            line = f"  series {series_uid} {modality} {files} {'file' if files == 1 else 'files'}"
            if dups:
                line += f" ({dups} with a SOP Instance UID already met)"
            names = ", ".join(uid if uid == NONE else UID(uid).name for uid in sorted(classes))
            out.write(f"{line} [{names}]\n")
    n = len(paths)
    out.write(f"{n} of {n} files read: {len(studies)} {'study' if len(studies) == 1 else 'studies'}, {count} series, "
              f"{duplicates} duplicate instances, 0 unreadable\n")


def main(argv):
    show = "--print" in argv
    paths = [a for a in argv if a not in ("--print", "--scan")]
    out = sys.stdout
    if "--scan" in argv:
        scan(paths, out)
        return 0
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
