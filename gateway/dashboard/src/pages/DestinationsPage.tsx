import { useState, type FormEvent } from 'react';
import type { Destination, EchoResult } from '../api/types';
import { formatDateTime, useI18n } from '../i18n';
import { Empty, Notice, Show, useApp, useLoad } from '../components/common';

const KINDS = ['SR', 'SEG', 'PDF', 'KEY-IMAGE'];

export function DestinationsPage() {
  const { api } = useApp();
  const { t, language } = useI18n();
  const [list, reload] = useLoad(() => api.json<Destination[]>('/api/destinations'), []);
  const [form, setForm] = useState({ aeTitle: '', host: '127.0.0.1', port: '104', kinds: [] as string[] });
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
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
      setMessage({ tone: 'error', text: (e as Error).message });
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
      setMessage({ tone: 'error', text: (e as Error).message });
    } finally {
      setEchoing(null);
    }
  };

  const disable = async (ae: string) => {
    try {
      await api.json(`/api/destinations/${encodeURIComponent(ae)}`, { method: 'DELETE' });
      reload();
    } catch (e) {
      setMessage({ tone: 'error', text: (e as Error).message });
    }
  };

  return (
    <section className="page" aria-labelledby="dest-title">
      <h1 id="dest-title">{t('dest.title')}</h1>
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      <Show value={list} onRetry={reload}>
        {(destinations) => destinations.length === 0 ? <Empty /> : (
          <table className="grid" data-testid="destinations">
            <thead><tr><th>{t('dest.ae')}</th><th>{t('dest.host')}</th><th>{t('dest.port')}</th><th>{t('dest.kinds')}</th><th>{t('dest.enabled')}</th><th>{t('dest.source')}</th><th>{t('dest.lastEcho')}</th><th>{t('form.actions')}</th></tr></thead>
            <tbody>
              {destinations.map((d) => (
                <tr key={d.aeTitle} data-ae={d.aeTitle} className={d.enabled ? '' : 'muted'}>
                  <td><strong>{d.aeTitle}</strong></td>
                  <td>{d.host}</td>
                  <td>{d.port}{d.tls ? ' (TLS)' : ''}</td>
                  <td>{d.kinds.length ? d.kinds.join(', ') : '*'}</td>
                  <td>{d.enabled ? t('job.yes') : t('job.no')}</td>
                  <td>{d.source === 'config' ? t('dest.readOnly') : d.source}</td>
                  <td data-testid="last-echo" data-status={d.lastEchoStatus ?? ''}>
                    {d.lastEchoAt ? <span className={`badge tone-${d.lastEchoStatus === 0 ? 'ok' : 'error'}`}>{d.lastEchoStatus === 0 ? 'OK' : d.lastEchoError ?? d.lastEchoStatus}</span> : '—'}
                    {d.lastEchoAt && <small> {formatDateTime(d.lastEchoAt, language)}</small>}
                  </td>
                  <td className="row-actions">
                    <button type="button" onClick={() => void echo(d.aeTitle)} disabled={echoing !== null} data-action="echo">
                      {echoing === d.aeTitle ? t('app.loading') : t('dest.echo')}
                    </button>
                    {d.source !== 'config' && d.enabled && <button type="button" className="link" onClick={() => void disable(d.aeTitle)}>{t('dest.disable')}</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
      <form className="card form" onSubmit={save} aria-label={t('dest.add')} data-testid="destination-form">
        <h2>{t('dest.add')}</h2>
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
        <button type="submit" className="primary">{t('dest.save')}</button>
      </form>
    </section>
  );
}
