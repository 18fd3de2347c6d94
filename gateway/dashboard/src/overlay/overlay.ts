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

/**
 * What the viewer draws for a finding, from what the finding has:
 * - `mask`: its segment in the run's label map (outline of the label on each slice);
 * - `box`: its region's bounding box (voxel indices, no segment or no label map: a box or measurement-only detection),
 *   drawn on the slices it spans;
 * - `point`: a region of one voxel (a point detection), a cross on its slice;
 * - `none`: no geometry at all (a classification or a quality measurement): the reference slice, the middle of the
 *   series, shown with a note that there is no outline.
 */
export type FindingGeometry =
  | { kind: 'mask'; segment: number; slice: number }
  | { kind: 'box'; x0: number; y0: number; x1: number; y1: number; z0: number; z1: number; slice: number }
  | { kind: 'point'; x: number; y: number; z: number; slice: number }
  | { kind: 'none'; slice: number };

interface GeometryFinding {
  segmentNumber?: number | null;
  region?: { boundingBoxMin: { x: number; y: number; z: number }; boundingBoxMax: { x: number; y: number; z: number }; keySlice: number } | null;
}

export function findingGeometry(finding: GeometryFinding, run: { hasMask: boolean; geometry: { sizeZ: number } }): FindingGeometry {
  const last = Math.max(0, run.geometry.sizeZ - 1);
  const clampZ = (z: number) => Math.max(0, Math.min(last, Math.round(z)));
  const region = finding.region;
  if (!region) return { kind: 'none', slice: Math.floor(last / 2) };
  const slice = clampZ(region.keySlice);
  if (run.hasMask && finding.segmentNumber != null && finding.segmentNumber > 0) return { kind: 'mask', segment: finding.segmentNumber, slice };
  const { boundingBoxMin: min, boundingBoxMax: max } = region;
  if (Math.round(min.x) === Math.round(max.x) && Math.round(min.y) === Math.round(max.y)) {
    return { kind: 'point', x: Math.round(min.x), y: Math.round(min.y), z: slice, slice };
  }
  return {
    kind: 'box',
    x0: Math.round(Math.min(min.x, max.x)), y0: Math.round(Math.min(min.y, max.y)),
    x1: Math.round(Math.max(min.x, max.x)), y1: Math.round(Math.max(min.y, max.y)),
    z0: clampZ(Math.min(min.z, max.z)), z1: clampZ(Math.max(min.z, max.z)), slice,
  };
}

/**
 * The pixel-edge segments to draw for a box or point finding on slice `z` (empty off its slices): the box's outline
 * around its pixels (voxel indices inclusive, so the right/bottom edge is at max + 1), or a cross of `arm` pixels
 * around the point's pixel. Mask findings are drawn by {@link contourEdges}.
 */
export function geometryEdges(geometry: FindingGeometry, z: number, arm = 6): EdgeSegment[] {
  if (geometry.kind === 'box') {
    if (z < geometry.z0 || z > geometry.z1) return [];
    const { x0, y0 } = geometry;
    const x1 = geometry.x1 + 1;
    const y1 = geometry.y1 + 1;
    return [
      { x1: x0, y1: y0, x2: x1, y2: y0 },
      { x1: x1, y1: y0, x2: x1, y2: y1 },
      { x1: x0, y1: y1, x2: x1, y2: y1 },
      { x1: x0, y1: y0, x2: x0, y2: y1 },
    ];
  }
  if (geometry.kind === 'point') {
    if (z !== geometry.z) return [];
    const cx = geometry.x + 0.5;
    const cy = geometry.y + 0.5;
    return [
      { x1: cx - arm, y1: cy, x2: cx + arm, y2: cy },
      { x1: cx, y1: cy - arm, x2: cx, y2: cy + arm },
    ];
  }
  return [];
}

/** The slices the viewer moves through for a geometry: the box's or mask's span, the point's slice, or the whole series. */
export function geometrySlices(
  geometry: FindingGeometry,
  region: { boundingBoxMin: { z: number }; boundingBoxMax: { z: number } } | null | undefined,
  sizeZ: number,
): [number, number] {
  switch (geometry.kind) {
    case 'box': return [geometry.z0, geometry.z1];
    case 'point': return [geometry.z, geometry.z];
    case 'mask': return sliceRange(region, sizeZ);
    default: return [0, Math.max(0, sizeZ - 1)];
  }
}

interface Vec { x: number; y: number; z: number }

/** The grid of a run's volume, as findings.json gives it. */
export interface VolumeGrid {
  spacing: Vec;
  origin?: Vec;
  rowDirection?: Vec;
  columnDirection?: Vec;
}

const dot = (a: Vec, b: Vec) => a.x * b.x + a.y * b.y + a.z * b.z;
const cross = (a: Vec, b: Vec): Vec => ({ x: a.y * b.z - a.z * b.y, y: a.z * b.x - a.x * b.z, z: a.x * b.y - a.y * b.x });

/**
 * A patient position (mm) as continuous voxel indices of the grid: x along the rows, y along the columns, z along the
 * slices (their normal, row × column, as the analysed volume is sorted). Null when the grid has no position (older
 * findings.json).
 */
export function patientToVoxel(p: Vec, grid: VolumeGrid): Vec | null {
  const { origin, rowDirection: row, columnDirection: column, spacing } = grid;
  if (!origin || !row || !column || !spacing.x || !spacing.y || !spacing.z) return null;
  const d = { x: p.x - origin.x, y: p.y - origin.y, z: p.z - origin.z };
  return { x: dot(d, row) / spacing.x, y: dot(d, column) / spacing.y, z: dot(d, cross(row, column)) / spacing.z };
}

/** The longest 3D diameter drawn on a slice: its ends in canvas pixels and its length. */
export interface DiameterLine { x1: number; y1: number; x2: number; y2: number; lengthMm: number }

/**
 * The finding's longest 3D diameter on slice `z`: its projection onto the slice, in canvas pixels (a voxel's centre is
 * its index + ½), on the slices between its two ends (each end on its nearest slice); null elsewhere, or when the
 * finding has no measured diameter or the grid no position.
 */
export function diameterLine(
  region: { diameterStart?: Vec | null; diameterEnd?: Vec | null } | null | undefined,
  grid: VolumeGrid,
  z: number,
): DiameterLine | null {
  if (!region?.diameterStart || !region.diameterEnd) return null;
  const a = patientToVoxel(region.diameterStart, grid);
  const b = patientToVoxel(region.diameterEnd, grid);
  if (!a || !b) return null;
  if (z < Math.round(Math.min(a.z, b.z)) || z > Math.round(Math.max(a.z, b.z))) return null;
  const s = region.diameterStart;
  const e = region.diameterEnd;
  return { x1: a.x + 0.5, y1: a.y + 0.5, x2: b.x + 0.5, y2: b.y + 0.5, lengthMm: Math.hypot(e.x - s.x, e.y - s.y, e.z - s.z) };
}
