import { useState, type FormEvent } from 'react';
import type { Destination, EchoResult } from '../api/types';
import { formatDateTime, useI18n } from '../i18n';
import { Empty, Show, useApp, useLoad } from '../components/common';
import { ActionNotice, AdminForm, AdminTable, RowActions, SourceBadge, StateBadge, type ActionMessage } from '../components/admin';

const KINDS = ['SR', 'SEG', 'PDF', 'KEY-IMAGE'];

export function DestinationsPage() {
  const { api } = useApp();
  const { t, language } = useI18n();
  const [list, reload] = useLoad(() => api.json<Destination[]>('/api/destinations'), []);
  const [form, setForm] = useState({ aeTitle: '', host: '127.0.0.1', port: '104', kinds: [] as string[] });
  const [message, setMessage] = useState<ActionMessage | null>(null);
  const [echoing, setEchoing] = useState<string | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    try {
      await api.post(`/api/destinations/${encodeURIComponent(form.aeTitle.trim())}`, { host: form.host.trim(), port: Number(form.port), kinds: form.kinds, enabled: true }, 'PUT');
      setMessage({ tone: 'ok', text: t('form.saved') });
      setForm({ aeTitle: '', host: '127.0.0.1', port: '104', kinds: [] });
      reload();
    } catch (e) {
      setMessage({ tone: 'problem', error: e });
    }
  };

  const echo = async (ae: string) => {
    setEchoing(ae);
    setMessage(null);
    try {
      const result = await api.post<EchoResult>(`/api/destinations/${encodeURIComponent(ae)}/echo`);
      setMessage(result.status === 0
        ? { tone: 'ok', text: `${ae}: ${t('dest.echoOk')}` }
        : { tone: 'error', text: `${ae}: ${t('dest.echoFailed', { error: result.error ?? `status ${result.status}` })}` });
      reload();
    } catch (e) {
      setMessage({ tone: 'problem', error: e });
    } finally {
      setEchoing(null);
    }
  };

  const disable = async (ae: string) => {
    try {
      await api.json(`/api/destinations/${encodeURIComponent(ae)}`, { method: 'DELETE' });
      reload();
    } catch (e) {
      setMessage({ tone: 'problem', error: e });
    }
  };

  return (
    <section className="page" aria-labelledby="dest-title">
      <h1 id="dest-title">{t('dest.title')}</h1>
      <ActionNotice message={message} />
      <Show value={list} onRetry={reload}>
        {(destinations) => destinations.length === 0 ? <Empty /> : (
          <AdminTable testId="destinations" headers={[t('dest.ae'), t('dest.host'), t('dest.port'), t('dest.kinds'), t('dest.enabled'), t('dest.source'), t('dest.lastEcho'), t('form.actions')]}>
              {destinations.map((d) => (
                <tr key={d.aeTitle} data-ae={d.aeTitle} data-source={d.source} data-enabled={d.enabled} className={d.enabled ? '' : 'muted'}>
                  <td><strong>{d.aeTitle}</strong></td>
                  <td>{d.host}</td>
                  <td>{d.port}{d.tls ? ' (TLS)' : ''}</td>
                  <td>{d.kinds.length ? d.kinds.join(', ') : '*'}</td>
                  <td><StateBadge enabled={d.enabled} /></td>
                  <td><SourceBadge source={d.source} /></td>
                  <td data-testid="last-echo" data-status={d.lastEchoStatus ?? ''}>
                    {d.lastEchoAt ? <span className={`badge tone-${d.lastEchoStatus === 0 ? 'ok' : 'error'}`}>{d.lastEchoStatus === 0 ? 'OK' : t('dest.echoFailedShort')}</span> : '—'}
                    {d.lastEchoAt && <small> {formatDateTime(d.lastEchoAt, language)}</small>}
                    {d.lastEchoAt && d.lastEchoStatus !== 0 && <small className="echo-error">{d.lastEchoError ?? `status ${d.lastEchoStatus}`}</small>}
                  </td>
                  <RowActions>
                    <button type="button" onClick={() => void echo(d.aeTitle)} disabled={echoing !== null} data-action="echo">
                      {echoing === d.aeTitle ? t('app.loading') : t('dest.echo')}
                    </button>
                    {d.source !== 'config' && d.enabled && <button type="button" data-action="disable" onClick={() => void disable(d.aeTitle)}>{t('dest.disable')}</button>}
                  </RowActions>
                </tr>
              ))}
          </AdminTable>
        )}
      </Show>
      <AdminForm testId="destination-form" title={t('dest.add')} submitLabel={t('dest.save')} onSubmit={save}>
        <label>{t('dest.ae')}<input name="aeTitle" value={form.aeTitle} maxLength={16} required onChange={(e) => setForm({ ...form, aeTitle: e.target.value })} /></label>
        <label>{t('dest.host')}<input name="host" value={form.host} required onChange={(e) => setForm({ ...form, host: e.target.value })} /></label>
        <label>{t('dest.port')}<input name="port" type="number" min={1} max={65535} value={form.port} required onChange={(e) => setForm({ ...form, port: e.target.value })} /></label>
        <fieldset>
          <legend>{t('dest.kinds')}</legend>
          {KINDS.map((k) => (
            <label key={k} className="check">
              <input type="checkbox" checked={form.kinds.includes(k)} onChange={(e) => setForm({ ...form, kinds: e.target.checked ? [...form.kinds, k] : form.kinds.filter((x) => x !== k) })} /> {k}
            </label>
          ))}
        </fieldset>
      </AdminForm>
    </section>
  );
}
