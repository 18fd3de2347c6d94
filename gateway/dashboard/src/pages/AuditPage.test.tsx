import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { AuditEntry } from '../api/types';
import { actorDisplay, auditQuery, isReversed, localDayStart, NO_AUDIT_FILTERS } from '../data/audit';
import { I18nContext, translator, type Language } from '../i18n';
import { AuditTable } from './AuditPage';

const ADMIN = 'user:6f1c2a7e-0b4d-4c1e-9a55-3d2f0e8b7c11';
const KEY = 'apikey:0d9e8f7a-1b2c-4d3e-8f4a-5b6c7d8e9f00';

function entry(sequence: number, actor: string, actorName: string | null, action = 'user.create'): AuditEntry {
  return { sequence, occurredAt: '2026-11-26T09:15:00Z', actor, actorName, action, resource: 'user:abc', outcome: 'success', details: null };
}

function render(language: Language, entries: AuditEntry[]) {
  return renderToStaticMarkup(
    <I18nContext.Provider value={{ language, t: translator(language), setLanguage: () => {} }}>
      <AuditTable entries={entries} />
    </I18nContext.Provider>,
  );
}

describe('audit page query', () => {
  it('asks for a page, the next one by the last sequence seen', () => {
    expect(auditQuery(NO_AUDIT_FILTERS, null)).toBe('/api/audit?limit=100');
    expect(auditQuery(NO_AUDIT_FILTERS, 4711, 20)).toBe('/api/audit?limit=20&before=4711');
  });

  it('sends the days typed as the instants the local days start, the last day included', () => {
    const query = new URL(auditQuery({ from: '2026-11-26', to: '2026-11-27' }, 12), 'http://node').searchParams;
    expect(query.get('before')).toBe('12');
    expect(query.get('from')).toBe(new Date(2026, 10, 26).toISOString());
    // "Au 27/11" keeps the whole 27th: the api's `to` is excluded, so it is the start of the 28th.
    expect(query.get('to')).toBe(new Date(2026, 10, 28).toISOString());
    expect(localDayStart('2026-12-31')).toBe(new Date(2026, 11, 31).toISOString());
    // One day alone: from its start to the start of the next.
    const one = new URL(auditQuery({ from: '2026-02-28', to: '2026-02-28' }, null), 'http://node').searchParams;
    expect(Date.parse(one.get('to')!) - Date.parse(one.get('from')!)).toBeGreaterThanOrEqual(23 * 3600_000);
    expect(one.get('to')).toBe(new Date(2026, 2, 1).toISOString());
    // Only the filter given is sent.
    const from = new URL(auditQuery({ from: '2026-11-26', to: '' }, null), 'http://node').searchParams;
    expect([...from.keys()]).toEqual(['limit', 'from']);
  });

  it('does not send a reversed range', () => {
    expect(isReversed({ from: '2026-11-27', to: '2026-11-26' })).toBe(true);
    expect(isReversed({ from: '2026-11-26', to: '2026-11-26' })).toBe(false);
    expect(isReversed({ from: '2026-11-26', to: '' })).toBe(false);
  });
});

describe('audit page rows', () => {
  it('names the actor and keeps the id as secondary text and tooltip', () => {
    expect(actorDisplay({ actor: ADMIN, actorName: 'admin' })).toEqual({ name: 'admin', kind: 'user', id: ADMIN });
    expect(actorDisplay({ actor: 'system', actorName: null })).toEqual({ name: 'system', kind: 'other', id: 'system' });
    const html = render('fr', [entry(3, ADMIN, 'dr.martin'), entry(2, KEY, 'ris-robot', 'access.denied'), entry(1, 'system', null, 'user.bootstrap')]);
    expect(html).toContain(`data-actor="${ADMIN}" data-actor-name="dr.martin" title="${ADMIN}"><strong>dr.martin</strong>`);
    expect(html).toContain('utilisateur · 6f1c2a7e…');
    expect(html).toContain(`data-actor-name="ris-robot" title="${KEY}"`);
    expect(html).toContain('clé d’API · 0d9e8f7a…');
    // No name known: the stored actor as it is, no tooltip to repeat it.
    expect(html).toContain('<span class="actor" data-actor="system">system</span>');
    // The action stays the fourth column.
    expect(html).toMatch(/<tr data-sequence="3"[^>]*><td>3<\/td><td>[^<]+<\/td><td>.*?<\/td><td><code>user.create<\/code><\/td>/);
  });

  it('is in English too', () => {
    const html = render('en', [entry(2, KEY, 'ris-robot'), entry(1, ADMIN, null)]);
    expect(html).toContain('API key · 0d9e8f7a…');
    expect(html).toContain('<th>Actor</th>');
    // A user that no longer exists: the id itself.
    expect(html).toContain(`<span class="actor" data-actor="${ADMIN}">${ADMIN}</span>`);
  });

  it('translates every outcome the api writes, a resend or rerun taken included', () => {
    const accepted = { ...entry(1, ADMIN, 'dr.martin', 'job.resend'), outcome: 'accepted' };
    expect(render('fr', [accepted])).toContain('data-outcome="accepted">accepté</span>');
    expect(render('en', [accepted])).toContain('data-outcome="accepted">accepted</span>');
    expect(render('fr', [{ ...accepted, outcome: 'denied' }])).toContain('data-outcome="denied">refusé</span>');
  });
});
