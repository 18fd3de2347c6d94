import { describe, expect, it } from 'vitest';
import type { JobChange, JobSummary } from '../api/types';
import { applyJobChange, DEFAULT_FILTERS, formatMeasurement, jobsQuery, matchesFilters, matchesSearch, placeJob, stagesOf, statusTone } from './jobs';

const job = (id: string, patch: Partial<JobSummary> = {}): JobSummary => ({
  jobId: id, correlationId: `c-${id}`, studyInstanceUid: `1.2.3.${id}`, sendingAe: 'MODALITY', status: 'received',
  createdAt: '2026-11-26T08:00:00.000Z', updatedAt: '2026-11-26T08:00:00.000Z', modalities: ['CT'], ...patch,
});
const change = (id: string, status: JobChange['status'], recordedAt: string): JobChange => ({
  sequence: 1, jobId: id, eventType: 'X', status, occurredAt: recordedAt, recordedAt,
});

describe('jobs query', () => {
  it('sends only the filters that are set, `to` as the exclusive next day', () => {
    expect(jobsQuery(DEFAULT_FILTERS)).toBe('/api/jobs?sort=updated&order=desc&limit=50&offset=0');
    const query = jobsQuery({ ...DEFAULT_FILTERS, status: 'delivered', modality: ' ct ', sender: 'PACS', from: '2026-11-01', to: '2026-11-30', offset: 50 });
    const params = new URL(query, 'http://x').searchParams;
    expect(params.get('status')).toBe('delivered');
    expect(params.get('modality')).toBe('CT');
    expect(params.get('sender')).toBe('PACS');
    expect(params.get('from')).toBe('2026-11-01');
    expect(params.get('to')).toBe('2026-12-01');
    expect(params.get('offset')).toBe('50');
  });
});

describe('search and filters', () => {
  it('matches every word against what a row shows', () => {
    const j = job('a1', { sendingAe: 'CT_SCANNER', modalities: ['CT', 'SR'] });
    expect(matchesSearch(j, '')).toBe(true);
    expect(matchesSearch(j, 'scanner sr')).toBe(true);
    expect(matchesSearch(j, '1.2.3.a1')).toBe(true);
    expect(matchesSearch(j, 'scanner mr')).toBe(false);
  });

  it('applies status, modality, sender and day range as the server does', () => {
    const j = job('a', { status: 'delivered', createdAt: '2026-11-26T10:00:00.000Z' });
    expect(matchesFilters(j, { ...DEFAULT_FILTERS, status: 'delivered', modality: 'ct', from: '2026-11-26', to: '2026-11-26' })).toBe(true);
    expect(matchesFilters(j, { ...DEFAULT_FILTERS, status: 'received' })).toBe(false);
    expect(matchesFilters(j, { ...DEFAULT_FILTERS, to: '2026-11-25' })).toBe(false);
    expect(matchesFilters(j, { ...DEFAULT_FILTERS, sender: 'OTHER' })).toBe(false);
  });
});

describe('live updates', () => {
  it('moves a changed job to the top with its new status and time', () => {
    const jobs = [job('a'), job('b'), job('c')];
    const update = applyJobChange(jobs, change('c', 'analysed', '2026-11-26T08:01:00.000Z'));
    expect(update.kind).toBe('updated');
    if (update.kind !== 'updated') return;
    expect(update.jobs.map((j) => j.jobId)).toEqual(['c', 'a', 'b']);
    expect(update.jobs[0].status).toBe('analysed');
    expect(update.jobs[0].updatedAt).toBe('2026-11-26T08:01:00.000Z');
    expect(jobs[2].status).toBe('received');
  });

  it('ignores a replayed older change (reconnection with Last-Event-ID)', () => {
    const jobs = [job('a', { status: 'delivered', updatedAt: '2026-11-26T08:05:00.000Z' })];
    const update = applyJobChange(jobs, change('a', 'analysed', '2026-11-26T08:01:00.000Z'));
    expect(update).toEqual({ kind: 'updated', jobs });
  });

  it('asks for a job it does not hold, then places it if it passes the filters', () => {
    expect(applyJobChange([job('a')], change('z', 'received', '2026-11-26T09:00:00.000Z'))).toEqual({ kind: 'unknown', jobId: 'z' });
    const placed = placeJob([job('a')], job('z'), DEFAULT_FILTERS);
    expect(placed.map((j) => j.jobId)).toEqual(['z', 'a']);
    expect(placeJob([job('a')], job('z'), { ...DEFAULT_FILTERS, status: 'delivered' }).map((j) => j.jobId)).toEqual(['a']);
    expect(placeJob([job('a'), job('b')], job('z'), { ...DEFAULT_FILTERS, limit: 2 }).map((j) => j.jobId)).toEqual(['z', 'a']);
    expect(placeJob([job('a')], job('z'), { ...DEFAULT_FILTERS, offset: 50 }).map((j) => j.jobId)).toEqual(['a']);
  });
});

describe('timeline', () => {
  it('gives each stage its ending event, outcome and duration', () => {
    const stages = stagesOf([
      { eventType: 'ReportReady', occurredAt: '2026-11-26T08:00:09.000Z' },
      { eventType: 'StudyReceived', occurredAt: '2026-11-26T08:00:00.000Z' },
      { eventType: 'AnalysisDone', occurredAt: '2026-11-26T08:00:05.000Z' },
      { eventType: 'DeliveryFailed', occurredAt: '2026-11-26T08:00:10.000Z' },
    ]);
    expect(stages.map((s) => s.state)).toEqual(['done', 'done', 'done', 'failed']);
    expect(stages.map((s) => s.seconds)).toEqual([null, 5, 4, 1]);
  });

  it('a later successful resend wins over an earlier failure; missing stages are pending', () => {
    const stages = stagesOf([
      { eventType: 'StudyReceived', occurredAt: '2026-11-26T08:00:00.000Z' },
      { eventType: 'DeliveryFailed', occurredAt: '2026-11-26T08:00:10.000Z' },
      { eventType: 'ReportDelivered', occurredAt: '2026-11-26T08:01:00.000Z' },
    ]);
    expect(stages[3].state).toBe('done');
    expect(stages[1].state).toBe('pending');
    expect(stagesOf([{ eventType: 'StudySkipped', occurredAt: '2026-11-26T08:00:00.000Z' }])[1].state).toBe('skipped');
  });

  it('gives every status a tone', () => {
    expect(statusTone('delivered')).toBe('ok');
    expect(statusTone('report-ready')).toBe('progress');
    expect(statusTone('analysis-failed')).toBe('error');
    expect(statusTone('skipped')).toBe('warn');
  });
});

describe('measurements', () => {
  it('shows six significant digits at most, without float noise', () => {
    expect(formatMeasurement(2345.678912)).toBe('2345.68');
    expect(formatMeasurement(0.1 + 0.2)).toBe('0.3');
    expect(formatMeasurement(12)).toBe('12');
  });
});
