import type { AuditEntry } from '../api/types';
import { nextDay } from './jobs';

/** Entries per page of the audit log. */
export const AUDIT_PAGE_SIZE = 100;

/** The audit page's day filter: ISO `yyyy-mm-dd` days ('' for none), both included, in the browser's time zone. */
export interface AuditFilters { from: string; to: string }

export const NO_AUDIT_FILTERS: AuditFilters = { from: '', to: '' };

/**
 * The instant a day starts in the browser's time zone, as the api expects it (ISO 8601 UTC): the times the page
 * shows are local, so a day typed by the user is a local day (00:30 in Paris is still that day, not the UTC one before).
 */
export function localDayStart(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year, month - 1, date).toISOString();
}

/** GET /api/audit for the filters and the page (`before`: the last sequence of the previous page); `to` made exclusive. */
export function auditQuery(filters: AuditFilters, before: number | null, limit = AUDIT_PAGE_SIZE): string {
  const query = new URLSearchParams();
  query.set('limit', String(limit));
  if (before !== null) query.set('before', String(before));
  if (filters.from) query.set('from', localDayStart(filters.from));
  if (filters.to) query.set('to', localDayStart(nextDay(filters.to)));
  return `/api/audit?${query.toString()}`;
}

/** A day range that cannot match anything (to before from): the api would refuse it, the page says so instead. */
export function isReversed(filters: AuditFilters): boolean {
  return filters.from !== '' && filters.to !== '' && filters.to < filters.from;
}

/**
 * Who, as people read it: the user's or API key's name when the api knows it (the id kept as secondary text), else
 * the stored actor itself (`system`, `anonymous`, an OpenID Connect subject, or an account that no longer exists).
 */
export function actorDisplay(entry: Pick<AuditEntry, 'actor' | 'actorName'>): { name: string; kind: 'user' | 'apikey' | 'other'; id: string } {
  const kind = entry.actor.startsWith('user:') ? 'user' : entry.actor.startsWith('apikey:') ? 'apikey' : 'other';
  return { name: entry.actorName || entry.actor, kind, id: entry.actor };
}
