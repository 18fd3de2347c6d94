import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunResults } from '../api/types';
import { autoWindow, contourEdges, dragWindow, float32Values, labelArea, renderSlice, sliceRange, WINDOW_PRESETS, type Window } from '../overlay/overlay';
import { useI18n } from '../i18n';
import { ErrorState, Loading, useApp } from './common';

interface SliceData {
  z: number;
  columns: number;
  rows: number;
  values: Float32Array;
  labels: Uint8Array;
  window: Window | null;
}

/**
 * A finding on its source images: the slice's real modality values (windowed here, so window/level is instant) with the
 * outline of the finding's segment drawn over them; scroll or the slider moves through the slices the finding spans.
 */
export function ImageViewer({ jobId, run }: { jobId: string; run: RunResults }) {
  const { api } = useApp();
  const { t } = useI18n();
  const withRegion = run.findings.filter((f) => f.region);
  const [findingId, setFindingId] = useState(withRegion[0]?.id ?? '');
  const finding = withRegion.find((f) => f.id === findingId) ?? withRegion[0];
  const [lo, hi] = sliceRange(finding?.region, run.geometry.sizeZ);
  const [z, setZ] = useState(finding?.region?.keySlice ?? lo);
  const [slice, setSlice] = useState<SliceData | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [window, setWindow] = useState<Window | null>(run.modality === 'CT' ? WINDOW_PRESETS.lung : null);
  const [overlay, setOverlay] = useState(true);
  const canvas = useRef<HTMLCanvasElement>(null);
  const drag = useRef<{ x: number; y: number; start: Window } | null>(null);

  useEffect(() => {
    setZ(finding?.region?.keySlice ?? lo);
  }, [finding?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    let current = true;
    setError(null);
    const base = `/api/jobs/${jobId}/runs/${encodeURIComponent(run.runId)}/slices/${z}`;
    Promise.all([api.send(`${base}/pixels`), api.send(`${base}/mask`)])
      .then(async ([pixels, mask]) => {
        const data: SliceData = {
          z,
          columns: Number(pixels.headers.get('X-Columns')),
          rows: Number(pixels.headers.get('X-Rows')),
          values: float32Values(await pixels.arrayBuffer()),
          labels: new Uint8Array(await mask.arrayBuffer()),
          window: pixels.headers.get('X-Window-Center')
            ? { center: Number(pixels.headers.get('X-Window-Center')), width: Number(pixels.headers.get('X-Window-Width')) }
            : null,
        };
        if (current) setSlice(data);
      })
      .catch((e: Error) => current && setError(e));
    return () => {
      current = false;
    };
  }, [api, jobId, run.runId, z]);

  const effectiveWindow = useMemo(() => window ?? slice?.window ?? (slice ? autoWindow(slice.values) : { center: 0, width: 1 }), [window, slice]);
  const segment = finding?.segmentNumber ?? 0;
  const edges = useMemo(
    () => (slice && overlay && slice.labels.length === slice.columns * slice.rows ? contourEdges(slice.labels, slice.columns, slice.rows, segment) : []),
    [slice, overlay, segment],
  );
  const area = useMemo(() => (slice ? labelArea(slice.labels, segment) : 0), [slice, segment]);

  useEffect(() => {
    const element = canvas.current;
    if (!element || !slice) return;
    element.width = slice.columns;
    element.height = slice.rows;
    const context = element.getContext('2d');
    if (!context) return;
    const image = context.createImageData(slice.columns, slice.rows);
    renderSlice(slice.values, effectiveWindow, image.data);
    context.putImageData(image, 0, 0);
    if (edges.length) {
      context.strokeStyle = '#ffb000';
      context.lineWidth = Math.max(1, slice.columns / 256);
      context.beginPath();
      for (const e of edges) {
        context.moveTo(e.x1, e.y1);
        context.lineTo(e.x2, e.y2);
      }
      context.stroke();
    }
  }, [slice, effectiveWindow, edges]);

  if (!finding) return null;
  return (
    <div className="viewer" data-testid="viewer" data-slice={slice?.z ?? ''} data-edges={edges.length} data-area={area}>
      <h4>{t('viewer.title')}</h4>
      <div className="viewer-controls">
        <select value={finding.id} onChange={(e) => setFindingId(e.target.value)} aria-label={t('job.finding')}>
          {withRegion.map((f) => (
            <option key={f.id} value={f.id}>{f.type.meaning}{f.laterality ? ` (${f.laterality.meaning})` : ''}</option>
          ))}
        </select>
        <label>
          {t('viewer.slice', { z: z + 1, n: run.geometry.sizeZ })}
          <input type="range" min={lo} max={hi} value={z} onChange={(e) => setZ(Number(e.target.value))} aria-label="slice" />
        </label>
        <label>
          {t('viewer.window')}
          <select value="" onChange={(e) => e.target.value && setWindow(WINDOW_PRESETS[e.target.value])}>
            <option value="">C {Math.round(effectiveWindow.center)} / W {Math.round(effectiveWindow.width)}</option>
            {Object.keys(WINDOW_PRESETS).map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={overlay} onChange={(e) => setOverlay(e.target.checked)} /> {t('viewer.overlay')}
        </label>
      </div>
      {error ? <ErrorState error={error} /> : !slice ? <Loading /> : null}
      <canvas
        ref={canvas}
        className="viewer-canvas"
        data-testid="viewer-canvas"
        title={t('viewer.hint')}
        onWheel={(e) => { e.preventDefault(); setZ((v) => Math.min(hi, Math.max(lo, v + (e.deltaY > 0 ? 1 : -1)))); }}
        onPointerDown={(e) => { drag.current = { x: e.clientX, y: e.clientY, start: effectiveWindow }; e.currentTarget.setPointerCapture(e.pointerId); }}
        onPointerMove={(e) => { if (drag.current) setWindow(dragWindow(drag.current.start, e.clientX - drag.current.x, e.clientY - drag.current.y)); }}
        onPointerUp={() => { drag.current = null; }}
      />
      <p className="hint">{t('viewer.hint')}</p>
    </div>
  );
}
