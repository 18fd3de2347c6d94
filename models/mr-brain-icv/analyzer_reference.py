#!/usr/bin/python3
"""Reference (Python/scipy) of the C# analyzer `brain-icv`, exactly as README.md specifies it."""

import numpy as np
from scipy import ndimage

SIX = ndimage.generate_binary_structure(3, 1)
RECONSTRUCT_BOX = 5      # the graph's erosion box, undone on the kept component
INTERIOR_BOX = 7         # ICV eroded by 3 voxels: where the signal is measured
BACKGROUND_BOX = 11      # head dilated by 5 voxels: background is outside it
GHOST_MARGIN = 5
SMOOTH_BOX = 5
RAYLEIGH = 0.655


def _box(mask, size, dilate):
    """Dilation / erosion by a size^3 box looking at in-volume voxels only (ONNX MaxPool semantics)."""
    if dilate:
        return ndimage.maximum_filter(mask.astype(np.uint8), size=size, mode="constant", cval=0).astype(bool)
    return ndimage.minimum_filter(mask.astype(np.uint8), size=size, mode="constant", cval=1).astype(bool)


def _percentile(values, p):
    v = np.sort(values.astype(np.float64))
    r = p / 100.0 * (v.size - 1)
    i = int(np.floor(r))
    j = min(i + 1, v.size - 1)
    return float(v[i] + (r - i) * (v[j] - v[i]))


def fill_holes_3d(mask):
    """Background voxels not 6-connected (through background) to a face of the volume become foreground."""
    lab, n = ndimage.label(~mask, SIX)
    border = np.unique(np.concatenate([lab[0].ravel(), lab[-1].ravel(), lab[:, 0].ravel(), lab[:, -1].ravel(),
                                       lab[:, :, 0].ravel(), lab[:, :, -1].ravel()]))
    return ~np.isin(lab, border[border > 0])


def icv_mask(brain_output):
    b = brain_output >= 0.5
    lab, n = ndimage.label(b, SIX)
    if n == 0:
        return np.zeros_like(b)
    sizes = np.bincount(lab.ravel())[1:]
    keep = lab == (int(np.argmax(sizes)) + 1)   # ties: the lowest label, i.e. the first in raster order
    return fill_holes_3d(_box(keep, RECONSTRUCT_BOX, True))


def quality(image, head_output, icv):
    head = head_output >= 0.5
    interior = _box(icv, INTERIOR_BOX, False)
    if not interior.any():
        return {"signal": None, "snr": None, "ghostingPercent": None, "uniformityPercent": None}
    s = float(image[interior].astype(np.float64).mean())
    bg = ~_box(head, BACKGROUND_BOX, True)
    values = image[bg].astype(np.float64)
    out = {"signal": s}
    if values.size == 0 or (values == 0).mean() > 0.5 or values.std() == 0:
        out["snr"] = None
    else:
        out["snr"] = RAYLEIGH * s / values.std()
    zs = np.nonzero(head.any(axis=(1, 2)))[0]
    if zs.size == 0:
        out["ghostingPercent"] = None
        return _uniformity(image, interior, out)
    ys = np.nonzero(head.any(axis=(0, 2)))[0]
    xs = np.nonzero(head.any(axis=(0, 1)))[0]
    y0, y1, x0, x1 = ys.min(), ys.max(), xs.min(), xs.max()
    zsel = np.zeros(image.shape[0], bool)
    zsel[zs] = True
    Z, Y, X = np.meshgrid(zsel, np.arange(image.shape[1]), np.arange(image.shape[2]), indexing="ij")
    bands = {
        "top": bg & Z & (Y < y0 - GHOST_MARGIN) & (X >= x0) & (X <= x1),
        "bottom": bg & Z & (Y > y1 + GHOST_MARGIN) & (X >= x0) & (X <= x1),
        "left": bg & Z & (X < x0 - GHOST_MARGIN) & (Y >= y0) & (Y <= y1),
        "right": bg & Z & (X > x1 + GHOST_MARGIN) & (Y >= y0) & (Y <= y1),
    }
    if all(b.any() for b in bands.values()):
        m = {k: float(image[b].astype(np.float64).mean()) for k, b in bands.items()}
        out["ghostingPercent"] = 100.0 * abs((m["top"] + m["bottom"]) - (m["left"] + m["right"])) / (2.0 * s)
    else:
        out["ghostingPercent"] = None
    return _uniformity(image, interior, out)


def _uniformity(image, interior, out):
    smooth = ndimage.uniform_filter(image.astype(np.float64), SMOOTH_BOX, mode="constant", cval=0.0)
    count = ndimage.uniform_filter(np.ones(image.shape), SMOOTH_BOX, mode="constant", cval=0.0)
    v = (smooth / count)[interior]
    upper = v[v >= np.median(v)]
    p5, p95 = _percentile(upper, 5.0), _percentile(upper, 95.0)
    out["uniformityPercent"] = 100.0 * (1.0 - (p95 - p5) / (p95 + p5))
    return out


def analyze(image, head_output, brain_output, spacing=(1.0, 1.0, 1.0)):
    icv = icv_mask(brain_output)
    result = {"icvMl": icv.sum() * float(np.prod(spacing)) / 1000.0}
    result.update(quality(image, head_output, icv))
    return result, icv
