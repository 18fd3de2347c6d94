import { describe, expect, it } from 'vitest';
import { formatPersonName, identitiesToFetch, identityWords, MAX_PATIENT_JOBS, mergeIdentities, patientsQuery } from './patients';
import { matchesSearch } from './jobs';
import type { JobSummary } from '../api/types';

const job = (jobId: string): JobSummary => ({
  jobId, correlationId: jobId, studyInstanceUid: `1.2.3.${jobId}`, sendingAe: 'CT1', status: 'delivered', createdAt: '', updatedAt: '', modalities: ['CT'],
});

describe("the radiologist's worklist identity", () => {
  it('asks once for each job not known yet, at most the api limit per request', () => {
    const known = new Map([['a', { patientName: 'DOE^JANE', patientId: 'P1' }], ['b', null]]);
    expect(identitiesToFetch(['a', 'b', 'c', 'c', 'd'], known, new Set(['d']))).toEqual(['c']);
    const many = Array.from({ length: 150 }, (_, i) => `j${i}`);
    expect(identitiesToFetch(many, new Map())).toHaveLength(MAX_PATIENT_JOBS);
    expect(patientsQuery(['a', 'b'])).toBe('/api/jobs/patients?jobId=a&jobId=b');
  });

  it('records the answer, and a job the api left out as known without identity', () => {
    const merged = mergeIdentities(new Map(), ['a', 'b'], [{ jobId: 'a', patientName: 'DOE^JANE', patientId: 'P1' }]);
    expect(merged.get('a')).toEqual({ patientName: 'DOE^JANE', patientId: 'P1' });
    expect(merged.has('b')).toBe(true);
    expect(merged.get('b')).toBeNull();
    expect(identitiesToFetch(['a', 'b'], merged)).toEqual([]);
  });

  it('lets the search find a job by patient name (as stored or as shown) or patient ID', () => {
    const identity = { patientName: 'SYNTHETIC^PHANTOM', patientId: 'SYNTH-CT-0001' };
    const words = identityWords(identity);
    expect(matchesSearch(job('x1'), 'synth-ct-0001', words)).toBe(true);
    expect(matchesSearch(job('x1'), 'phantom', words)).toBe(true);
    expect(matchesSearch(job('x1'), 'synthetic phantom', words)).toBe(true);
    expect(matchesSearch(job('x1'), 'synth-ct-0001')).toBe(false);
    expect(identityWords(null)).toEqual([]);
    expect(identityWords(undefined)).toEqual([]);
    expect(formatPersonName('DOE^JANE^^^=ドウ^ジェーン')).toBe('DOE JANE');
  });
});
