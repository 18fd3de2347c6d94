import { describe, expect, it } from 'vitest';
import { contourEdges, findingGeometry, geometryEdges, geometrySlices } from './overlay';

const run = (hasMask: boolean, sizeZ = 40) => ({ hasMask, geometry: { sizeZ } });
const region = (min: [number, number, number], max: [number, number, number], keySlice: number) => ({
  boundingBoxMin: { x: min[0], y: min[1], z: min[2] },
  boundingBoxMax: { x: max[0], y: max[1], z: max[2] },
  keySlice,
});

describe('what the viewer draws for a finding', () => {
  it('outlines the segment of a finding with a mask, on its key slice', () => {
    const g = findingGeometry({ segmentNumber: 2, region: region([10, 10, 5], [20, 20, 9], 7) }, run(true));
    expect(g).toEqual({ kind: 'mask', segment: 2, slice: 7 });
    expect(geometrySlices(g, region([10, 10, 5], [20, 20, 9], 7), 40)).toEqual([5, 9]);
    // Drawn by contourEdges from the label map, not by geometryEdges.
    expect(geometryEdges(g, 7)).toEqual([]);
  });

  it('draws the bounding box of a finding with a region but no mask (a box detection or a measurement)', () => {
    const r = region([10, 12, 5], [19, 15, 6], 5);
    // The run has no label map, or the finding no segment: its box either way.
    for (const g of [findingGeometry({ segmentNumber: null, region: r }, run(true)), findingGeometry({ segmentNumber: 1, region: r }, run(false))]) {
      expect(g).toEqual({ kind: 'box', x0: 10, y0: 12, x1: 19, y1: 15, z0: 5, z1: 6, slice: 5 });
      expect(geometrySlices(g, r, 40)).toEqual([5, 6]);
      // The outline around the box's pixels: the same edges as the contour of a label filling the box.
      const labels = new Uint8Array(32 * 32);
      for (let y = 12; y <= 15; y++) for (let x = 10; x <= 19; x++) labels[y * 32 + x] = 1;
      const length = (edges: { x1: number; y1: number; x2: number; y2: number }[]) => edges.reduce((n, e) => n + Math.abs(e.x2 - e.x1) + Math.abs(e.y2 - e.y1), 0);
      const edges = geometryEdges(g, 6);
      expect(edges).toHaveLength(4);
      expect(length(edges)).toBe(length(contourEdges(labels, 32, 32, 1)));
      expect(Math.min(...edges.flatMap((e) => [e.x1, e.x2]))).toBe(10);
      expect(Math.max(...edges.flatMap((e) => [e.x1, e.x2]))).toBe(20);
      // Nothing off its slices.
      expect(geometryEdges(g, 4)).toEqual([]);
      expect(geometryEdges(g, 7)).toEqual([]);
    }
  });

  it('marks a point detection with a cross on its slice only', () => {
    const g = findingGeometry({ region: region([30, 40, 12], [30, 40, 12], 12) }, run(false));
    expect(g).toEqual({ kind: 'point', x: 30, y: 40, z: 12, slice: 12 });
    const cross = geometryEdges(g, 12, 5);
    expect(cross).toEqual([
      { x1: 25.5, y1: 40.5, x2: 35.5, y2: 40.5 },
      { x1: 30.5, y1: 35.5, x2: 30.5, y2: 45.5 },
    ]);
    expect(geometryEdges(g, 11)).toEqual([]);
    expect(geometrySlices(g, null, 40)).toEqual([12, 12]);
  });

  it('shows the reference slice (middle of the series) with nothing drawn for a finding without geometry', () => {
    const g = findingGeometry({ segmentNumber: null, region: null }, run(true, 41));
    expect(g).toEqual({ kind: 'none', slice: 20 });
    expect(geometryEdges(g, 20)).toEqual([]);
    expect(geometrySlices(g, null, 41)).toEqual([0, 40]);
    // A single image (radiograph, mammogram): its only slice.
    expect(findingGeometry({ region: null }, run(false, 1))).toEqual({ kind: 'none', slice: 0 });
  });

  it('keeps a key slice outside the series inside it', () => {
    expect(findingGeometry({ region: region([1, 1, 0], [4, 4, 80], 99) }, run(false, 40))).toMatchObject({ kind: 'box', z0: 0, z1: 39, slice: 39 });
  });
});
