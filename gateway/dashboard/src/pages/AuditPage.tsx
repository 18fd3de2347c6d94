import { useState } from 'react';
import type { AuditEntry, AuditVerification } from '../api/types';
import { formatDateTime, useI18n } from '../i18n';
import { Empty, ErrorNotice, Notice, Show, useApp, useLoad } from '../components/common';

export function AuditPage() {
  const { api } = useApp();
  const { t, language } = useI18n();
  const [before, setBefore] = useState<number | null>(null);
  const [page, reload] = useLoad(() => api.json<AuditEntry[]>(`/api/audit?limit=100${before ? `&before=${before}` : ''}`), [before]);
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
      <Show value={page} onRetry={reload}>
        {(entries) => entries.length === 0 ? <Empty /> : (
          <>
            <div className="table-scroll">
            <table className="grid audit" data-testid="audit">
              <thead><tr><th>#</th><th>{t('audit.time')}</th><th>{t('audit.actor')}</th><th>{t('audit.action')}</th><th>{t('audit.resource')}</th><th>{t('audit.outcome')}</th><th>{t('audit.details')}</th></tr></thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.sequence}>
                    <td>{e.sequence}</td>
                    <td>{formatDateTime(e.occurredAt, language)}</td>
                    <td>{e.actor}</td>
                    <td><code>{e.action}</code></td>
                    <td className="uid">{e.resource ?? ''}</td>
                    <td><span className={`badge tone-${e.outcome === 'success' ? 'ok' : e.outcome === 'denied' ? 'error' : 'warn'}`} data-outcome={e.outcome}>{OUTCOMES.includes(e.outcome) ? t(`audit.outcome.${e.outcome as Outcome}`) : e.outcome}</span></td>
                    <td className="details"><AuditDetails details={e.details} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
            <div className="pager">
              {before && <button type="button" onClick={() => setBefore(null)}>{t('jobs.previous')}</button>}
              {entries.length === 100 && <button type="button" onClick={() => setBefore(entries[entries.length - 1].sequence)}>{t('audit.more')}</button>}
            </div>
          </>
        )}
      </Show>
    </section>
  );
}

const OUTCOMES = ['success', 'failure', 'denied'];
type Outcome = 'success' | 'failure' | 'denied';

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
