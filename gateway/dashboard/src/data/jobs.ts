import type { JobChange, JobStatus, JobSummary, JobTimelineEntry } from '../api/types';

export interface JobFilters {
  status: JobStatus | '';
  modality: string;
  sender: string;
  /** yyyy-mm-dd (local day), empty for none. */
  from: string;
  to: string;
  search: string;
  limit: number;
  offset: number;
}

export const DEFAULT_FILTERS: JobFilters = { status: '', modality: '', sender: '', from: '', to: '', search: '', limit: 50, offset: 0 };

/** The query of GET /api/jobs for the filters the server applies; `to` is made exclusive (the day after). */
export function jobsQuery(filters: JobFilters): string {
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.modality.trim()) query.set('modality', filters.modality.trim().toUpperCase());
  if (filters.sender.trim()) query.set('sender', filters.sender.trim());
  if (filters.from) query.set('from', filters.from);
  if (filters.to) query.set('to', nextDay(filters.to));
  query.set('sort', 'updated');
  query.set('order', 'desc');
  query.set('limit', String(filters.limit));
  query.set('offset', String(filters.offset));
  return `/api/jobs?${query.toString()}`;
}

export function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/**
 * Free-text search over what a row shows: job id, study UID, sender, modalities, status, and for a radiologist the
 * patient's name and ID (`extra`, from GET /api/jobs/patients).
 */
export function matchesSearch(job: JobSummary, search: string, extra: readonly string[] = []): boolean {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [job.jobId, job.correlationId, job.studyInstanceUid, job.sendingAe, job.status, ...job.modalities, ...extra].join(' ').toLowerCase();
  return words.every((word) => text.includes(word));
}

/** Does a job pass the server-side filters (used to place a job that a live event announced)? */
export function matchesFilters(job: JobSummary, filters: JobFilters): boolean {
  if (filters.status && job.status !== filters.status) return false;
  if (filters.modality.trim() && !job.modalities.some((m) => m.toUpperCase() === filters.modality.trim().toUpperCase())) return false;
  if (filters.sender.trim() && job.sendingAe !== filters.sender.trim()) return false;
  if (filters.from && job.createdAt < new Date(`${filters.from}T00:00:00Z`).toISOString()) return false;
  if (filters.to && job.createdAt >= new Date(`${nextDay(filters.to)}T00:00:00Z`).toISOString()) return false;
  return true;
}

export type LiveUpdate =
  | { kind: 'updated'; jobs: JobSummary[] }
  /** A job the page does not hold: fetch it (GET /api/jobs/{id}) and then place it with {@link placeJob}. */
  | { kind: 'unknown'; jobId: string };

const RANK: Record<JobStatus, number> = {
  received: 0, skipped: 1, analysed: 1, 'analysis-failed': 1, 'report-ready': 2, 'report-failed': 2, delivered: 3, 'delivery-failed': 3,
};

/**
 * Applies one change of the live feed to the rows on screen: the job's status and time change, and it moves to the
 * top (the list is sorted by last update). A change older than the row (a replay after reconnecting) changes nothing.
 */
export function applyJobChange(jobs: JobSummary[], change: JobChange): LiveUpdate {
  const index = jobs.findIndex((j) => j.jobId === change.jobId);
  if (index < 0) return { kind: 'unknown', jobId: change.jobId };
  const job = jobs[index];
  if (change.recordedAt < job.updatedAt && RANK[change.status] <= RANK[job.status]) return { kind: 'updated', jobs };
  const updated: JobSummary = {
    ...job,
    status: RANK[change.status] >= RANK[job.status] || change.recordedAt >= job.updatedAt ? change.status : job.status,
    updatedAt: change.recordedAt > job.updatedAt ? change.recordedAt : job.updatedAt,
  };
  return { kind: 'updated', jobs: [updated, ...jobs.slice(0, index), ...jobs.slice(index + 1)] };
}

/** Puts a job fetched after a live event at the top, if it passes the filters; keeps the page size. */
export function placeJob(jobs: JobSummary[], job: JobSummary, filters: JobFilters): JobSummary[] {
  if (!matchesFilters(job, filters) || filters.offset > 0) return jobs;
  const rest = jobs.filter((j) => j.jobId !== job.jobId);
  return [job, ...rest].slice(0, filters.limit);
}

export type Tone = 'neutral' | 'progress' | 'ok' | 'warn' | 'error';

export function statusTone(status: JobStatus): Tone {
  switch (status) {
    case 'delivered': return 'ok';
    case 'received': case 'analysed': case 'report-ready': return 'progress';
    case 'skipped': return 'warn';
    default: return 'error';
  }
}

/** Pipeline stages for the timeline, in order, with the event that ends each. */
export const STAGES = [
  { key: 'received', events: ['StudyReceived'] },
  { key: 'analysed', events: ['AnalysisDone', 'AnalysisFailed', 'StudySkipped'] },
  { key: 'report', events: ['ReportReady', 'ReportFailed'] },
  { key: 'delivered', events: ['ReportDelivered', 'DeliveryFailed'] },
] as const;

export type StageState = 'done' | 'failed' | 'skipped' | 'pending';

export interface StageView {
  key: (typeof STAGES)[number]['key'];
  state: StageState;
  at: string | null;
  /** Seconds since the previous stage ended, when both are known. */
  seconds: number | null;
}

const FAILED_EVENTS = new Set(['AnalysisFailed', 'ReportFailed', 'DeliveryFailed']);

/** The four stages of a job from its timeline: each one's first ending event, its outcome and its duration. */
export function stagesOf(timeline: JobTimelineEntry[]): StageView[] {
  const sorted = [...timeline].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  let previous: string | null = null;
  return STAGES.map((stage) => {
    const events = sorted.filter((e) => (stage.events as readonly string[]).includes(e.eventType));
    // A later success (a resend that worked) wins over an earlier failure.
    const success = events.find((e) => !FAILED_EVENTS.has(e.eventType) && e.eventType !== 'StudySkipped');
    const entry = success ?? events[events.length - 1];
    if (!entry) return { key: stage.key, state: 'pending' as StageState, at: null, seconds: null };
    const state: StageState = entry.eventType === 'StudySkipped' ? 'skipped' : FAILED_EVENTS.has(entry.eventType) ? 'failed' : 'done';
    const seconds = previous ? (Date.parse(entry.occurredAt) - Date.parse(previous)) / 1000 : null;
    previous = entry.occurredAt;
    return { key: stage.key, state, at: entry.occurredAt, seconds };
  });
}

export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A measurement value as the SR writes it: at most the significant digits the value has, no float noise. */
export function formatMeasurement(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(6));
  return String(rounded);
}
