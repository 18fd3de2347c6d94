import { describe, expect, it } from 'vitest';
import { autoWindow, contourEdges, dragWindow, float32Values, labelArea, renderSlice, sliceRange, windowValue } from './overlay';

describe('window/level', () => {
  it('maps the window linearly (PS3.3 C.11.2.1.2.1) and clamps outside it', () => {
    const lung = { center: -600, width: 1500 };
    expect(windowValue(-2000, lung)).toBe(0);
    expect(windowValue(1000, lung)).toBe(255);
    expect(windowValue(-600, lung)).toBe(128);
    expect(windowValue(-1350, lung)).toBe(0);
    expect(windowValue(150, lung)).toBe(255);
  });

  it('renders opaque gray RGBA with the same values as the per-pixel function', () => {
    const values = new Float32Array([-1000, -600, 0, 40, 3000, -3024]);
    const window = { center: 40, width: 400 };
    const rgba = renderSlice(values, window);
    expect(rgba.length).toBe(24);
    values.forEach((v, i) => {
      const g = windowValue(v, window);
      expect([rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2], rgba[i * 4 + 3]]).toEqual([g, g, g, 255]);
    });
  });

  it('renders non-integral values (MR, PET) without the lookup table', () => {
    // center 1, width 2: c - 0.5 = 0.5, w - 1 = 1 → 0.25 maps to (0.25 - 0.5 + 0.5) × 255.
    const rgba = renderSlice(new Float32Array([-1, 0.25, 2]), { center: 1, width: 2 });
    expect([rgba[0], rgba[4], rgba[8]]).toEqual([0, 64, 255]);
  });

  it('derives a window from the range when none is given, and never a zero width', () => {
    expect(autoWindow([0, 100, 50])).toEqual({ center: 50, width: 100 });
    expect(autoWindow([7, 7])).toEqual({ center: 7, width: 1 });
  });

  it('widens to the right and raises the centre upwards', () => {
    expect(dragWindow({ center: 40, width: 400 }, 10, -5)).toEqual({ center: 60, width: 440 });
    expect(dragWindow({ center: 40, width: 10 }, -100, 0).width).toBe(1);
  });
});

describe('contour of a segment', () => {
  // 5×4 slice; segment 2 is a 2×2 square at (1,1)-(2,2); segment 3 one pixel at (4,0).
  const labels = [
    0, 0, 0, 0, 3,
    0, 2, 2, 0, 0,
    0, 2, 2, 0, 0,
    0, 0, 0, 0, 0,
  ];

  it('outlines a square with four merged edges along the pixel borders', () => {
    const edges = contourEdges(labels, 5, 4, 2);
    expect(edges).toHaveLength(4);
    expect(edges).toContainEqual({ x1: 1, y1: 1, x2: 3, y2: 1 });
    expect(edges).toContainEqual({ x1: 1, y1: 3, x2: 3, y2: 3 });
    expect(edges).toContainEqual({ x1: 1, y1: 1, x2: 1, y2: 3 });
    expect(edges).toContainEqual({ x1: 3, y1: 1, x2: 3, y2: 3 });
  });

  it('closes a region that touches the border of the slice', () => {
    const edges = contourEdges(labels, 5, 4, 3);
    expect(edges).toHaveLength(4);
    expect(edges).toContainEqual({ x1: 4, y1: 0, x2: 5, y2: 0 });
    expect(edges).toContainEqual({ x1: 5, y1: 0, x2: 5, y2: 1 });
  });

  it('draws nothing for a segment absent from the slice, and every segment for label 0', () => {
    expect(contourEdges(labels, 5, 4, 9)).toEqual([]);
    expect(contourEdges(labels, 5, 4, 0)).toHaveLength(8);
  });

  it('the perimeter of the outline equals the exposed pixel sides', () => {
    // An L shape: 3 pixels, perimeter 8.
    const l = [1, 0, 1, 1];
    const length = contourEdges(l, 2, 2, 1).reduce((sum, e) => sum + Math.abs(e.x2 - e.x1) + Math.abs(e.y2 - e.y1), 0);
    expect(length).toBe(8);
    expect(labelArea(l, 1)).toBe(3);
  });

  it('refuses labels that do not fill the slice', () => {
    expect(() => contourEdges([0, 1, 0], 2, 2)).toThrow(RangeError);
  });
});

describe('slices of a finding', () => {
  it('spans the bounding box, clamped to the volume', () => {
    expect(sliceRange({ boundingBoxMin: { z: 10 }, boundingBoxMax: { z: 14 } }, 48)).toEqual([10, 14]);
    expect(sliceRange({ boundingBoxMin: { z: -2 }, boundingBoxMax: { z: 60 } }, 48)).toEqual([0, 47]);
    expect(sliceRange(null, 20)).toEqual([0, 19]);
  });

  it('decodes little-endian float32 pixel payloads', () => {
    const buffer = new ArrayBuffer(8);
    const view = new DataView(buffer);
    view.setFloat32(0, -1000, true);
    view.setFloat32(4, 42.5, true);
    expect(Array.from(float32Values(buffer))).toEqual([-1000, 42.5]);
  });
});
