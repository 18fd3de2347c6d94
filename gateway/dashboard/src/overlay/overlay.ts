/**
 * Drawing a finding on its real pixels: the slice's modality values (HU for CT) through a window (centre/width, the
 * linear VOI LUT of PS3.3 C.11.2.1.2.1) into gray levels, and the outline of the finding's segment in the run's label
 * map as pixel-edge segments (the boundary between a voxel of the segment and one outside it).
 */

export interface Window {
  center: number;
  width: number;
}

export const WINDOW_PRESETS: Record<string, Window> = {
  lung: { center: -600, width: 1500 },
  mediastinum: { center: 40, width: 400 },
  bone: { center: 400, width: 1800 },
  brain: { center: 40, width: 80 },
};

/** DICOM's linear VOI function: value → 0..255 for a window (width ≥ 1). */
export function windowValue(value: number, window: Window): number {
  const width = Math.max(1, window.width);
  const c = window.center - 0.5;
  const w = width - 1;
  if (value <= c - w / 2) return 0;
  if (value > c + w / 2) return 255;
  return Math.round(((value - c) / Math.max(w, 1) + 0.5) * 255);
}

/** RGBA pixels of a slice for a canvas ImageData (gray, opaque). */
export function renderSlice(values: ArrayLike<number>, window: Window, out?: Uint8ClampedArray): Uint8ClampedArray {
  const rgba = out ?? new Uint8ClampedArray(values.length * 4);
  // A lookup over the value range is much faster than per pixel arithmetic on 512² slices.
  let min = Infinity;
  let max = -Infinity;
  let whole = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    if (whole && !Number.isInteger(v)) whole = false;
  }
  const span = max - min;
  const integral = whole && span < 1 << 20;
  const lut = integral ? new Uint8Array(span + 1) : null;
  if (lut) for (let v = 0; v <= span; v++) lut[v] = windowValue(v + min, window);
  for (let i = 0; i < values.length; i++) {
    const g = lut ? lut[values[i] - min] : windowValue(values[i], window);
    const o = i * 4;
    rgba[o] = g;
    rgba[o + 1] = g;
    rgba[o + 2] = g;
    rgba[o + 3] = 255;
  }
  return rgba;
}

/** A window that shows a slice's range (min..max) when it has no preset. */
export function autoWindow(values: ArrayLike<number>): Window {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  if (!Number.isFinite(min)) return { center: 0, width: 1 };
  return { center: (min + max) / 2, width: Math.max(1, max - min) };
}

/** Mouse drag → new window: right widens, up raises the centre (as on reading stations). */
export function dragWindow(start: Window, dx: number, dy: number, sensitivity = 4): Window {
  return { center: Math.round(start.center - dy * sensitivity), width: Math.max(1, Math.round(start.width + dx * sensitivity)) };
}

/** A segment of a contour in pixel-edge coordinates: (x, y) is the top-left corner of pixel (x, y). */
export interface EdgeSegment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * The outline of `label` in one slice of a label map (row-major, `width`×`height`): every edge between a pixel of
 * the label and a pixel that is not (or the slice's border). Horizontal runs of edges are merged into one segment.
 * `label` 0 outlines every non-zero label.
 */
export function contourEdges(labels: ArrayLike<number>, width: number, height: number, label = 0): EdgeSegment[] {
  if (labels.length !== width * height) throw new RangeError(`${labels.length} labels for ${width}×${height}`);
  const inside = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return false;
    const v = labels[y * width + x];
    return label === 0 ? v !== 0 : v === label;
  };
  const segments: EdgeSegment[] = [];
  // Horizontal edges: between row y-1 and row y, for y in 0..height.
  for (let y = 0; y <= height; y++) {
    let runStart = -1;
    for (let x = 0; x <= width; x++) {
      const edge = x < width && inside(x, y - 1) !== inside(x, y);
      if (edge && runStart < 0) runStart = x;
      if (!edge && runStart >= 0) {
        segments.push({ x1: runStart, y1: y, x2: x, y2: y });
        runStart = -1;
      }
    }
  }
  // Vertical edges: between column x-1 and column x.
  for (let x = 0; x <= width; x++) {
    let runStart = -1;
    for (let y = 0; y <= height; y++) {
      const edge = y < height && inside(x - 1, y) !== inside(x, y);
      if (edge && runStart < 0) runStart = y;
      if (!edge && runStart >= 0) {
        segments.push({ x1: x, y1: runStart, x2: x, y2: y });
        runStart = -1;
      }
    }
  }
  return segments;
}

/** Number of pixels of `label` in a slice (0: any label): the area shown, to check an overlay against the finding. */
export function labelArea(labels: ArrayLike<number>, label = 0): number {
  let count = 0;
  for (let i = 0; i < labels.length; i++) if (label === 0 ? labels[i] !== 0 : labels[i] === label) count++;
  return count;
}

/** The slices a finding spans (its bounding box z range), clamped to the volume. */
export function sliceRange(region: { boundingBoxMin: { z: number }; boundingBoxMax: { z: number } } | null | undefined, sizeZ: number): [number, number] {
  if (!region) return [0, Math.max(0, sizeZ - 1)];
  const lo = Math.max(0, Math.min(sizeZ - 1, Math.round(region.boundingBoxMin.z)));
  const hi = Math.max(lo, Math.min(sizeZ - 1, Math.round(region.boundingBoxMax.z)));
  return [lo, hi];
}

/** Decodes the little-endian Float32 modality values of GET …/slices/{z}/pixels. */
export function float32Values(buffer: ArrayBuffer): Float32Array {
  const view = new DataView(buffer);
  const values = new Float32Array(buffer.byteLength >> 2);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}
