/** Axis ticks at 1, 2 or 5 × 10^n, from 0 to at least `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step - 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export interface Bar {
  label: string;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Bars of a vertical bar chart inside `width`×`height` (the axis at the bottom), scaled to the top tick. */
export function layoutBars(points: { label: string; value: number }[], width: number, height: number, gap = 2): { bars: Bar[]; ticks: number[] } {
  const ticks = niceTicks(Math.max(0, ...points.map((p) => p.value)));
  const top = ticks[ticks.length - 1] || 1;
  const slot = points.length ? width / points.length : width;
  const bars = points.map((p, i) => {
    const h = (p.value / top) * height;
    return { label: p.label, value: p.value, x: i * slot + gap / 2, y: height - h, width: Math.max(1, slot - gap), height: h };
  });
  return { bars, ticks };
}
