#!/usr/bin/python3
"""Reference (Python/scipy) of the C# analyzer `lung-quantification`, exactly as README.md specifies it.

The C# analyzer in services/inference is written from README.md; this file is what validate.py uses to measure
the package end to end on phantoms, and a second reading of the same specification.
"""

import numpy as np
from scipy import ndimage

AIRWAY_THRESHOLDS_HU = (-950.0, -975.0, -990.0)
AIRWAY_MAX_ML = 250.0
SEED_SEARCH_MM = 40.0
SEED_AREA_MM2 = (30.0, 1200.0)
SEED_MIDLINE_MM = 25.0
SECOND_LUNG_MIN_RATIO = 0.2
SPLIT_BAND_FRACTION = 0.15
LAA_HU = -950.0
PERCENTILE = 15.0

SIX = ndimage.generate_binary_structure(3, 1)
TWENTY_SIX = ndimage.generate_binary_structure(3, 3)
EIGHT_2D = ndimage.generate_binary_structure(2, 2)


def _find_seed(m, spacing, x_mid):
    sz, sy, sx = spacing
    zs = np.nonzero(m.any(axis=(1, 2)))[0]
    if zs.size == 0:
        return None
    top = zs.max()
    for z in range(top, max(-1, top - int(round(SEED_SEARCH_MM / sz)) - 1), -1):
        lab, n = ndimage.label(m[z], EIGHT_2D)
        best = None
        for i in range(1, n + 1):
            ys, xs = np.nonzero(lab == i)
            area = ys.size * sy * sx
            dist = abs(xs.mean() - x_mid) * sx
            if SEED_AREA_MM2[0] <= area <= SEED_AREA_MM2[1] and dist <= SEED_MIDLINE_MM:
                if best is None or dist < best[0]:
                    best = (dist, i)
        if best is not None:
            seed = np.zeros_like(m)
            seed[z] = lab == best[1]
            return seed
    return None


def find_airway(hu, m, spacing):
    """Returns (airway mask, note). Airway = trachea and bronchi reached from a seed in the top slices."""
    voxel_ml = float(np.prod(spacing)) / 1000.0
    x_mid = np.nonzero(m)[2].mean()
    seed = _find_seed(m, spacing, x_mid)
    if seed is None:
        return np.zeros_like(m), "airway seed not found"
    for t in AIRWAY_THRESHOLDS_HU:
        grown = m & (hu <= t)
        lab, _ = ndimage.label(grown, TWENTY_SIX)
        ids = np.unique(lab[seed & grown])
        ids = ids[ids > 0]
        airway = np.isin(lab, ids)
        if airway.sum() * voxel_ml <= AIRWAY_MAX_ML:
            return airway, f"airway grown at HU <= {t:g}"
    return np.zeros_like(m), "airway leaked into the lungs at every threshold: not removed"


def _split(component, width):
    """Cuts one component holding both lungs along the column with the fewest voxels, per axial slice."""
    xs_all = np.nonzero(component)[2]
    x_mid = xs_all.mean()
    half = SPLIT_BAND_FRACTION * width
    lo, hi = max(0, int(np.ceil(x_mid - half))), min(width - 1, int(np.floor(x_mid + half)))
    a = np.zeros_like(component)
    b = np.zeros_like(component)
    for z in np.nonzero(component.any(axis=(1, 2)))[0]:
        counts = component[z].sum(axis=0)
        cols = np.arange(lo, hi + 1)
        # fewest voxels, then nearest the component's mean x, then the smaller x
        order = sorted(cols, key=lambda c: (counts[c], abs(c - x_mid), c))
        cut = order[0]
        a[z, :, :cut] = component[z, :, :cut]
        b[z, :, cut + 1:] = component[z, :, cut + 1:]
    return a, b


def _fill_holes_per_slice(mask):
    out = np.zeros_like(mask)
    for z in range(mask.shape[0]):
        if mask[z].any():
            out[z] = ndimage.binary_fill_holes(mask[z])
    return out


def _percentile(values, p):
    """Linear interpolation between order statistics: rank p/100 * (n - 1) on the ascending values."""
    v = np.sort(values.astype(np.float64))
    r = p / 100.0 * (v.size - 1)
    i = int(np.floor(r))
    j = min(i + 1, v.size - 1)
    return float(v[i] + (r - i) * (v[j] - v[i]))


def measure(hu, mask, spacing):
    n = int(mask.sum())
    values = hu[mask].astype(np.float64)
    return {
        "volumeMl": n * float(np.prod(spacing)) / 1000.0,
        "laa950Percent": 100.0 * float((values < LAA_HU).sum()) / n,
        "perc15Hu": _percentile(values, PERCENTILE),
        "meanHu": float(values.mean()),
    }


def analyze(hu, lung_output, spacing, left_is_high_x=True):
    """hu, lung_output: [z, y, x] with z growing superior. Returns dict with masks and measures."""
    m = lung_output >= 0.5
    airway, note = find_airway(hu, m, spacing)
    if airway.any():
        airway = ndimage.binary_dilation(airway, TWENTY_SIX) & m
    lungs = m & ~airway
    lab, n = ndimage.label(lungs, SIX)
    sizes = ndimage.sum_labels(np.ones_like(lab), lab, index=np.arange(1, n + 1)) if n else np.array([])
    order = np.argsort(-sizes, kind="stable") + 1
    split = False
    if n >= 2 and sizes[order[1] - 1] >= SECOND_LUNG_MIN_RATIO * sizes[order[0] - 1]:
        a, b = lab == order[0], lab == order[1]
    elif n >= 1:
        a, b = _split(lab == order[0], m.shape[2])
        split = True
    else:
        raise ValueError("no lung found")
    if np.nonzero(a)[2].mean() > np.nonzero(b)[2].mean():
        a, b = b, a  # a: smaller x
    right, left = (a, b) if left_is_high_x else (b, a)
    right = _fill_holes_per_slice(right)
    left = _fill_holes_per_slice(left) & ~right
    result = {"right": measure(hu, right, spacing), "left": measure(hu, left, spacing),
              "total": measure(hu, right | left, spacing), "airwayNote": note, "split": split,
              "componentsDropped": n - 1 if split else n - 2}
    return result, right, left, airway
