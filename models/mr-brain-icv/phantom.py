#!/usr/bin/python3
"""Synthetic T1-weighted head MR phantom (1 mm isotropic) with known intracranial volume, noise, bias and ghost.

Index order [z, y, x]; z grows towards the head (superior), y towards the back, x towards the patient's left.
Nested ellipsoids around (z, y, x) = centre: scalp 0.95 (5 mm), skull 0.05 (6 mm), CSF 0.30 (3 mm), grey matter
0.60 (3 mm), white matter 0.85, two CSF ventricles; a neck (0.60) under the head down to the bottom slice.
Intracranial volume (truth) = voxels whose centre lies inside the inner skull surface.
Then a multiplicative bias 1 + bias * (y - cy) / 81 (linear, front to back), a Gaussian blur (sigma 0.5 voxel),
a ghost (ghost * the image shifted by half the field of view along y, the phase-encoding direction), and complex
Gaussian noise of standard deviation sigma on each channel, taking the magnitude (Rician).
"""

import numpy as np
from scipy import ndimage

SCALP, SKULL, CSF, GM, WM, NECK = 0.95, 0.05, 0.30, 0.60, 0.85, 0.60


def make_head(shape=(150, 230, 200), seed=0, sigma=0.02, bias=0.10, ghost=0.0, scale=1.0, neck_scale=1.0):
    """Returns (image float32, truth dict with icv_ml, icv mask, noiseless image). neck_scale shrinks the neck's
    cross-section (50 x 45 mm at 1.0) for small test heads."""
    rng = np.random.default_rng(seed)
    d, h, w = shape
    c = np.array([d * 0.57, (h - 1) / 2.0, (w - 1) / 2.0]) + rng.uniform(-3, 3, 3)
    inner = np.array([61.0, 81.0, 65.0]) * scale * (1.0 + rng.uniform(-0.05, 0.05, 3))
    zz, yy, xx = np.meshgrid(*(np.arange(n, dtype=np.float64) for n in shape), indexing="ij")

    def ellipsoid(axes, centre=c):
        return ((zz - centre[0]) / axes[0]) ** 2 + ((yy - centre[1]) / axes[1]) ** 2 + ((xx - centre[2]) / axes[2]) ** 2 <= 1.0

    image = np.zeros(shape)
    neck = (((yy - c[1]) / (50.0 * neck_scale)) ** 2 + ((xx - c[2]) / (45.0 * neck_scale)) ** 2 <= 1.0) & (zz <= c[0] - 30.0)
    image[neck] = NECK
    image[ellipsoid(inner + 11.0)] = SCALP
    image[ellipsoid(inner + 6.0)] = SKULL
    icv = ellipsoid(inner)
    image[icv] = CSF
    image[ellipsoid(inner - 3.0)] = GM
    image[ellipsoid(inner - 6.0)] = WM
    for side in (-1.0, 1.0):
        image[ellipsoid(np.array([8.0, 20.0, 5.0]), c + np.array([5.0, -5.0, 12.0 * side]))] = CSF

    image *= 1.0 + bias * (yy - c[1]) / 81.0
    image = ndimage.gaussian_filter(image, 0.5)
    if ghost:
        image = image + ghost * np.roll(image, h // 2, axis=1)
    noiseless = image.copy()
    image = np.hypot(image + rng.normal(0.0, sigma, shape), rng.normal(0.0, sigma, shape))
    return image.astype(np.float32), {"icv": icv, "icv_ml": icv.sum() / 1000.0, "noiseless": noiseless, "sigma": sigma}


if __name__ == "__main__":
    img, truth = make_head()
    print(img.shape, img.max(), truth["icv_ml"])
