#!/usr/bin/python3
"""Synthetic 'for presentation' mammogram phantom (0.5 mm pixels) with known breast, pectoral and dense areas.

Chest wall at the left edge (x = 0) unless flip=True; the top row is superior. Background 0.03 (noise 0.01); a
bright marker (1.0, 10 x 20 mm) in the background; breast fat 0.30, falling linearly to 0.15 within 12 mm of the
skin line; dense tissue 0.62 as 3-8 random ellipses at least 15 mm inside the skin and 10 mm beyond the pectoral
edge; on MLO views a pectoral muscle 0.72 as the triangle x < xp * (1 - y / yp) in the upper chest-wall corner.
Then a smooth texture (0.02), a blur (sigma 1 pixel) and white noise (0.015). Values clipped to 0..1.
Truth: breast (pectoral included), pectoral, dense (union of the ellipses) and the percent density
100 * dense / (breast - pectoral).
"""

import numpy as np
from scipy import ndimage

PIXEL_MM = 0.5


def make_mammogram(seed=0, view="MLO", flip=False, shape=(480, 360), blobs=(3, 8), blob_scale=1.0, marker=True):
    rng = np.random.default_rng(seed)
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    if view == "MLO":
        cy, ay, ax = 0.40 * h, 0.58 * h, 0.78 * w
    else:
        cy, ay, ax = 0.50 * h, 0.42 * h, 0.75 * w
    ax *= 1.0 + rng.uniform(-0.05, 0.05)
    ay *= 1.0 + rng.uniform(-0.05, 0.05)
    breast = (xx / ax) ** 2 + ((yy - cy) / ay) ** 2 <= 1.0
    skin = ndimage.distance_transform_edt(breast) * PIXEL_MM
    image = np.full(shape, 0.03)
    image[breast] = 0.15 + 0.15 * np.clip(skin[breast] / 12.0, 0.0, 1.0)

    pectoral = np.zeros(shape, bool)
    edge = np.full(h, -1e9)
    if view == "MLO":
        xp, yp = (0.33 + rng.uniform(-0.04, 0.04)) * w, (0.50 + rng.uniform(-0.05, 0.05)) * h
        edge = xp * (1.0 - yy[:, 0] / yp)
        pectoral = breast & (xx < edge[:, None])
        image[pectoral] = 0.72

    eligible = breast & (skin >= 15.0) & (xx >= edge[:, None] + 10.0 / PIXEL_MM)
    dense = np.zeros(shape, bool)
    ys, xs = np.nonzero(eligible)
    for _ in range(rng.integers(blobs[0], blobs[1] + 1)):
        i = rng.integers(ys.size)
        a, b = rng.uniform(8, 30, 2) * blob_scale / PIXEL_MM
        t = rng.uniform(0, np.pi)
        u = (xx - xs[i]) * np.cos(t) + (yy - ys[i]) * np.sin(t)
        v = -(xx - xs[i]) * np.sin(t) + (yy - ys[i]) * np.cos(t)
        dense |= ((u / a) ** 2 + (v / b) ** 2 <= 1.0) & eligible
    image[dense] = 0.62

    texture = ndimage.gaussian_filter(rng.normal(size=shape), 4.0)
    image[breast] += 0.02 * (texture / texture.std())[breast]
    if marker:
        image[int(0.85 * h):int(0.85 * h) + 20, w - 50:w - 10] = 1.0
    image = ndimage.gaussian_filter(image, 1.0) + rng.normal(0.0, 0.015, shape)
    image[~breast] = np.where(image[~breast] < 0.5, 0.03 + rng.normal(0.0, 0.01, (~breast).sum()), image[~breast])
    image = np.clip(image, 0.0, 1.0)
    truth = {"breast": breast, "pectoral": pectoral, "dense": dense,
             "percentDensity": 100.0 * dense.sum() / (breast & ~pectoral).sum()}
    if flip:
        image = image[:, ::-1]
        truth = {k: (v[:, ::-1] if isinstance(v, np.ndarray) else v) for k, v in truth.items()}
    return image.astype(np.float32), truth


if __name__ == "__main__":
    img, t = make_mammogram()
    print(img.shape, t["percentDensity"], t["pectoral"].sum(), t["breast"].sum())
