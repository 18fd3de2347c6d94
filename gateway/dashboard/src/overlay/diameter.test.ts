import { describe, expect, it } from 'vitest';
import { diameterLine, patientToVoxel } from './overlay';

// An axial grid: x to the patient's left (+X), y to posterior (+Y), slices towards the head (+Z); 0.7 × 0.7 × 2 mm.
const axial = {
  spacing: { x: 0.7, y: 0.7, z: 2 },
  origin: { x: -100, y: -120, z: 50 },
  rowDirection: { x: 1, y: 0, z: 0 },
  columnDirection: { x: 0, y: 1, z: 0 },
};
const at = (grid: typeof axial, i: number, j: number, k: number) => ({
  // The patient position of voxel (i, j, k): origin + i·sx·row + j·sy·column + k·sz·(row × column).
  x: grid.origin.x + i * grid.spacing.x * grid.rowDirection.x + j * grid.spacing.y * grid.columnDirection.x + k * grid.spacing.z * (grid.rowDirection.y * grid.columnDirection.z - grid.rowDirection.z * grid.columnDirection.y),
  y: grid.origin.y + i * grid.spacing.x * grid.rowDirection.y + j * grid.spacing.y * grid.columnDirection.y + k * grid.spacing.z * (grid.rowDirection.z * grid.columnDirection.x - grid.rowDirection.x * grid.columnDirection.z),
  z: grid.origin.z + i * grid.spacing.x * grid.rowDirection.z + j * grid.spacing.y * grid.columnDirection.z + k * grid.spacing.z * (grid.rowDirection.x * grid.columnDirection.y - grid.rowDirection.y * grid.columnDirection.x),
});

describe('the longest 3D diameter on the slices', () => {
  it('maps patient positions back to the voxel indices they came from, axial and oblique', () => {
    // A coronal-ish oblique grid: rows along +X, columns tilted 30° between -Z and +Y.
    const c = Math.cos(Math.PI / 6);
    const oblique = { ...axial, rowDirection: { x: 1, y: 0, z: 0 }, columnDirection: { x: 0, y: 0.5, z: -c } };
    for (const grid of [axial, oblique]) {
      for (const [i, j, k] of [[0, 0, 0], [10, 20, 3], [255.5, 7.25, 39]]) {
        const v = patientToVoxel(at(grid, i, j, k), grid)!;
        expect(v.x).toBeCloseTo(i, 9);
        expect(v.y).toBeCloseTo(j, 9);
        expect(v.z).toBeCloseTo(k, 9);
      }
    }
  });

  it('is drawn on the slices between its ends, from voxel centre to voxel centre, with its length in mm', () => {
    const region = { diameterStart: at(axial, 100, 80, 10), diameterEnd: at(axial, 112, 85, 12) };
    const line = diameterLine(region, axial, 11)!;
    expect(line.x1).toBeCloseTo(100.5, 9);
    expect(line.y1).toBeCloseTo(80.5, 9);
    expect(line.x2).toBeCloseTo(112.5, 9);
    expect(line.y2).toBeCloseTo(85.5, 9);
    // √((12·0.7)² + (5·0.7)² + (2·2)²) = √(70.56 + 12.25 + 16) mm.
    expect(line.lengthMm).toBeCloseTo(Math.sqrt(98.81), 9);
    expect(diameterLine(region, axial, 10)).not.toBeNull();
    expect(diameterLine(region, axial, 12)).not.toBeNull();
    expect(diameterLine(region, axial, 9)).toBeNull();
    expect(diameterLine(region, axial, 13)).toBeNull();
  });

  it('is not drawn without a measured diameter or without the grid\'s position (older findings)', () => {
    expect(diameterLine({ diameterStart: null, diameterEnd: null }, axial, 0)).toBeNull();
    expect(diameterLine(null, axial, 0)).toBeNull();
    const region = { diameterStart: at(axial, 1, 1, 0), diameterEnd: at(axial, 3, 1, 0) };
    expect(diameterLine(region, { spacing: axial.spacing }, 0)).toBeNull();
  });
});
