#!/usr/bin/python3
"""Synthetic CT lung slices with nodules, for the nodule-candidate demo U-Net (training and evaluation).

Each sample is one axial slice at 0.75 mm pixels, in HU, then windowed as the manifest says
(hu-window -1000..400: clip, then scale to 0..1):
  - lung background: -850 HU + a smooth texture (Gaussian-filtered noise, ~30 HU) + white noise (25 HU);
  - with probability 0.3 a chest-wall / mediastinum region (40 HU) bounded by a smooth curve on one side;
  - vessels: 3-8 curved tubes (quadratic Bezier), 0.75-3 mm wide, -150..40 HU, in the lung only;
  - vessel cross-sections: 0-6 small dots, 1.2-2.2 mm wide (negatives that look like tiny nodules);
  - nodules: 0-3 per slice, 3-20 mm in diameter, -150..80 HU, lobulated outline, in the lung only, never
    overlapping each other; the label is the nodule outline (1 inside, 0 outside).
A small blur (sigma 0.6 px) stands for the scanner's point spread, applied before the noise.
Everything derives from numpy.random.default_rng(seed): the same seed gives the same samples.
"""

import numpy as np
from scipy import ndimage

PIXEL_MM = 0.75
HU_MIN, HU_MAX = -1000.0, 400.0
NODULE_MM = (3.0, 20.0)


def window(hu):
    return ((np.clip(hu, HU_MIN, HU_MAX) - HU_MIN) / (HU_MAX - HU_MIN)).astype(np.float32)


def _bezier_mask(h, w, rng, width_px):
    p0, p1, p2 = (rng.uniform([0, 0], [h, w]) for _ in range(3))
    t = np.linspace(0, 1, 4 * (h + w))[:, None]
    pts = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2
    canvas = np.zeros((h, w), bool)
    iy = np.clip(np.rint(pts[:, 0]).astype(int), 0, h - 1)
    ix = np.clip(np.rint(pts[:, 1]).astype(int), 0, w - 1)
    canvas[iy, ix] = True
    return ndimage.distance_transform_edt(~canvas) <= width_px / 2.0


def make_slice(rng, h=96, w=96):
    """Returns (image float32 [h, w] windowed 0..1, label float32 [h, w], nodules list of (cy, cx, diameter_mm))."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    texture = ndimage.gaussian_filter(rng.normal(size=(h, w)), 3.0)
    texture *= 30.0 / (texture.std() + 1e-9)
    hu = -850.0 + texture
    lung = np.ones((h, w), bool)

    if rng.random() < 0.3:
        side = rng.integers(4)
        depth = rng.uniform(0.1, 0.35) * (h if side in (0, 1) else w)
        wiggle = ndimage.gaussian_filter1d(rng.normal(size=max(h, w)), 8.0) * 40.0
        if side == 0:
            wall = yy < depth + wiggle[:w][None, :]
        elif side == 1:
            wall = (h - 1 - yy) < depth + wiggle[:w][None, :]
        elif side == 2:
            wall = xx < depth + wiggle[:h][:, None]
        else:
            wall = (w - 1 - xx) < depth + wiggle[:h][:, None]
        hu[wall] = 40.0
        lung &= ~wall

    for _ in range(rng.integers(3, 9)):
        tube = _bezier_mask(h, w, rng, rng.uniform(0.75, 3.0) / PIXEL_MM) & lung
        hu[tube] = rng.uniform(-150.0, 40.0)

    for _ in range(rng.integers(0, 7)):
        r = rng.uniform(1.2, 2.2) / PIXEL_MM / 2.0
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        dot = ((yy - cy) ** 2 + (xx - cx) ** 2 <= r * r) & lung
        hu[dot] = rng.uniform(-150.0, 40.0)

    label = np.zeros((h, w), bool)
    nodules = []
    for _ in range(rng.integers(0, 4)):
        for _attempt in range(20):
            d_mm = rng.uniform(*NODULE_MM)
            r = d_mm / PIXEL_MM / 2.0
            cy, cx = rng.uniform(r * 0.5, h - r * 0.5), rng.uniform(r * 0.5, w - r * 0.5)
            angle = np.arctan2(yy - cy, xx - cx)
            lobes = 1.0 + 0.12 * rng.random() * np.sin(rng.integers(3, 7) * angle + rng.uniform(0, 6.3))
            shape = np.hypot(yy - cy, xx - cx) <= r * lobes
            # Inside the lung (a juxtapleural nodule may touch the wall), away from other nodules.
            if (shape & ~lung).sum() > 0.25 * shape.sum() or (ndimage.binary_dilation(label, iterations=2) & shape).any():
                continue
            shape &= lung
            hu[shape] = rng.uniform(-150.0, 80.0)
            label |= shape
            nodules.append((cy, cx, d_mm))
            break

    hu = ndimage.gaussian_filter(hu, 0.6) + rng.normal(0.0, 25.0, (h, w))
    return window(hu), label.astype(np.float32), nodules


def make_batch(rng, n, h=96, w=96):
    images, labels, nodules = [], [], []
    for _ in range(n):
        image, label, nods = make_slice(rng, h, w)
        images.append(image)
        labels.append(label)
        nodules.append(nods)
    return np.stack(images)[:, None], np.stack(labels)[:, None], nodules


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x, y, n = make_batch(rng, 8)
    print(x.shape, x.min(), x.max(), y.mean(), [len(k) for k in n])
