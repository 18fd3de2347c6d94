import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunResults } from '../api/types';
import {
  autoWindow, contourEdges, diameterLine, dragWindow, findingGeometry, float32Values, geometryEdges, geometrySlices, labelArea, renderSlice, WINDOW_PRESETS, type Window,
} from '../overlay/overlay';
import { findingLabels } from '../data/findings';
import { useI18n } from '../i18n';
import { ErrorState, Loading, useApp } from './common';

interface SliceData {
  z: number;
  columns: number;
  rows: number;
  values: Float32Array;
  /** The label map's slice (empty when the finding is not drawn from a mask). */
  labels: Uint8Array;
  window: Window | null;
}

/**
 * A finding on its source images: the slice's real modality values (windowed here, so window/level is instant) with
 * what the finding has drawn over them (findingGeometry): the outline of its segment, its box or its point; a finding
 * with none of these shows the reference slice with a note. Scroll or the slider moves through the slices it spans.
 */
export function ImageViewer({ jobId, run }: { jobId: string; run: RunResults }) {
  const { api } = useApp();
  const { t, language } = useI18n();
  // Findings with a mask first (the key image of the report), then with a region, then the others.
  const rank = (f: RunResults['findings'][number]) => ({ mask: 0, box: 1, point: 1, none: 2 })[findingGeometry(f, run).kind];
  const choices = [...run.findings].sort((a, b) => rank(a) - rank(b));
  const [findingId, setFindingId] = useState(choices[0]?.id ?? '');
  const finding = choices.find((f) => f.id === findingId) ?? choices[0];
  const geometry = finding ? findingGeometry(finding, run) : null;
  const [lo, hi] = geometry ? geometrySlices(geometry, finding?.region, run.geometry.sizeZ) : [0, 0];
  const [z, setZ] = useState(geometry?.slice ?? lo);
  const [slice, setSlice] = useState<SliceData | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [window, setWindow] = useState<Window | null>(run.modality === 'CT' ? WINDOW_PRESETS.lung : null);
  const [overlay, setOverlay] = useState(true);
  const canvas = useRef<HTMLCanvasElement>(null);
  const drag = useRef<{ x: number; y: number; start: Window } | null>(null);

  useEffect(() => {
    setZ(geometry?.slice ?? lo);
  }, [finding?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  const withMask = geometry?.kind === 'mask';
  useEffect(() => {
    let current = true;
    setError(null);
    const base = `/api/jobs/${jobId}/runs/${encodeURIComponent(run.runId)}/slices/${z}`;
    Promise.all([api.send(`${base}/pixels`), withMask ? api.send(`${base}/mask`) : Promise.resolve(null)])
      .then(async ([pixels, mask]) => {
        const data: SliceData = {
          z,
          columns: Number(pixels.headers.get('X-Columns')),
          rows: Number(pixels.headers.get('X-Rows')),
          values: float32Values(await pixels.arrayBuffer()),
          labels: mask ? new Uint8Array(await mask.arrayBuffer()) : new Uint8Array(0),
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
  }, [api, jobId, run.runId, z, withMask]);

  const effectiveWindow = useMemo(() => window ?? slice?.window ?? (slice ? autoWindow(slice.values) : { center: 0, width: 1 }), [window, slice]);
  const segment = geometry?.kind === 'mask' ? geometry.segment : 0;
  const edges = useMemo(() => {
    if (!slice || !overlay || !geometry) return [];
    if (geometry.kind === 'mask') return slice.labels.length === slice.columns * slice.rows ? contourEdges(slice.labels, slice.columns, slice.rows, segment) : [];
    return geometryEdges(geometry, slice.z, Math.max(4, Math.round(slice.columns / 40)));
  }, [slice, overlay, geometry?.kind, finding?.id, segment]); // eslint-disable-line react-hooks/exhaustive-deps
  const area = useMemo(() => (slice && segment ? labelArea(slice.labels, segment) : 0), [slice, segment]);
  const diameter = slice && overlay ? diameterLine(finding?.region, run.geometry, slice.z) : null;
  const diameterText = diameter ? `Ø ${diameter.lengthMm.toLocaleString(language === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 })} mm` : '';

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
    if (diameter) {
      // The measurement in its own colour, ends marked, its length beside the end further right.
      const width = Math.max(1, slice.columns / 256);
      context.strokeStyle = '#00d8ff';
      context.fillStyle = '#00d8ff';
      context.lineWidth = width;
      context.beginPath();
      context.moveTo(diameter.x1, diameter.y1);
      context.lineTo(diameter.x2, diameter.y2);
      context.stroke();
      for (const [x, y] of [[diameter.x1, diameter.y1], [diameter.x2, diameter.y2]]) {
        context.beginPath();
        context.arc(x, y, 2 * width, 0, 2 * Math.PI);
        context.fill();
      }
      context.font = `${Math.max(10, Math.round(slice.columns / 32))}px sans-serif`;
      const [tx, ty] = diameter.x2 >= diameter.x1 ? [diameter.x2, diameter.y2] : [diameter.x1, diameter.y1];
      context.fillText(diameterText, Math.min(tx + 4 * width, slice.columns - context.measureText(diameterText).width - 2), Math.max(ty - 4 * width, 12));
    }
  }, [slice, effectiveWindow, edges, diameter?.x1, diameter?.y1, diameter?.x2, diameter?.y2, diameterText]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!finding || !geometry) return null;
  return (
    <div className="viewer" data-testid="viewer" data-slice={slice?.z ?? ''} data-edges={edges.length} data-area={area} data-geometry={geometry.kind}
      data-diameter={diameter ? diameter.lengthMm.toFixed(1) : ''}>
      <h4>{t('viewer.title')}</h4>
      <div className="viewer-controls">
        <select value={finding.id} onChange={(e) => setFindingId(e.target.value)} aria-label={t('job.finding')}>
          {choices.map((f) => (
            <option key={f.id} value={f.id}>{findingLabels(run, f, language).name}</option>
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
      {geometry.kind === 'none' && <p className="notice tone-neutral" data-testid="no-outline">{t('viewer.noOutline')}</p>}
      {geometry.kind === 'box' && <p className="hint">{t('viewer.box')}</p>}
      {geometry.kind === 'point' && <p className="hint">{t('viewer.point')}</p>}
      {diameter && <p className="hint" data-testid="diameter">{t('viewer.diameter', { value: diameterText })}</p>}
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
