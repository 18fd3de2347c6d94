#!/usr/bin/python3
"""Reference pixel data from pydicom for the C# pixel-data tests (RadAI.Dicom.Imaging).

Run with Debian's /usr/bin/python3 (python3-pydicom 2.3, python3-numpy).

  pixel_reference.py export OUT_DIR [EXTRA_ROOT ...]
      For every file of pydicom's test corpus (data/test_files and its subfolders) and of the extra
      folders whose pixel_array pydicom can compute without JPEG plugins, writes to OUT_DIR:
      the pixel description, transfer syntax, rescale and window attributes, the raw Pixel Data
      value, each encapsulated frame (pydicom.encaps.generate_pixel_data_frame), pixel_array
      (little endian bytes, dtype, shape), apply_modality_lut, apply_voi_lut for each window and
      VOI LUT function, and convert_color_space(..., 'RGB') for YBR images. OUT_DIR/manifest.json
      lists the cases and the files skipped, with the reason.

  pixel_reference.py color OUT_DIR
      convert_color_space of every 8-bit triplet (a, b, c), in the order (a * 256 + b) * 256 + c, as an
      image of 256 columns: YBR_FULL to RGB in OUT_DIR/ybr_full_to_rgb.bin, RGB to YBR_FULL in
      OUT_DIR/rgb_to_ybr_full.bin.

  pixel_reference.py rle-decode DIR
      Reads DIR/requests.json (RLE frames encoded by RadAI), builds an RLE Lossless dataset of each
      request, and writes what pydicom's pixel_array gives for it (and what DCMTK's dcmdrle gives,
      when it is installed) to DIR/results.json and DIR/<id>.pydicom.bin / <id>.dcmtk.bin.
"""

import copy
import json
import os
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate, generate_pixel_data_frame
from pydicom.pixel_data_handlers.util import (
    apply_modality_lut, apply_voi_lut, convert_color_space)
from pydicom.uid import RLELossless, generate_uid

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
DESCRIPTION = ("Rows", "Columns", "SamplesPerPixel", "BitsAllocated", "BitsStored", "HighBit",
               "PixelRepresentation", "PhotometricInterpretation")


def little_endian_bytes(arr):
    return arr.astype(arr.dtype.newbyteorder("<")).tobytes()


def safe_id(root_name, relative):
    return (root_name + "__" + relative).replace(os.sep, "__").replace(" ", "_")


def number(value):
    return None if value is None else float(value)


def multi(value):
    if value is None:
        return None
    if isinstance(value, (list, tuple, pydicom.multival.MultiValue)):
        return [float(v) for v in value]
    return [float(value)]


def export_one(path, case_id, out_dir):
    """Returns (case dict, None) or (None, reason)."""
    try:
        ds = pydicom.dcmread(path)
    except Exception as e:  # not DICOM
        return None, f"not readable as DICOM ({type(e).__name__})"
    if "PixelData" not in ds:
        kind = "Float/Double Float Pixel Data (left for later)" if (
            "FloatPixelData" in ds or "DoubleFloatPixelData" in ds) else "no Pixel Data"
        return None, kind
    meta = getattr(ds, "file_meta", None)
    ts = getattr(meta, "TransferSyntaxUID", None) if meta is not None else None
    if ts is None:
        return None, "no Transfer Syntax UID in the file meta information"
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            arr = ds.pixel_array
        except Exception as e:
            error = e
    if error is not None:
        reason = f"pydicom cannot compute pixel_array for {ts} ({ts.name}): {type(error).__name__}: {str(error).splitlines()[0][:160]}"
        # Pixel Data that pydicom rejects as malformed (e.g. too short) is a negative case for RadAI.
        if not (isinstance(error, ValueError) and not ts.is_compressed and all(k in ds for k in DESCRIPTION)):
            return None, reason
    element = ds["PixelData"]
    encapsulated = bool(ts.is_compressed)
    nr_frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    case = {
        "id": case_id,
        "path": path,
        "transferSyntax": str(ts),
        "transferSyntaxName": ts.name,
        "bigEndian": not ts.is_little_endian,
        "pixelDataVR": str(element.VR),
        "rows": int(ds.Rows),
        "columns": int(ds.Columns),
        "samplesPerPixel": int(ds.SamplesPerPixel),
        "bitsAllocated": int(ds.BitsAllocated),
        "bitsStored": int(ds.BitsStored),
        "highBit": int(ds.HighBit),
        "pixelRepresentation": int(ds.PixelRepresentation),
        "photometric": str(ds.PhotometricInterpretation),
        "planarConfiguration": int(getattr(ds, "PlanarConfiguration", 0) or 0),
        "numberOfFrames": nr_frames,
        "encapsulated": encapsulated,
        "rescaleSlope": number(ds.get("RescaleSlope")),
        "rescaleIntercept": number(ds.get("RescaleIntercept")),
        "warnings": [str(w.message) for w in caught],
        "windows": [],
    }
    value = bytes(ds.PixelData)
    with open(os.path.join(out_dir, case_id + ".value.bin"), "wb") as f:
        f.write(value)
    case["valueFile"] = case_id + ".value.bin"
    if error is not None:
        case["pydicomError"] = reason
        return case, None
    case["dtype"] = str(arr.dtype.newbyteorder("="))
    case["shape"] = list(arr.shape)
    if encapsulated:
        frames = []
        for i, frame in enumerate(generate_pixel_data_frame(value, nr_frames)):
            name = f"{case_id}.frame{i}.bin"
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(frame)
            frames.append(name)
        case["frameFiles"] = frames
    with open(os.path.join(out_dir, case_id + ".array.bin"), "wb") as f:
        f.write(little_endian_bytes(arr))
    case["arrayFile"] = case_id + ".array.bin"

    modality = arr
    if "RescaleSlope" in ds and "RescaleIntercept" in ds:
        modality = apply_modality_lut(arr, ds)
        with open(os.path.join(out_dir, case_id + ".modality.bin"), "wb") as f:
            f.write(little_endian_bytes(modality.astype(np.float64)))
        case["modalityFile"] = case_id + ".modality.bin"

    centers = multi(ds.get("WindowCenter"))
    widths = multi(ds.get("WindowWidth"))
    if centers and widths and case["photometric"] in ("MONOCHROME1", "MONOCHROME2"):
        for index in range(min(len(centers), len(widths))):
            window = {"index": index, "center": centers[index], "width": widths[index], "files": {}, "errors": {}}
            for function in ("LINEAR", "LINEAR_EXACT", "SIGMOID"):
                voi_ds = copy.deepcopy(ds)
                voi_ds.VOILUTFunction = function
                try:
                    out = apply_voi_lut(modality, voi_ds, index=index)
                except Exception as e:
                    window["errors"][function] = f"{type(e).__name__}: {e}"
                    continue
                name = f"{case_id}.voi{index}.{function}.bin"
                with open(os.path.join(out_dir, name), "wb") as f:
                    f.write(little_endian_bytes(out.astype(np.float64)))
                window["files"][function] = name
            case["windows"].append(window)

    if case["photometric"] in ("YBR_FULL", "YBR_FULL_422"):
        rgb = convert_color_space(arr, case["photometric"], "RGB")
        with open(os.path.join(out_dir, case_id + ".rgb.bin"), "wb") as f:
            f.write(little_endian_bytes(rgb))
        case["rgbFile"] = case_id + ".rgb.bin"
    return case, None


def export(out_dir, extra_roots):
    os.makedirs(out_dir, exist_ok=True)
    roots = [("pydicom", os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files"))]
    roots += [(os.path.basename(os.path.normpath(r)), r) for r in extra_roots]
    cases, skipped = [], []
    for root_name, root in roots:
        for directory, _, files in sorted(os.walk(root)):
            for name in sorted(files):
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, root)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    case, reason = export_one(path, safe_id(root_name, relative), out_dir)
                if case is None:
                    skipped.append({"path": path, "reason": reason})
                else:
                    cases.append(case)
    manifest = {"pydicom": pydicom.__version__, "numpy": np.__version__, "cases": cases, "skipped": skipped}
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"{len(cases)} cases, {len(skipped)} skipped")


def rle_dataset(request, frames):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = SECONDARY_CAPTURE
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = RLELossless
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = SECONDARY_CAPTURE
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = "OT"
    ds.Rows = request["rows"]
    ds.Columns = request["columns"]
    ds.SamplesPerPixel = request["samplesPerPixel"]
    ds.BitsAllocated = request["bitsAllocated"]
    ds.BitsStored = request["bitsStored"]
    ds.HighBit = request["bitsStored"] - 1
    ds.PixelRepresentation = request["pixelRepresentation"]
    ds.PhotometricInterpretation = request["photometric"]
    if request["samplesPerPixel"] > 1:
        ds.PlanarConfiguration = request["planarConfiguration"]
    if len(frames) > 1:
        ds.NumberOfFrames = len(frames)
    ds.PixelData = encapsulate(frames)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    return ds


def rle_decode(directory):
    with open(os.path.join(directory, "requests.json")) as f:
        requests = json.load(f)
    dcmdrle = shutil.which("dcmdrle")
    results = {}
    for request in requests:
        case_id = request["id"]
        frames = []
        for name in request["frameFiles"]:
            with open(os.path.join(directory, name), "rb") as f:
                frames.append(f.read())
        result = {}
        ds = rle_dataset(request, frames)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                arr = ds.pixel_array
            with open(os.path.join(directory, case_id + ".pydicom.bin"), "wb") as f:
                f.write(little_endian_bytes(arr))
            result["pydicom"] = case_id + ".pydicom.bin"
            result["pydicomWarnings"] = [str(w.message) for w in caught]
        except Exception as e:
            result["pydicomError"] = f"{type(e).__name__}: {e}"
        if dcmdrle is None:
            result["dcmtkError"] = "dcmdrle is not installed"
        else:
            encoded = os.path.join(directory, case_id + ".rle.dcm")
            decoded = os.path.join(directory, case_id + ".dcmdrle.dcm")
            ds.save_as(encoded, write_like_original=False)
            run = subprocess.run([dcmdrle, encoded, decoded], capture_output=True, text=True)
            if run.returncode != 0:
                result["dcmtkError"] = f"dcmdrle exit {run.returncode}: {run.stderr.strip()[:400]}"
            else:
                try:
                    arr = pydicom.dcmread(decoded).pixel_array
                    with open(os.path.join(directory, case_id + ".dcmtk.bin"), "wb") as f:
                        f.write(little_endian_bytes(arr))
                    result["dcmtk"] = case_id + ".dcmtk.bin"
                    if run.stderr.strip():
                        result["dcmtkWarnings"] = run.stderr.strip()[:400]
                except Exception as e:
                    result["dcmtkError"] = f"reading dcmdrle's output: {type(e).__name__}: {e}"
        results[case_id] = result
    with open(os.path.join(directory, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(f"{len(results)} RLE requests decoded")


def color(out_dir):
    cube = np.indices((256, 256, 256), dtype=np.uint8).transpose(1, 2, 3, 0).reshape(65536, 256, 3)
    with open(os.path.join(out_dir, "ybr_full_to_rgb.bin"), "wb") as f:
        f.write(convert_color_space(cube, "YBR_FULL", "RGB").tobytes())
    with open(os.path.join(out_dir, "rgb_to_ybr_full.bin"), "wb") as f:
        f.write(convert_color_space(cube, "RGB", "YBR_FULL").tobytes())


def main(argv):
    if len(argv) >= 3 and argv[1] == "export":
        export(argv[2], argv[3:])
    elif len(argv) == 3 and argv[1] == "color":
        color(argv[2])
    elif len(argv) == 3 and argv[1] == "rle-decode":
        rle_decode(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
