#!/usr/bin/python3
"""Reference (Python) of the C# analyzer `exposure-qc`, exactly as README.md specifies it.

header: a dict of DICOM attributes by keyword (values already parsed: numbers, lists of numbers, strings).
stats: the graph's outputs (minValue, maxValue, fractionAtMax, ...), as floats.
"""

import math

# AAPM Report 116 (2009), Table 2, with the gaps between its rows named: the first row whose test holds.
DI_BANDS = [
    (lambda di: di > 3.0, "excessive exposure (DI > +3)"),
    (lambda di: di > 1.0, "overexposure (+1 < DI <= +3)"),
    (lambda di: di > 0.5, "slightly above target (+0.5 < DI <= +1)"),
    (lambda di: di >= -0.5, "target range (-0.5 <= DI <= +0.5)"),
    (lambda di: di >= -1.0, "slightly below target (-1 <= DI < -0.5)"),
    (lambda di: di >= -3.0, "underexposure (-3 <= DI < -1)"),
    (lambda di: True, "excessive underexposure (DI < -3)"),
]
SATURATION_FLAG = 0.01
SPACING_TOLERANCE = 1e-4


def deviation_index(header):
    ei, target, di = (header.get(k) for k in ("ExposureIndex", "TargetExposureIndex", "DeviationIndex"))
    if di is not None:
        return float(di), "header (0018,1413)"
    if ei is not None and target is not None and ei > 0 and target > 0:
        return 10.0 * math.log10(ei / target), "computed 10·log10(EI / EI_T)"
    return None, "not available (needs (0018,1411) and (0018,1412) > 0)"


def di_band(di):
    if di is None:
        return None
    return next(text for test, text in DI_BANDS if test(di))


def full_scale(header):
    if header.get("BitsStored") is None:
        return None
    bits = int(header["BitsStored"])
    top = (1 << (bits - 1)) - 1 if int(header.get("PixelRepresentation", 0)) == 1 else (1 << bits) - 1
    return top * float(header.get("RescaleSlope", 1.0)) + float(header.get("RescaleIntercept", 0.0))


def saturation(header, stats):
    scale = full_scale(header)
    if scale is None:
        fraction = None
    else:
        saturated = stats["maxValue"] >= scale - 0.5 * abs(float(header.get("RescaleSlope", 1.0)))
        fraction = stats["fractionAtMax"] if saturated else 0.0
    return {"fullScale": scale, "saturationFraction": fraction, "fractionAtImageMax": stats["fractionAtMax"],
            "fractionAtZero": stats["fractionAtZero"], "fractionAtMin": stats["fractionAtMin"],
            "saturationFlag": fraction is not None and fraction > SATURATION_FLAG}


def pixel_spacing(header):
    ps, ips = header.get("PixelSpacing"), header.get("ImagerPixelSpacing")
    ermf = header.get("EstimatedRadiographicMagnificationFactor")
    sid, sod = header.get("DistanceSourceToDetector"), header.get("DistanceSourceToPatient")
    calibration = header.get("PixelSpacingCalibrationType")
    if ps is not None and calibration:
        return list(ps), f"calibrated at the patient ({calibration})"
    if ps is not None and (ips is None or any(abs(a - b) > SPACING_TOLERANCE for a, b in zip(ps, ips))):
        return list(ps), "Pixel Spacing (corrected by the modality)"
    if ips is not None and ermf is not None and ermf > 0:
        return [v / ermf for v in ips], "Imager Pixel Spacing / Estimated Radiographic Magnification Factor"
    if ips is not None and sid is not None and sod is not None and sid > 0 and sod > 0:
        return [v * sod / sid for v in ips], "Imager Pixel Spacing × SOD / SID"
    if ips is not None:
        return list(ips), "detector plane (Imager Pixel Spacing): not corrected for magnification"
    return None, "unknown"


def analyze(header, stats):
    di, di_source = deviation_index(header)
    spacing, spacing_source = pixel_spacing(header)
    out = {"exposureIndex": header.get("ExposureIndex"), "targetExposureIndex": header.get("TargetExposureIndex"),
           "deviationIndex": di, "deviationIndexSource": di_source, "deviationIndexBand": di_band(di),
           "pixelSpacingMm": spacing, "pixelSpacingSource": spacing_source}
    out.update(saturation(header, stats))
    return out
