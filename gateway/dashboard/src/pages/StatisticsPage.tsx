import { useState } from 'react';
import type { Statistics } from '../api/types';
import { layoutBars, niceTicks } from '../data/charts';
import { formatSeconds } from '../data/jobs';
import { useI18n, type MessageKey } from '../i18n';
import { Empty, Show, useApp, useLoad } from '../components/common';

export function StatisticsPage() {
  const { api } = useApp();
  const { t } = useI18n();
  const [days, setDays] = useState(7);
  const [stats, reload] = useLoad(() => {
    const to = new Date();
    const from = new Date(to.getTime() - days * 86_400_000);
    return api.json<Statistics>(`/api/statistics?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`);
  }, [days]);

  return (
    <section className="page stats" aria-labelledby="stats-title">
      <div className="page-head">
        <h1 id="stats-title">{t('stats.title')}</h1>
        <label>
          {t('stats.window')}
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[7, 30, 90].map((n) => <option key={n} value={n}>{t('stats.days', { n })}</option>)}
          </select>
        </label>
      </div>
      <Show value={stats} onRetry={reload}>
        {(s) => (
          <div className="charts">
            <figure className="card chart" data-testid="chart-per-day">
              <figcaption>{t('stats.perDay')} — {t('stats.jobs', { n: s.jobs })}</figcaption>
              <BarChart points={s.studiesPerDay.map((d) => ({ label: d.day.slice(5), value: d.studies }))} />
            </figure>
            <figure className="card chart" data-testid="chart-latency">
              <figcaption>{t('stats.latency')}</figcaption>
              <LatencyChart latencies={s.latencies} label={(stage) => t(`stage.${stage}` as MessageKey)} />
            </figure>
            <figure className="card chart" data-testid="chart-failures">
              <figcaption>{t('stats.failures')}</figcaption>
              {s.failures.length === 0 ? <Empty>{t('stats.noFailure')}</Empty> : (
                <HorizontalBars items={s.failures.map((f) => ({ label: `${f.stage}: ${f.reason}`, value: f.count }))} />
              )}
            </figure>
            <figure className="card chart">
              <figcaption>{t('stats.byStatus')}</figcaption>
              <HorizontalBars items={Object.entries(s.byStatus).map(([status, n]) => ({ label: t(`status.${status}` as MessageKey), value: n }))} />
            </figure>
          </div>
        )}
      </Show>
    </section>
  );
}

const W = 560;
const H = 200;
const M = { left: 36, bottom: 24, top: 8 };

function BarChart({ points }: { points: { label: string; value: number }[] }) {
  const { bars, ticks } = layoutBars(points, W - M.left, H - M.bottom - M.top);
  const top = ticks[ticks.length - 1] || 1;
  const every = Math.ceil(points.length / 10);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} className="svg-chart" role="img">
      {ticks.map((tick) => {
        const y = M.top + (H - M.bottom - M.top) * (1 - tick / top);
        return <g key={tick}><line x1={M.left} x2={W} y1={y} y2={y} className="grid-line" /><text x={M.left - 4} y={y + 4} textAnchor="end">{tick}</text></g>;
      })}
      {bars.map((b, i) => (
        <g key={b.label}>
          <rect x={M.left + b.x} y={M.top + b.y} width={b.width} height={b.height} className="bar"><title>{`${b.label}: ${b.value}`}</title></rect>
          {i % every === 0 && <text x={M.left + b.x + b.width / 2} y={H - 6} textAnchor="middle">{b.label}</text>}
        </g>
      ))}
    </svg>
  );
}

function LatencyChart({ latencies, label }: { latencies: Statistics['latencies']; label: (stage: string) => string }) {
  const max = Math.max(0, ...latencies.map((l) => l.p95Seconds ?? 0));
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1] || 1;
  const row = 34;
  const left = 170;
  const height = latencies.length * row + 24;
  return (
    <svg viewBox={`0 0 ${W} ${height}`} className="svg-chart" role="img">
      {latencies.map((l, i) => {
        const y = i * row + 6;
        const p50 = ((l.p50Seconds ?? 0) / top) * (W - left - 80);
        const p95 = ((l.p95Seconds ?? 0) / top) * (W - left - 80);
        return (
          <g key={l.stage}>
            <text x={left - 6} y={y + 16} textAnchor="end">{label(l.stage)}</text>
            <rect x={left} y={y + 2} width={p95} height={22} className="bar bar-p95"><title>p95 {formatSeconds(l.p95Seconds)}</title></rect>
            <rect x={left} y={y + 7} width={p50} height={12} className="bar"><title>p50 {formatSeconds(l.p50Seconds)}</title></rect>
            <text x={left + p95 + 6} y={y + 17}>{l.count ? `${formatSeconds(l.p50Seconds)} / ${formatSeconds(l.p95Seconds)}` : '—'}</text>
          </g>
        );
      })}
    </svg>
  );
}

function HorizontalBars({ items }: { items: { label: string; value: number }[] }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const row = 26;
  const left = 220;
  return (
    <svg viewBox={`0 0 ${W} ${items.length * row + 8}`} className="svg-chart" role="img">
      {items.map((item, i) => {
        const w = (item.value / max) * (W - left - 50);
        return (
          <g key={item.label}>
            <text x={left - 6} y={i * row + 18} textAnchor="end">{item.label.length > 34 ? item.label.slice(0, 33) + '…' : item.label}<title>{item.label}</title></text>
            <rect x={left} y={i * row + 4} width={w} height={18} className="bar" />
            <text x={left + w + 6} y={i * row + 18}>{item.value}</text>
          </g>
        );
      })}
    </svg>
  );
}
