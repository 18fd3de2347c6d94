#!/usr/bin/python3
"""Synthetic chest CT phantom with known lungs, for validating model.onnx and the lung-quantification analyzer.

Index order [z, y, x] as RadAI hands volumes to models; z grows towards the head (superior), y towards the back
(posterior), x towards the patient's left (LPS), so the patient's left lung has the larger x.

Contents (mm, relative to the volume centre): air (-1000 HU) around an elliptic body (40 HU, semi-axes 160 x 110)
with a spine (400 HU); a CT table (150 HU) 15 mm behind the body; two lung ellipsoids (-850 HU with a gravity
gradient of +30 HU towards the back) with vessels (20 per lung by default: 40 HU tubes, radius 1.5-2.5 mm, from
the hilum outwards) and emphysema-like pockets (-980 HU spheres, radius 4-10 mm by default, kept 15 mm from the
bronchi); a trachea (-1000 HU, radius 9 mm) from the top of the volume to the carina and two main bronchi (radius
6 mm) into the lungs.
Then a Gaussian blur (sigma 0.6 voxel in-plane, 0.4 across slices), Gaussian noise (sigma 15 HU), rounding to
integers and, optionally, -2048 outside the reconstruction circle.

Labels: 0 background, 1 right lung, 2 left lung (whole ellipsoids, vessels and pockets included),
3 airway outside the lungs (trachea and extrapulmonary bronchi).
"""

import numpy as np
from scipy import ndimage

RIGHT, LEFT, AIRWAY = 1, 2, 3


def _segment_distance(px, py, pz, a, b):
    """Distance from points to the segment a-b (mm)."""
    ab = np.asarray(b, float) - np.asarray(a, float)
    t = ((px - a[0]) * ab[0] + (py - a[1]) * ab[1] + (pz - a[2]) * ab[2]) / float(ab @ ab)
    t = np.clip(t, 0.0, 1.0)
    dx, dy, dz = px - (a[0] + t * ab[0]), py - (a[1] + t * ab[1]), pz - (a[2] + t * ab[2])
    return np.sqrt(dx * dx + dy * dy + dz * dz)


def make_chest(shape=(80, 128, 128), spacing=(3.0, 2.7, 2.7), seed=0, noise_hu=15.0, fov_padding=True,
               pockets_per_lung=(6, 12), vessels_per_lung=20, lung_gap_mm=None,
               pocket_radius_mm=(4.0, 10.0)):
    """Returns (hu float32 [z, y, x] integer-valued, labels uint8 [z, y, x]).

    lung_gap_mm: distance between the lungs' medial surfaces; None for the default anatomy (about 36 mm),
    negative for lungs that touch and overlap (an 'anterior junction' that the analyzer must split).
    """
    rng = np.random.default_rng(seed)
    d, h, w = shape
    sz, sy, sx = spacing
    z = (np.arange(d) - (d - 1) / 2.0) * sz
    y = (np.arange(h) - (h - 1) / 2.0) * sy
    x = (np.arange(w) - (w - 1) / 2.0) * sx
    zz, yy, xx = np.meshgrid(z, y, x, indexing="ij")
    top = z[-1]

    # Small random variation of the anatomy per seed.
    jitter = lambda s: rng.uniform(-s, s)  # noqa: E731
    body_ax, body_ay = 160.0 + jitter(10), 110.0 + jitter(8)
    lung_c = {RIGHT: np.array([-70.0 + jitter(4), jitter(4), -10.0 + jitter(5)]),
              LEFT: np.array([70.0 + jitter(4), jitter(4), -10.0 + jitter(5)])}
    lung_ax = {k: np.array([52.0 + jitter(4), 78.0 + jitter(5), 100.0 + jitter(8)]) for k in (RIGHT, LEFT)}
    if lung_gap_mm is not None:
        for side, sign in ((RIGHT, -1.0), (LEFT, 1.0)):
            lung_c[side][0] = sign * (lung_ax[side][0] + lung_gap_mm / 2.0)
    carina = np.array([0.0, -30.0, 60.0 + jitter(5)])
    hilum = {RIGHT: np.array([-45.0, -10.0, 30.0]), LEFT: np.array([45.0, -10.0, 30.0])}

    hu = np.full(shape, -1000.0)
    body = (xx / body_ax) ** 2 + (yy / body_ay) ** 2 <= 1.0
    hu[body] = 40.0
    hu[(xx ** 2 + (yy - 80.0) ** 2) <= 18.0 ** 2] = 400.0
    hu[(yy >= body_ay + 15.0) & (yy <= body_ay + 25.0) & (np.abs(xx) <= 180.0)] = 150.0

    labels = np.zeros(shape, np.uint8)
    lungs = {}
    for side in (RIGHT, LEFT):
        c, a = lung_c[side], lung_ax[side]
        lung = ((xx - c[0]) / a[0]) ** 2 + ((yy - c[1]) / a[1]) ** 2 + ((zz - c[2]) / a[2]) ** 2 <= 1.0
        if lung_gap_mm is not None and lung_gap_mm < 0:
            lung &= (xx < 0) if side == RIGHT else (xx >= 0)
        lungs[side] = lung
        labels[lung] = side
        hu[lung] = -850.0 + 30.0 * (yy[lung] / a[1])

    # Airways: trachea from above the volume to the carina, main bronchi to the hilum.
    trachea = _segment_distance(xx, yy, zz, [0.0, -30.0, top + 10.0], carina) <= 9.0
    bronchi = np.zeros(shape, bool)
    for side in (RIGHT, LEFT):
        bronchi |= _segment_distance(xx, yy, zz, carina, hilum[side]) <= 6.0
    airway = trachea | bronchi

    # Vessels from the hilum outwards, inside the lungs only.
    for side in (RIGHT, LEFT):
        c, a = lung_c[side], lung_ax[side]
        for _ in range(vessels_per_lung):
            direction = rng.normal(size=3)
            direction[0] = abs(direction[0]) * np.sign(c[0])
            direction /= np.linalg.norm(direction)
            end = hilum[side] + direction * rng.uniform(60, 110)
            vessel = (_segment_distance(xx, yy, zz, hilum[side], end) <= rng.uniform(1.5, 2.5)) & lungs[side]
            hu[vessel] = 40.0

    # Emphysema-like pockets, away from the bronchi and inside the lungs.
    for side in (RIGHT, LEFT):
        c, a = lung_c[side], lung_ax[side]
        wanted = rng.integers(pockets_per_lung[0], pockets_per_lung[1] + 1)
        placed = 0
        for _ in range(500):
            if placed == wanted:
                break
            r = rng.uniform(*pocket_radius_mm)
            p = c + rng.uniform(-1, 1, 3) * a
            if ((p - c) / (a - r - 5.0)) @ ((p - c) / (a - r - 5.0)) > 1.0:
                continue
            if min(_segment_distance(*p, carina, hilum[side]), _segment_distance(*p, hilum[side], hilum[side] + 1e-3)) < r + 15.0:
                continue
            pocket = ((xx - p[0]) ** 2 + (yy - p[1]) ** 2 + (zz - p[2]) ** 2 <= r * r) & lungs[side]
            hu[pocket] = -980.0
            placed += 1

    hu[airway] = -1000.0
    labels[airway & (labels == 0)] = AIRWAY

    hu = ndimage.gaussian_filter(hu, sigma=(0.4, 0.6, 0.6), mode="nearest")
    hu += rng.normal(0.0, noise_hu, shape)
    hu = np.rint(hu)
    if fov_padding:
        outside = (xx[0] ** 2 + yy[0] ** 2) > (min(h * sy, w * sx) / 2.0) ** 2
        hu[:, outside] = -2048.0
    return hu.astype(np.float32), labels


if __name__ == "__main__":
    import sys
    hu, labels = make_chest(seed=int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    for v, name in ((RIGHT, "right lung"), (LEFT, "left lung"), (AIRWAY, "airway")):
        print(f"{name}: {(labels == v).sum()} voxels")
    print(f"HU range {hu.min()} .. {hu.max()}")
