"""Checks RadAI's report objects with pydicom (an independent reader).

read FILE...                    read every element of each file; print SOP Class UID, Modality, transfer syntax
seg SEG LABELS META             decode the SEG frames and compare each one with the label map (raw bytes, z,y,x;
                                META: sizes and the "uid#frame" of each slice)
rgb FILE RGB                    decode a Secondary Capture and compare its pixels with raw RGB bytes
"""
import json
import sys

import numpy as np
import pydicom


def read(paths):
    for path in paths:
        ds = pydicom.dcmread(path)
        for element in ds.iterall():
            _ = element.value
        print(ds.SOPClassUID, ds.Modality, ds.file_meta.TransferSyntaxUID)


def seg(seg_path, labels_path, meta_path):
    meta = json.load(open(meta_path))
    labels = np.fromfile(labels_path, dtype=np.uint8).reshape(meta["sizeZ"], meta["sizeY"], meta["sizeX"])
    slice_of = {uid: z for z, uid in enumerate(meta["slices"])}
    ds = pydicom.dcmread(seg_path)
    frames = ds.pixel_array
    if frames.ndim == 2:
        frames = frames[np.newaxis]
    if frames.shape[0] != int(ds.NumberOfFrames):
        sys.exit(f"{frames.shape[0]} frames decoded, NumberOfFrames {ds.NumberOfFrames}")
    seen = set()
    for index, group in enumerate(ds.PerFrameFunctionalGroupsSequence):
        segment = int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
        source = group.DerivationImageSequence[0].SourceImageSequence[0]
        z = slice_of[f"{source.ReferencedSOPInstanceUID}#{int(getattr(source, 'ReferencedFrameNumber', 1))}"]
        expected = (labels[z] == segment).astype(frames.dtype)
        if not expected.any():
            sys.exit(f"frame {index + 1} (segment {segment}, slice {z}) holds no voxel of its segment")
        if not np.array_equal(frames[index], expected):
            sys.exit(f"frame {index + 1} (segment {segment}, slice {z}) differs from the mask in {int((frames[index] != expected).sum())} pixels")
        seen.add((segment, z))
    segments = [int(item.SegmentNumber) for item in ds.SegmentSequence]
    wanted = {(s, z) for s in segments for z in range(labels.shape[0]) if (labels[z] == s).any()}
    if seen != wanted:
        sys.exit(f"frames for {sorted(seen)}, the mask has {sorted(wanted)}")
    print(f"frames={len(seen)} segments={segments} ok")


def rgb(path, rgb_path):
    ds = pydicom.dcmread(path)
    expected = np.fromfile(rgb_path, dtype=np.uint8).reshape(int(ds.Rows), int(ds.Columns), 3)
    if not np.array_equal(ds.pixel_array, expected):
        sys.exit("pixels differ")
    print(f"{ds.Columns}x{ds.Rows} ok")


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    {"read": lambda: read(arguments), "seg": lambda: seg(*arguments), "rgb": lambda: rgb(*arguments)}[command]()
