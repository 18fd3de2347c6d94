import { useState } from 'react';
import type { AuditEntry, AuditVerification } from '../api/types';
import { actorDisplay, AUDIT_PAGE_SIZE, auditQuery, isReversed, NO_AUDIT_FILTERS, type AuditFilters } from '../data/audit';
import { formatDateTime, useI18n } from '../i18n';
import { Empty, ErrorNotice, Notice, Show, useApp, useLoad } from '../components/common';
import { DateInput } from '../components/DateInput';

export function AuditPage() {
  const { api } = useApp();
  const { t } = useI18n();
  const [before, setBefore] = useState<number | null>(null);
  const [filters, setFilters] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const reversed = isReversed(filters);
  const [page, reload] = useLoad(
    () => (reversed ? Promise.resolve([]) : api.json<AuditEntry[]>(auditQuery(filters, before))),
    [before, filters.from, filters.to]);
  // A new filter starts again from the newest entry.
  const filter = (patch: Partial<AuditFilters>) => {
    setFilters((current) => ({ ...current, ...patch }));
    setBefore(null);
  };
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [error, setError] = useState<unknown>(null);

  const verify = async () => {
    setError(null);
    try {
      setVerification(await api.json<AuditVerification>('/api/audit/verify'));
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="page" aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">{t('audit.title')}</h1>
        <button type="button" className="primary" onClick={() => void verify()} data-action="verify">{t('audit.verify')}</button>
      </div>
      {error !== null && <ErrorNotice error={error} />}
      {verification && (
        <div data-testid="verification" data-ok={verification.ok}>
          <Notice tone={verification.ok ? 'ok' : 'error'}>
            {verification.ok
              ? t('audit.ok', { count: verification.verifiedCount, head: (verification.headHash ?? '').slice(0, 16) + '…' })
              : t('audit.broken', { sequence: verification.firstBrokenSequence ?? '?', reason: verification.reason ?? '' })}
          </Notice>
        </div>
      )}
      <div className="filters" data-testid="audit-filters">
        <DateInput label={t('jobs.from')} name="from" value={filters.from} onChange={(from) => filter({ from })} />
        <DateInput label={t('jobs.to')} name="to" value={filters.to} onChange={(to) => filter({ to })} />
        {(filters.from || filters.to) && <button type="button" onClick={() => filter(NO_AUDIT_FILTERS)}>{t('jobs.clear')}</button>}
        {reversed && <small className="field-error" role="alert">{t('audit.reversed')}</small>}
      </div>
      <Show value={page} onRetry={reload}>
        {(entries) => entries.length === 0 ? <Empty>{filters.from || filters.to ? t('audit.emptyDays') : undefined}</Empty> : (
          <>
            <AuditTable entries={entries} />
            <div className="pager">
              {before && <button type="button" onClick={() => setBefore(null)}>{t('jobs.previous')}</button>}
              {entries.length === AUDIT_PAGE_SIZE && <button type="button" onClick={() => setBefore(entries[entries.length - 1].sequence)}>{t('audit.more')}</button>}
            </div>
          </>
        )}
      </Show>
    </section>
  );
}

/** The rows of a page of the audit log: who by name (the stored id beside it), what, on what, and how it ended. */
export function AuditTable({ entries }: { entries: readonly AuditEntry[] }) {
  const { t, language } = useI18n();
  return (
    <div className="table-scroll">
      <table className="grid audit" data-testid="audit">
        <thead><tr><th>#</th><th>{t('audit.time')}</th><th>{t('audit.actor')}</th><th>{t('audit.action')}</th><th>{t('audit.resource')}</th><th>{t('audit.outcome')}</th><th>{t('audit.details')}</th></tr></thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.sequence} data-sequence={e.sequence} data-occurred-at={e.occurredAt}>
              <td>{e.sequence}</td>
              <td>{formatDateTime(e.occurredAt, language)}</td>
              <td><Actor entry={e} /></td>
              <td><code>{e.action}</code></td>
              <td className="uid">{e.resource ?? ''}</td>
              <td><span className={`badge tone-${e.outcome === 'success' || e.outcome === 'accepted' ? 'ok' : e.outcome === 'denied' ? 'error' : 'warn'}`} data-outcome={e.outcome}>{OUTCOMES.includes(e.outcome) ? t(`audit.outcome.${e.outcome as Outcome}`) : e.outcome}</span></td>
              <td className="details"><AuditDetails details={e.details} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The actor's name, with the kind (user or API key) and the stored id as secondary text and tooltip. */
function Actor({ entry }: { entry: AuditEntry }) {
  const { t } = useI18n();
  const actor = actorDisplay(entry);
  if (!entry.actorName) return <span className="actor" data-actor={actor.id}>{actor.name}</span>;
  return (
    <span className="actor" data-actor={actor.id} data-actor-name={actor.name} title={actor.id}>
      <strong>{actor.name}</strong>
      <small className="muted uid">{t(actor.kind === 'apikey' ? 'audit.actorKey' : 'audit.actorUser')} · {actor.id.slice(actor.id.indexOf(':') + 1, actor.id.indexOf(':') + 9)}…</small>
    </span>
  );
}

const OUTCOMES = ['success', 'failure', 'denied', 'accepted'];
type Outcome = 'success' | 'failure' | 'denied' | 'accepted';

/** Short details as they are; long ones (a model's before/after) folded, opened on demand and indented. */
function AuditDetails({ details }: { details?: string | null }) {
  if (!details) return null;
  if (details.length <= 140) return <>{details}</>;
  let pretty = details;
  try {
    pretty = JSON.stringify(JSON.parse(details), null, 2);
  } catch {
    // Not JSON: shown as it is.
  }
  return (
    <details>
      <summary>{details.slice(0, 120)}…</summary>
      <pre>{pretty}</pre>
    </details>
  );
}
