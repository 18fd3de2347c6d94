#!/usr/bin/python3
"""Reference (Python/scipy) of the C# analyzer `mammo-density`, exactly as README.md specifies it."""

import math

import numpy as np
from scipy import ndimage

EIGHT = ndimage.generate_binary_structure(2, 2)
SIDE_BAND = 0.05
SEARCH_ROWS = 0.5
SEARCH_COLUMNS = 0.6
EDGE_HALF = 3
EDGE_MIN_DROP = 0.05
MIN_POINTS = 10
INLIER_PX = 3.0
MAX_PECTORAL_FRACTION = 0.4
BINS = 256


def breast_region(breast_output):
    b = breast_output >= 0.5
    lab, n = ndimage.label(b, EIGHT)
    if n == 0:
        return b
    sizes = np.bincount(lab.ravel())[1:]
    return ndimage.binary_fill_holes(lab == int(np.argmax(sizes)) + 1)


def chest_wall_on_right(b):
    w = b.shape[1]
    band = int(math.ceil(SIDE_BAND * w))
    return b[:, w - band:].sum() > b[:, :band].sum()


def theil_sen(ys, xs):
    slopes = []
    for i in range(len(ys)):
        for j in range(i + 1, len(ys)):
            if ys[j] != ys[i]:
                slopes.append((xs[j] - xs[i]) / (ys[j] - ys[i]))
    b = float(np.median(slopes))
    a = float(np.median(xs - b * ys))
    return a, b


def pectoral(b, s):
    """b, s with the chest wall on the left. Returns (mask, line (a, b) or None, note)."""
    h, w = b.shape
    rows = np.nonzero(b.any(axis=1))[0]
    y_top, y_bot = rows.min(), rows.max()
    height = y_bot - y_top + 1
    ys, xs = [], []
    for y in range(y_top, y_top + int(math.floor(SEARCH_ROWS * height))):
        cols = np.nonzero(b[y])[0]
        if cols.size == 0:
            continue
        hi = min(cols.max() - EDGE_HALF, int(math.floor(SEARCH_COLUMNS * w)))
        if hi < EDGE_HALF:
            continue
        x = np.arange(EDGE_HALF, hi + 1)
        drop = s[y, x - EDGE_HALF] - s[y, x + EDGE_HALF]
        k = int(np.argmax(drop))
        if drop[k] >= EDGE_MIN_DROP:
            ys.append(y)
            xs.append(x[k])
    ys, xs = np.array(ys, float), np.array(xs, float)
    none = np.zeros_like(b)
    if ys.size < MIN_POINTS:
        return none, None, f"pectoral edge not found ({ys.size} edge points)"
    a, slope = theil_sen(ys, xs)
    inliers = np.abs(xs - (a + slope * ys)) <= INLIER_PX
    if inliers.sum() < MIN_POINTS or inliers.sum() < 0.5 * ys.size:
        return none, None, f"pectoral edge not straight ({inliers.sum()} of {ys.size} points on the line)"
    slope, a = np.polyfit(ys[inliers], xs[inliers], 1)
    if not (slope < 0 and a + slope * y_top > EDGE_HALF):
        return none, None, "pectoral line rejected (slope or position)"
    yy, xx = np.mgrid[0:h, 0:w]
    mask = b & (xx < a + slope * yy)
    if mask.sum() > MAX_PECTORAL_FRACTION * b.sum():
        return none, None, "pectoral region too large: rejected"
    return mask, (float(a), float(slope)), "pectoral removed"


def otsu_dense(values):
    lo, hi = float(values.min()), float(values.max())
    if hi <= lo:
        return np.zeros(values.shape, bool), lo
    bins = np.minimum(BINS - 1, np.floor((values - lo) / (hi - lo) * BINS).astype(int))
    hist = np.bincount(bins, minlength=BINS).astype(np.float64)
    idx = np.arange(BINS)
    best, best_k = -1.0, 0
    total = hist.sum()
    for k in range(BINS - 1):
        n0, n1 = hist[:k + 1].sum(), hist[k + 1:].sum()
        if n0 == 0 or n1 == 0:
            continue
        m0 = (idx[:k + 1] * hist[:k + 1]).sum() / n0
        m1 = (idx[k + 1:] * hist[k + 1:]).sum() / n1
        var = (n0 / total) * (n1 / total) * (m0 - m1) ** 2
        if var > best:
            best, best_k = var, k
    return bins > best_k, lo + (best_k + 1) * (hi - lo) / BINS


def analyze(smoothed, breast_output, view, spacing=(0.5, 0.5)):
    b = breast_region(breast_output)
    s = smoothed
    right = chest_wall_on_right(b)
    if right:
        b, s = b[:, ::-1], s[:, ::-1]
    pect, line, note = (pectoral(b, s) if view == "MLO" else (np.zeros_like(b), None, "not an MLO view"))
    region = b & ~pect
    dense_values, threshold = otsu_dense(s[region])
    dense = np.zeros_like(b)
    dense[region] = dense_values
    if right:
        b, pect, region, dense = (m[:, ::-1] for m in (b, pect, region, dense))
    px_cm2 = spacing[0] * spacing[1] / 100.0
    return {"breastAreaCm2": region.sum() * px_cm2, "denseAreaCm2": dense.sum() * px_cm2,
            "percentDensity": 100.0 * dense.sum() / region.sum(), "pectoralNote": note, "line": line,
            "otsuThreshold": threshold, "chestWallRight": bool(right)}, b, pect, dense
