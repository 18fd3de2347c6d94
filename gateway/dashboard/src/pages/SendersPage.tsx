import { useState, type FormEvent } from 'react';
import type { Sender } from '../api/types';
import { adminApi } from '../api/admin';
import { useI18n } from '../i18n';
import { Empty, Notice, Show, useApp, useLoad } from '../components/common';

/** GET /api/senders, PUT/DELETE /api/senders/{ae} (dicom-ingest's known senders, as destinations are pacs-sender's). */
export function SendersPage() {
  const { api } = useApp();
  const { t } = useI18n();
  const [list, reload] = useLoad(() => adminApi.senders(api), []);
  const [form, setForm] = useState({ aeTitle: '', host: '', routingProfile: '', allowed: true });
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);

  const put = async (sender: Omit<Sender, 'source'>) => {
    setMessage(null);
    try {
      await adminApi.putSender(api, sender);
      setMessage({ tone: 'ok', text: t('form.saved') });
      reload();
    } catch (e) {
      setMessage({ tone: 'error', text: (e as Error).message });
    }
  };
  const remove = async (ae: string) => {
    try {
      await adminApi.deleteSender(api, ae);
      reload();
    } catch (e) {
      setMessage({ tone: 'error', text: (e as Error).message });
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void put({ aeTitle: form.aeTitle.trim(), host: form.host.trim() || null, routingProfile: form.routingProfile.trim() || null, stableTimeout: null, allowed: form.allowed, enabled: true });
  };

  return (
    <section className="page" aria-labelledby="senders-title">
      <h1 id="senders-title">{t('senders.title')}</h1>
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      <Show value={list} onRetry={reload}>
        {(senders) => senders.length === 0 ? <Empty /> : (
          <table className="grid" data-testid="senders">
            <thead><tr><th>{t('dest.ae')}</th><th>{t('dest.host')}</th><th>{t('senders.allowed')}</th><th>{t('senders.profile')}</th><th>{t('senders.stable')}</th><th>{t('dest.source')}</th><th>{t('form.actions')}</th></tr></thead>
            <tbody>
              {senders.map((s) => (
                <tr key={s.aeTitle} data-ae={s.aeTitle} className={s.enabled ? '' : 'muted'}>
                  <td><strong>{s.aeTitle}</strong></td>
                  <td>{s.host ?? '*'}</td>
                  <td><span className={`badge tone-${s.allowed ? 'ok' : 'error'}`}>{s.allowed ? t('job.yes') : t('job.no')}</span></td>
                  <td>{s.routingProfile ?? '—'}</td>
                  <td>{s.stableTimeout ?? '—'}</td>
                  <td>{s.source === 'config' ? t('dest.readOnly') : s.source}</td>
                  <td className="row-actions">
                    {s.source !== 'config' && (
                      <>
                        <button type="button" onClick={() => { const { source: _source, ...rest } = s; void _source; void put({ ...rest, allowed: !s.allowed }); }}>{s.allowed ? t('dest.disable') : t('users.enable')}</button>
                        <button type="button" className="link" onClick={() => void remove(s.aeTitle)}>{t('senders.remove')}</button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
      <form className="card form" onSubmit={submit}>
        <h2>{t('dest.add')}</h2>
        <label>{t('dest.ae')}<input value={form.aeTitle} maxLength={16} required onChange={(e) => setForm({ ...form, aeTitle: e.target.value })} /></label>
        <label>{t('dest.host')}<input value={form.host} onChange={(e) => setForm({ ...form, host: e.target.value })} /></label>
        <label>{t('senders.profile')}<input value={form.routingProfile} onChange={(e) => setForm({ ...form, routingProfile: e.target.value })} /></label>
        <label className="check"><input type="checkbox" checked={form.allowed} onChange={(e) => setForm({ ...form, allowed: e.target.checked })} /> {t('senders.allowed')}</label>
        <button type="submit" className="primary">{t('dest.save')}</button>
      </form>
    </section>
  );
}
