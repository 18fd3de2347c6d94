import type { JobPatient } from '../api/types';

/**
 * Patient identity in the radiologist's worklist. GET /api/jobs carries none; the list page asks
 * GET /api/jobs/patients?jobId=… (radiologists only, one audit entry per request naming the jobs) for the rows it
 * shows, once per job, and keeps the answers in memory (never in storage).
 */

/** Most jobs one request names (the api's limit). */
export const MAX_PATIENT_JOBS = 100;

/** A job's identity: known (name and id, either may be null), or `null` when the api has none (instances purged). */
export type Identity = { patientName: string | null; patientId: string | null } | null;

/** The jobs of the page whose identity is not asked yet, at most {@link MAX_PATIENT_JOBS}. */
export function identitiesToFetch(jobIds: readonly string[], known: ReadonlyMap<string, Identity>, asked: ReadonlySet<string> = new Set()): string[] {
  const missing: string[] = [];
  for (const id of jobIds) {
    if (!known.has(id) && !asked.has(id) && !missing.includes(id)) missing.push(id);
    if (missing.length === MAX_PATIENT_JOBS) break;
  }
  return missing;
}

export function patientsQuery(jobIds: readonly string[]): string {
  const query = new URLSearchParams();
  for (const id of jobIds) query.append('jobId', id);
  return `/api/jobs/patients?${query.toString()}`;
}

/** The identities after an answer: each job asked is known, with `null` for a job the answer left out. */
export function mergeIdentities(known: ReadonlyMap<string, Identity>, asked: readonly string[], answer: readonly JobPatient[]): Map<string, Identity> {
  const next = new Map(known);
  for (const id of asked) next.set(id, null);
  for (const p of answer) next.set(p.jobId, { patientName: p.patientName, patientId: p.patientId });
  return next;
}

/** A DICOM person name (PN) for reading: family and given names, `^` as spaces, the first (alphabetic) group only. */
export function formatPersonName(pn: string | null | undefined): string {
  if (!pn) return '—';
  const [family = '', given = ''] = pn.split('=')[0].split('^');
  return [family, given].filter(Boolean).join(' ');
}

/** The words of an identity the search looks in: the name as stored and as shown, and the patient ID. */
export function identityWords(identity: Identity | undefined): string[] {
  if (!identity) return [];
  return [identity.patientName ?? '', identity.patientName ? formatPersonName(identity.patientName) : '', identity.patientId ?? ''].filter(Boolean);
}
